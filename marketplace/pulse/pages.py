"""The network pulse's pages: the phone-order log, the network dashboard and a dealer's scorecard."""

from __future__ import annotations

from litestar import Controller, Request, post
from litestar.response import Redirect

from marketplace.accounts.auth import dealer_only
from marketplace.pulse.phone_orders import log_phone_order
from marketplace.web.forms import form_fields, safe_next


class PhoneOrderPages(Controller):
    path = "/pulse/phone-orders"
    guards = [dealer_only]
    include_in_schema = False

    @post("/")
    async def log(self, request: Request) -> Redirect:
        """One click from the search page: a part line bought from another dealer by phone."""
        form = await form_fields(request)
        await log_phone_order(request.user.dealer_id, request.user.user_id, form.get("number", ""))
        target = safe_next(form.get("next") or "/search")
        return Redirect(target + ("&" if "?" in target else "?") + "phoned=1", status_code=303)


class PulsePages(Controller):
    path = "/pulse"
    include_in_schema = False
