"""JSON API: a dealer's incentives for a month (a dealer its own, managers any dealer's)."""

from __future__ import annotations

from datetime import datetime, timezone

from litestar import Controller, Request, get

from marketplace.accounts.auth import signed_in
from marketplace.errors import Forbidden
from marketplace.formatting import Formatter
from marketplace.incentives.overview import as_json, explanations, overview
from marketplace.settlement.periods import period_of
from marketplace.web.i18n import gettext_for


def check_reader(principal, code: str) -> None:
    """Managers read any dealer's incentives; a dealer only its own (403, whether the other exists or not)."""
    if principal.is_manager:
        return
    if not principal.is_dealer or code.strip().upper() != principal.dealer_code:
        raise Forbidden("a dealer sees only its own incentives", "code")


class IncentivesApi(Controller):
    path = "/api/v1/dealers/{code:str}/incentives"
    tags = ["incentives"]

    @get("/", guards=[signed_in])
    async def read(self, request: Request, code: str, period: str = "") -> dict:
        """The dealer's tier, the incentive rules in force, its progress to each threshold and what
        was applied in the month (``?period=YYYY-MM``, this month by default), explained in Italian."""
        check_reader(request.user, code)
        o = await overview(code, period or period_of(datetime.now(timezone.utc)))
        _ = gettext_for("it")
        return as_json(o, [_(message, **values) for message, values in explanations(o, Formatter("it"))])
