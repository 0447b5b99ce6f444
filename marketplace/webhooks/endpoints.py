"""Registering, listing, removing webhook endpoints, rotating their secrets, reading their
delivery log and replaying a delivery.

A dealer admin manages its dealer's endpoints, which hear of that dealer's events only; the
network (a manager, or a network API key) registers endpoints that hear of every event, and may
see and remove any endpoint. Anyone else is refused by the routes' guards.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from marketplace.accounts.principal import Principal
from marketplace.db import raw_connection
from marketplace.errors import Forbidden, Invalid, NotFound
from marketplace.webhooks.addresses import check_url
from marketplace.webhooks.delivery import ROTATION_OVERLAP
from marketplace.webhooks.events import EVENTS
from marketplace.webhooks.signing import new_salt, secret_of
from marketplace.webhooks.tables import WebhookEndpoint

MAX_ENDPOINTS_PER_OWNER = 20
MAX_DESCRIPTION = 500
LOG_SIZE = 50


@dataclass(frozen=True, slots=True)
class Registered:
    id: int
    url: str
    events: list[str]
    secret: str


def _events(events: list[str] | None) -> list[str]:
    if not events:
        raise Invalid("choose at least one event", "events")
    unknown = sorted({e for e in events if e not in EVENTS})
    if unknown:
        raise Invalid(f"no such event: {', '.join(unknown)} (events are {', '.join(EVENTS)})", "events")
    return [e for e in EVENTS if e in set(events)]  # the catalogue's order, each once


def _owner(principal: Principal) -> int | None:
    if principal.is_manager:
        return None
    if principal.is_dealer_admin and principal.dealer_id is not None:
        return principal.dealer_id
    raise Forbidden("only a dealer's admin or the network manages webhooks", "role")


def _actor(principal: Principal) -> str:
    return principal.email or (f"api_key:{principal.api_key_id}" if principal.api_key_id else "system")


async def register(principal: Principal, url: str, events: list[str] | None, description: str = "") -> Registered:
    """A new endpoint, with its secret (shown this once)."""
    dealer = _owner(principal)
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise Invalid(f"a description has at most {MAX_DESCRIPTION} characters", "description")
    chosen = _events(events)
    url = await check_url(url)
    salt = new_salt()
    async with WebhookEndpoint._meta.db.transaction() as tx:
        c = tx.connection
        # One owner at a time: the count and the insert must not race.
        await c.execute("SELECT pg_advisory_xact_lock(hashtext('webhook_endpoint'), $1)", dealer or 0)
        count = await c.fetchval("SELECT count(*) FROM webhook_endpoint WHERE dealer IS NOT DISTINCT FROM $1", dealer)
        if count >= MAX_ENDPOINTS_PER_OWNER:
            raise Invalid(f"at most {MAX_ENDPOINTS_PER_OWNER} endpoints each: remove one first", "url")
        endpoint_id = await c.fetchval(
            "INSERT INTO webhook_endpoint (dealer, url, events, description, secret_salt, created_at, created_by)"
            " VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7) RETURNING id",
            dealer, url, json.dumps(chosen), description, salt, datetime.now(timezone.utc), _actor(principal))
    return Registered(endpoint_id, url, chosen, secret_of(salt))


_ENDPOINT = """
SELECT e.id, e.url, e.events, e.description, e.created_at, e.created_by, e.disabled_at, e.disabled_reason,
       e.dealer AS dealer_id, d.code AS dealer_code, e.secret_salt,
       (SELECT count(*) FROM webhook_delivery w WHERE w.endpoint = e.id AND w.delivered_at IS NULL
           AND w.given_up_at IS NULL) AS pending,
       (SELECT count(*) FROM webhook_delivery w WHERE w.endpoint = e.id AND w.delivered_at IS NULL
           AND (w.given_up_at IS NOT NULL OR w.attempts > 0)) AS failing
FROM webhook_endpoint e LEFT JOIN dealer d ON d.id = e.dealer
"""


def _row(row) -> dict:
    endpoint = dict(row)
    endpoint.pop("secret_salt", None)
    if isinstance(endpoint["events"], str):
        endpoint["events"] = json.loads(endpoint["events"])
    return endpoint


async def list_endpoints(principal: Principal) -> list[dict]:
    """The dealer's endpoints, or every endpoint for the network."""
    dealer = _owner(principal)
    async with raw_connection() as c:
        if dealer is None:
            rows = await c.fetch(_ENDPOINT + " ORDER BY e.dealer NULLS FIRST, e.id")
        else:
            rows = await c.fetch(_ENDPOINT + " WHERE e.dealer = $1 ORDER BY e.id", dealer)
    return [_row(r) for r in rows]


