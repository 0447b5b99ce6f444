"""Manager pages for the dealer directory."""

from __future__ import annotations

from dataclasses import asdict

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from marketplace.accounts.auth import manager_only
from marketplace.errors import DomainError
from marketplace.network.dealers import DealerInput, create_dealer, get_dealer, list_dealers, set_dealer_active, update_dealer
from marketplace.network.billing_pages import translated_errors
from marketplace.network.billing import NetworkBilling, network_billing, update_network_billing
from marketplace.network.rules import get_rules, update_rules
from marketplace.network.tables import Tier
from marketplace.pagination import page_number
from marketplace.web.forms import form_errors, form_fields
from marketplace.web.render import page


class DealerPages(Controller):
    path = "/network/dealers"
    guards = [manager_only]
    include_in_schema = False

    @get("/")
    async def index(self, request: Request, q: str = "") -> Template:
        dealers = await list_dealers(q, page_number(request.query_params.get("page")))
        return page(request, "network/dealers.html", dealers=dealers, q=q, rules=await get_rules())

    def _form(self, request: Request, *, dealer: dict | None, values: dict, error: DomainError | None = None) -> Template:
        return page(
            request, "network/dealer_form.html", status_code=error.status_code if error else 200,
            dealer=dealer, values=values, tiers=[t.value for t in Tier],
            errors=form_errors(error),
        )

    @get("/new")
    async def new(self, request: Request) -> Template:
        return self._form(request, dealer=None, values={"tier": Tier.urban.value})

    @post("/new")
    async def create(self, request: Request) -> Response:
        form = await form_fields(request)
        try:
            dealer = await create_dealer(DealerInput.from_form(form))
        except DomainError as error:
            return self._form(request, dealer=None, values=form, error=error)
        return Redirect(f"/network/dealers?q={dealer.code}", status_code=303)

    @get("/{code:str}")
    async def edit(self, request: Request, code: str) -> Template:
        dealer = await get_dealer(code)
        return self._form(request, dealer=dealer, values=dealer)

    @post("/{code:str}")
    async def update(self, request: Request, code: str) -> Response:
        dealer = await get_dealer(code)
        form = await form_fields(request)
        try:
            await update_dealer(dealer["code"], DealerInput.from_form(form))
        except DomainError as error:
            return self._form(request, dealer=dealer, values=form, error=error)
        return Redirect(f"/network/dealers?q={dealer['code']}", status_code=303)

    @post("/{code:str}/active")
    async def toggle_active(self, request: Request, code: str) -> Redirect:
        form = await form_fields(request)
        await set_dealer_active(code, form.get("active") == "1")
        return Redirect(f"/network/dealers/{code}", status_code=303)


class NetworkSettingsPages(Controller):
    path = "/network/settings"
    guards = [manager_only]
    include_in_schema = False

    @get("/")
    async def show(self, request: Request, saved: bool = False) -> Template:
        rules = await get_rules()
        values = {name: getattr(rules, name) for name in rules.__slots__}
        values.update(asdict(await network_billing()))
        return page(request, "network/settings.html", values=values, errors={}, saved=saved)

    @post("/")
    async def save(self, request: Request) -> Response:
        form = await form_fields(request)
        try:
            billing = NetworkBilling.from_form(form)  # checked first: nothing is saved if either is refused
            await update_rules(form)
            await update_network_billing(billing)
        except DomainError as error:
            return page(request, "network/settings.html", status_code=error.status_code, values=form,
                        errors=translated_errors(request, error), saved=False)
        return Redirect("/network/settings?saved=true", status_code=303)
