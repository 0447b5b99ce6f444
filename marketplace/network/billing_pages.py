"""Billing data pages: a manager edits any dealer's, a dealer's admin its own."""

from __future__ import annotations

from dataclasses import asdict

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from marketplace.accounts.auth import dealer_admin_or_manager
from marketplace.errors import DomainError, NotFound
from marketplace.network.billing import DealerBilling, dealer_billing, update_dealer_billing
from marketplace.network.dealers import get_dealer
from marketplace.web.forms import form_date, form_errors, form_fields
from marketplace.web.i18n import gettext_for
from marketplace.web.render import language_of, page


def translated_errors(request: Request, error: DomainError) -> dict[str, str]:
    """The field's message in the reader's language (the billing checks' messages are fixed texts)."""
    _ = gettext_for(language_of(request))
    return {field: _(message) for field, message in form_errors(error).items()}


def _own_or_manager(request: Request, code: str) -> str:
    """A dealer's admin opens only its own dealer's data (others are 404)."""
    code = code.strip().upper()
    if not request.user.is_manager and request.user.dealer_code != code:
        raise NotFound(f"no dealer with code {code}", "code")
    return code


class BillingPages(Controller):
    path = "/billing/dealers/{code:str}"  # not under /network/: a dealer's admin edits its own
    guards = [dealer_admin_or_manager]
    include_in_schema = False

    @get("/")
    async def show(self, request: Request, code: str, saved: bool = False) -> Template:
        code = _own_or_manager(request, code)
        values = asdict(await dealer_billing(code))
        return page(request, "network/billing.html", dealer=await get_dealer(code), values=values, errors={},
                    saved=saved)

    @post("/")
    async def save(self, request: Request, code: str) -> Response:
        code = _own_or_manager(request, code)
        form = await form_fields(request)
        try:
            await update_dealer_billing(code, DealerBilling.checked(
                **{f: form.get(f, "") for f in ("legal_name", "vat_number", "iban", "sdd_mandate_ref", "billing_email")},
                sdd_mandate_signed_on=form_date(form.get("sdd_mandate_signed_on"), "sdd_mandate_signed_on")))
        except DomainError as error:
            return page(request, "network/billing.html", status_code=error.status_code, dealer=await get_dealer(code),
                        values=form, errors=translated_errors(request, error), saved=False)
        return Redirect(f"/billing/dealers/{code}?saved=true", status_code=303)