async def get_endpoint(principal: Principal, endpoint_id: int) -> dict:
    """An endpoint the principal manages; 404 for any other, as if it did not exist."""
    dealer = _owner(principal)
    async with raw_connection() as c:
        row = await c.fetchrow(_ENDPOINT + " WHERE e.id = $1", endpoint_id)
    if row is None or (dealer is not None and row["dealer_id"] != dealer):
        raise NotFound(f"no webhook endpoint {endpoint_id}", "webhook")
    return _row(row)


async def delete_endpoint(principal: Principal, endpoint_id: int) -> None:
    await get_endpoint(principal, endpoint_id)
    async with raw_connection() as c:
        await c.execute("DELETE FROM webhook_endpoint WHERE id = $1", endpoint_id)


async def rotate_secret(principal: Principal, endpoint_id: int, now: datetime | None = None) -> Registered:
    """A new secret; the old one signs too (a second signature) for a day, then stops."""
    endpoint = await get_endpoint(principal, endpoint_id)
    now = now or datetime.now(timezone.utc)
    salt = new_salt()
    async with raw_connection() as c:
        await c.execute(
            "UPDATE webhook_endpoint SET previous_salt = secret_salt, previous_until = $2, secret_salt = $3"
            " WHERE id = $1", endpoint_id, now + ROTATION_OVERLAP, salt)
    return Registered(endpoint_id, endpoint["url"], endpoint["events"], secret_of(salt))


async def enable(principal: Principal, endpoint_id: int) -> None:
    """Send to a disabled endpoint again (its receiver is back): what comes next, and replays."""
    await get_endpoint(principal, endpoint_id)
    async with raw_connection() as c:
        await c.execute("UPDATE webhook_endpoint SET disabled_at = NULL, disabled_reason = '' WHERE id = $1", endpoint_id)


_LOG = """
SELECT w.id, w.message_id, w.type, w.created_at, w.attempts, w.next_attempt_at, w.delivered_at, w.given_up_at,
       w.last_status, w.last_error,
       CASE WHEN w.delivered_at IS NOT NULL THEN 'delivered' WHEN w.given_up_at IS NOT NULL THEN 'failed'
            WHEN w.attempts > 0 THEN 'retrying' ELSE 'pending' END AS state
FROM webhook_delivery w WHERE w.endpoint = $1 {where} ORDER BY w.id DESC LIMIT $2
"""


async def deliveries(principal: Principal, endpoint_id: int, *, failures_only: bool = False,
                     limit: int = LOG_SIZE) -> list[dict]:
    """The endpoint's latest deliveries, newest first (only the failed and retrying ones if asked)."""
    await get_endpoint(principal, endpoint_id)
    failures = "AND w.delivered_at IS NULL AND (w.given_up_at IS NOT NULL OR w.attempts > 0)" if failures_only else ""
    async with raw_connection() as c:
        return [dict(r) for r in await c.fetch(_LOG.format(where=failures), endpoint_id, limit)]


async def attempts_of(principal: Principal, endpoint_id: int, delivery_id: int) -> list[dict]:
    await get_endpoint(principal, endpoint_id)
    async with raw_connection() as c:
        return [dict(r) for r in await c.fetch(
            "SELECT a.at, a.status, a.error, a.duration_ms FROM webhook_attempt a JOIN webhook_delivery w"
            " ON w.id = a.delivery WHERE a.delivery = $1 AND w.endpoint = $2 ORDER BY a.id", delivery_id, endpoint_id)]


async def replay(principal: Principal, endpoint_id: int, delivery_id: int, now: datetime | None = None) -> dict:
    """Send a delivery again, soon (the next sweep), with the same id and body: a failed one after its
    receiver was fixed, or a delivered one the receiver lost. Its tries start over."""
    await get_endpoint(principal, endpoint_id)
    now = now or datetime.now(timezone.utc)
    async with raw_connection() as c:
        row = await c.fetchrow(
            "UPDATE webhook_delivery SET delivered_at = NULL, given_up_at = NULL, attempts = 0, next_attempt_at = $3"
            " WHERE id = $1 AND endpoint = $2 RETURNING id", delivery_id, endpoint_id, now)
        if row is None:
            raise NotFound(f"no delivery {delivery_id} to webhook endpoint {endpoint_id}", "delivery")
        return dict(await c.fetchrow(_LOG.format(where="AND w.id = $3"), endpoint_id, 1, delivery_id))
