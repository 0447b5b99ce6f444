"""The monthly report: on the 1st, one mail per dealer with its figures of the month just closed,
and one to the network's managers with the network's. Emitted once per recipient and month through
the outbox (``emit_once`` on the ``report`` key, backed by a unique index), composed at delivery."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from marketplace.db import raw_connection
from marketplace.outbox.compose import Letter, Recipient, Undeliverable
from marketplace.outbox.messages import emit_once
from marketplace.pulse.kpis import Kpis
from marketplace.settings import get_settings
from marketplace.settlement.periods import period_bounds, period_of

TOPIC = "pulse.monthly_report"
TOPICS = (TOPIC,)


def closed_month(now: datetime) -> str:
    start, _ = period_bounds(period_of(now))
    return period_of(start - timedelta(seconds=1))


async def emit_monthly_reports(now: datetime | None = None) -> int:
    """Queue the month just closed's reports (once each: a later pass adds none); how many are new.
    Waits until the month's rollup has been refreshed after its end, so the figures are final."""
    now = now or datetime.now(timezone.utc)
    period = closed_month(now)
    start, _ = period_bounds(period_of(now))
    async with raw_connection() as connection:
        # Once queued (one statement queues them all), a pass checks one row of the outbox's index.
        if await connection.fetchval(
                "SELECT EXISTS (SELECT 1 FROM outbox_message WHERE topic = 'pulse.monthly_report'"
                " AND payload->>'report' = $1)", f"{period}:network"):
            return 0
        refreshed = await connection.fetchval(
            "SELECT refreshed_at FROM pulse_rollup WHERE period = $1 AND scope = 'network'", period)
        if refreshed is None or refreshed < start:
            return 0
        # A dealer is told of a month it was a member during; the network once it had one.
        dealers = await connection.fetch(
            "SELECT id, code FROM dealer WHERE active AND NOT is_central_warehouse AND created_at < $1 ORDER BY code",
            start)
    if not dealers:
        return 0
    payloads = [{"report": f"{period}:network", "period": period, "scope": "network"}]
    payloads += [{"report": f"{period}:dealer:{d['code']}", "period": period, "scope": f"dealer:{d['id']}",
                  "dealer_code": d["code"]} for d in dealers]
    return await emit_once(TOPIC, "report", payloads, now)


_MANAGERS = "SELECT name, email FROM network_user WHERE role = 'network_manager' AND active ORDER BY id"
_DEALER_STAFF = """
SELECT u.name, u.email, d.name AS dealer_name, d.billing_email FROM dealer d
LEFT JOIN network_user u ON u.dealer = d.id AND u.active AND u.role = 'dealer_admin'
WHERE d.id = $1 ORDER BY u.id
"""


async def compose_monthly_report(connection, topic: str, payload: dict) -> Letter | None:
    """The report's letter: the figures as the rollup has them (the month is closed)."""
    period, scope = payload["period"], payload["scope"]
    row = await connection.fetchval("SELECT figures FROM pulse_rollup WHERE period = $1 AND scope = $2", period, scope)
    if row is None:
        raise Undeliverable(f"no figures for {scope} in {period}")
    figures = Kpis.from_json(json.loads(row) if isinstance(row, str) else row)
    if scope == "network":
        people = await connection.fetch(_MANAGERS)
        to = tuple(Recipient(p["name"], p["email"]) for p in people)
        link = f"{get_settings().base_url}/pulse?period={period}"
        return Letter(to=to, template="pulse_network_report", values={"k": figures, "period": period, "link": link})
    people = await connection.fetch(_DEALER_STAFF, int(scope.split(":")[1]))
    to = tuple(Recipient(p["name"] or p["dealer_name"], p["email"]) for p in people if p["email"])
    if not to and people and people[0]["billing_email"]:
        to = (Recipient(people[0]["dealer_name"], people[0]["billing_email"]),)
    if not to:
        raise Undeliverable(f"dealer {payload.get('dealer_code')} has no admin to tell")
    return Letter(to=to, template="pulse_dealer_report",
                  values={"k": figures, "period": period, "code": payload.get("dealer_code", ""),
                          "dealer_name": people[0]["dealer_name"],
                          "link": f"{get_settings().base_url}/pulse/dealers/{payload.get('dealer_code', '')}?period={period}"})
