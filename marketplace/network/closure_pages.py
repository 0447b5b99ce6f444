"""The closure calendar page: a dealer's admin edits its own closed days, a manager any dealer's."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from marketplace.accounts.auth import dealer_admin_or_manager
from marketplace.errors import DomainError
from marketplace.network.billing_pages import _own_or_manager, translated_errors
from marketplace.network.closures import MAX_DAYS, ClosureInput, add_closure, delete_closure, list_closures
from marketplace.network.dealers import get_dealer
from marketplace.web.forms import form_date, form_fields
from marketplace.web.render import page


class ClosurePages(Controller):
    path = "/closures/dealers/{code:str}"  # not under /network/: a dealer's admin edits its own
    guards = [dealer_admin_or_manager]
    include_in_schema = False

    async def _page(self, request: Request, code: str, *, values: dict, errors: dict, status_code: int = 200,
                    saved: bool = False) -> Template:
        return page(request, "network/closures.html", status_code=status_code, dealer=await get_dealer(code),
                    closures=await list_closures(code), values=values, errors=errors, saved=saved, max_days=MAX_DAYS)

    @get("/", name="closures")
    async def show(self, request: Request, code: str, saved: bool = False) -> Template:
        return await self._page(request, _own_or_manager(request, code), values={}, errors={}, saved=saved)

    @post("/")
    async def add(self, request: Request, code: str) -> Response:
        code = _own_or_manager(request, code)
        form = await form_fields(request)
        try:
            await add_closure(code, ClosureInput(form_date(form.get("starts_on"), "starts_on"),
                                                 form_date(form.get("ends_on"), "ends_on"), form.get("reason", "")))
        except DomainError as error:
            return await self._page(request, code, values=form, errors=translated_errors(request, error),
                                    status_code=error.status_code)
        return Redirect(f"/closures/dealers/{code}?saved=true", status_code=303)

    @post("/{closure_id:int}/delete")
    async def delete(self, request: Request, code: str, closure_id: int) -> Redirect:
        code = _own_or_manager(request, code)
        await delete_closure(code, closure_id)
        return Redirect(f"/closures/dealers/{code}?saved=true", status_code=303)
