"""Pages: a dealer's notifications (read as the list is opened) and a user's preferences, with the
dealer's notification address for its admins."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from marketplace.accounts.auth import dealer_only
from marketplace.errors import DomainError, Forbidden
from marketplace.notifications.inbox import mark_read, notifications
from marketplace.notifications.kinds import KINDS, LOW_PRIORITY
from marketplace.notifications.settings import address_of, preferences_of, set_address, set_preferences
from marketplace.pagination import page_number
from marketplace.web.forms import checkbox, form_errors, form_fields
from marketplace.web.render import page
from marketplace.web.urls import redirect_to


def _user(request: Request) -> tuple[int, int]:
    me = request.user
    if me.user_id is None:
        raise Forbidden("notifications are a signed-in person's", "user")
    return me.user_id, me.dealer_id


class NotificationPages(Controller):
    path = "/notifications"
    guards = [dealer_only]
    include_in_schema = False

    @get("/", name="notifications:list")
    async def index(self, request: Request) -> Template:
        user_id, dealer_id = _user(request)
        items, _ = await notifications(user_id, dealer_id, page_number(request.query_params.get("page")))
        await mark_read(user_id, dealer_id)
        request.state.unread = 0  # just read: the header's badge says so at once
        return page(request, "notifications/list.html", items=items)

    async def _preferences(self, request: Request, *, error: DomainError | None = None, saved: bool = False,
                           values: dict | None = None) -> Template:
        user_id, dealer_id = _user(request)
        preferences = await preferences_of(user_id)
        return page(request, "notifications/preferences.html", status_code=error.status_code if error else 200,
                    kinds=KINDS, low=LOW_PRIORITY, preferences=preferences, address=await address_of(dealer_id),
                    values=values or {}, errors=form_errors(error), saved=saved)

    @get("/preferences", name="notifications:preferences")
    async def preferences(self, request: Request, saved: bool = False) -> Template:
        return await self._preferences(request, saved=saved)

    @post("/preferences")
    async def save_preferences(self, request: Request) -> Redirect:
        user_id, _ = _user(request)
        form = await form_fields(request)
        await set_preferences(user_id, [kind for kind in KINDS if checkbox(form, f"kind:{kind}")], checkbox(form, "digest"))
        return redirect_to(request, "notifications:preferences", {"saved": "true"})

    @post("/address")
    async def save_address(self, request: Request) -> Template | Redirect:
        _, dealer_id = _user(request)
        if not request.user.is_dealer_admin:
            raise Forbidden("only the dealer's admin sets its notification address", "address")
        form = await form_fields(request)
        try:
            await set_address(dealer_id, form.get("address", ""))
        except DomainError as error:
            return await self._preferences(request, error=error, values=form)
        return redirect_to(request, "notifications:preferences", {"saved": "true"})
