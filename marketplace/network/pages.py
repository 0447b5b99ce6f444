"""Manager pages for the dealer directory."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from marketplace.accounts.auth import manager_only
from marketplace.decimal_input import parse_decimal
from marketplace.errors import DomainError, Invalid
from marketplace.network.billing import NetworkBilling, network_billing, update_network_billing
from marketplace.network.billing_pages import translated_errors
from marketplace.network.dealers import DealerInput, create_dealer, get_dealer, list_dealers, set_dealer_active, update_dealer
from marketplace.network.rules import MAX_PAYOUT, NetworkRules, check_setting, get_rules, update_rules
from marketplace.network.tables import Tier
from marketplace.pagination import page_number
from marketplace.web.forms import checkbox, form_errors, form_fields, optional_float
from marketplace.web.render import page
from marketplace.web.urls import redirect_to


class DealerPages(Controller):
    path = "/network/dealers"
    guards = [manager_only]
    include_in_schema = False

    @get("/", name="dealers:list")
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
            dealer = await create_dealer(_dealer_from_form(form))
        except DomainError as error:
            return self._form(request, dealer=None, values=form, error=error)
        return redirect_to(request, "dealers:list", {"q": dealer.code})

    @get("/{code:str}", name="dealers:detail")
    async def edit(self, request: Request, code: str) -> Template:
        dealer = await get_dealer(code)
        return self._form(request, dealer=dealer, values=dealer)

    @post("/{code:str}")
    async def update(self, request: Request, code: str) -> Response:
        dealer = await get_dealer(code)
        form = await form_fields(request)
        try:
            await update_dealer(dealer["code"], _dealer_from_form(form))
        except DomainError as error:
            return self._form(request, dealer=dealer, values=form, error=error)
        return redirect_to(request, "dealers:list", {"q": dealer["code"]})

    @post("/{code:str}/active")
    async def toggle_active(self, request: Request, code: str) -> Redirect:
        form = await form_fields(request)
        await set_dealer_active(code, form.get("active") == "1")
        return redirect_to(request, "dealers:detail", code=code)


class NetworkSettingsPages(Controller):
    path = "/network/settings"
    guards = [manager_only]
    include_in_schema = False

    @get("/", name="network-settings")
    async def show(self, request: Request, saved: bool = False) -> Template:
        rules = await get_rules()
        values = {name: getattr(rules, name) for name in rules.__slots__}
        values.update(asdict(await network_billing()))
        return page(request, "network/settings.html", values=values, errors={}, saved=saved)

    @post("/")
    async def save(self, request: Request) -> Response:
        form = await form_fields(request)
        try:
            # Checked first: nothing is saved if either is refused.
            billing = NetworkBilling.checked(**{f: form.get(f, "") for f in ("legal_name", "vat_number", "iban", "bic",
                                                                             "creditor_id")})
            await update_rules(_rules_from_form(form))
            await update_network_billing(billing)
        except DomainError as error:
            return page(request, "network/settings.html", status_code=error.status_code, values=form,
                        errors=translated_errors(request, error), saved=False)
        return redirect_to(request, "network-settings", {"saved": "true"})


def _dealer_from_form(form: dict[str, str]) -> DealerInput:
    """A submitted dealer form; a number that does not parse names its field."""
    return DealerInput(
        code=form.get("code", ""), name=form.get("name", ""), postal_code=form.get("postal_code", ""),
        address=form.get("address", ""), city=form.get("city", ""), province=form.get("province", ""),
        lat=optional_float(form, "lat"), lon=optional_float(form, "lon"),
        tier=form.get("tier") or Tier.urban.value, is_central_warehouse=checkbox(form, "is_central_warehouse"),
        phone=form.get("phone", ""),
    )


def _rules_from_form(form: dict[str, str]) -> NetworkRules:
    """The settings form as typed values, each checked by the network's rules as it is read, so
    the first field in the form that is wrong is the one named."""
    def whole(field: str, default: str = "") -> int:
        text = (form.get(field) or default).strip()
        if not (text.isascii() and text.isdecimal() and len(text) <= 9):
            raise Invalid("a whole number", field)
        return check_setting(field, int(text))

    def decimal(field: str, default: str = "", high: Decimal = Decimal(100)) -> Decimal:
        return check_setting(field, parse_decimal(form.get(field) or default, field, high=high))

    return NetworkRules(
        stale_feed_hours=whole("stale_feed_hours"), transfer_sla_hours=whole("transfer_sla_hours"),
        transfer_discount_pct=decimal("transfer_discount_pct"),
        full_feed_reject_limit_pct=decimal("full_feed_reject_limit_pct"),
        full_feed_shrink_limit_pct=decimal("full_feed_shrink_limit_pct", "20"),
        online_discount_pct=decimal("online_discount_pct"), transfer_days=whole("transfer_days"),
        shipping_deadline_days=whole("shipping_deadline_days", "2"), clearing=form.get("clearing") or "central",
        minimum_payout=decimal("minimum_payout", "10.00", MAX_PAYOUT),
        order_confirm_minutes=whole("order_confirm_minutes", "30"),
        customer_share_pct=decimal("customer_share_pct", "50"),
        phone_minutes_per_line=whole("phone_minutes_per_line", "12"),
        order_accept_minutes=whole("order_accept_minutes", "90"),
        urgent_first_radius_km=whole("urgent_first_radius_km", "50"),
        urgent_second_radius_km=whole("urgent_second_radius_km", "200"),
        urgent_wave_minutes=whole("urgent_wave_minutes", "60"),
        urgent_central_wave=checkbox(form, "urgent_central_wave") if "urgent_wave_minutes" in form else True,
    )
