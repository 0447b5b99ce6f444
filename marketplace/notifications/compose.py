"""The outbox's composer for notifications: records the in-app notification and writes the mail.

Registered by the app's wiring for the topics in kinds.TOPIC_KINDS (but ``order.new``), for
``urgent_need.posted`` (one message per dealer in range is queued, each then mailed on its own so
no dealer sees another's address) and for ``notification.digest``. Read at delivery: a request
answered meanwhile is neither mailed nor listed. The in-app row is written even when nobody is
to be mailed; (dealer, kind, subject) is unique, so a retried message lists it once.
"""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

import asyncpg

from marketplace.calendar import ROME
from marketplace.notifications.kinds import KINDS, LOW_PRIORITY, TOPIC_KINDS, link_of, path_of
from marketplace.outbox.compose import Letter, Recipient
from marketplace.outbox.messages import emit

DIGEST_HOUR = time(8, 0)

_TRANSFER = """
SELECT t.id, t.status, t.quantity, t.requested_quantity, t.unit_price, t.expires_at, t.note, t.carrier, t.tracking,
       p.part_number, p.description, t.requester, t.supplier,
       r.code AS requester_code, r.name AS requester_name, s.code AS supplier_code, s.name AS supplier_name
FROM transfer t JOIN part p ON p.id = t.part JOIN dealer r ON r.id = t.requester JOIN dealer s ON s.id = t.supplier
WHERE t.id = $1
"""
#: kind -> (the side told, the status the transfer must still be in).
_TRANSFER_KINDS = {
    "transfer.requested": ("supplier", {"requested"}),
    "transfer.expiring": ("supplier", {"requested"}),
    "transfer.offered": ("requester", {"offered"}),
    "transfer.shipped": ("requester", {"shipped"}),
}

_ORDER = """
SELECT o.id, o.status, o.total, o.promised_for, pp.name AS point_name, pp.dealer,
       (SELECT count(*) FROM order_line l WHERE l."order" = o.id) AS lines
FROM customer_order o JOIN pickup_point pp ON pp.id = o.pickup_point WHERE o.id = $1
"""

# The dealer's address, then its active people who want this kind now (no preference: every kind).
_RECIPIENTS = """
SELECT d.name, a.email FROM notification_address a JOIN dealer d ON d.id = a.dealer WHERE a.dealer = $1
UNION ALL
(SELECT u.name, u.email FROM network_user u LEFT JOIN notification_preference p ON p."user" = u.id
 WHERE u.dealer = $1 AND u.active AND u.role IN ('dealer_staff', 'dealer_admin')
   AND (p.id IS NULL OR (p.kinds ? $2 AND NOT (p.digest AND $3)))
 ORDER BY u.email)
"""

_RECORD = """
INSERT INTO notification (dealer, kind, subject_id, link, summary, created_at) VALUES ($1, $2, $3, $4, $5::jsonb, now())
ON CONFLICT (dealer, kind, subject_id) DO NOTHING
"""


async def recipients(connection, dealer_id: int, kind: str) -> tuple[Recipient, ...]:
    """Who is mailed a notification of this kind at once, each address once."""
    seen: dict[str, Recipient] = {}
    for row in await connection.fetch(_RECIPIENTS, dealer_id, kind, kind in LOW_PRIORITY):
        seen.setdefault(row["email"].strip().lower(), Recipient(row["name"] or "", row["email"]))
    return tuple(seen.values())


async def record(connection, dealer_id: int, kind: str, subject_id: int, summary: dict) -> str:
    """The in-app notification (once); its page's path."""
    path = path_of(kind, subject_id)
    await connection.execute(_RECORD, dealer_id, kind, subject_id, path, json.dumps(summary, default=str))
    return path


async def _transfer(connection, kind: str, payload: dict) -> tuple[int, int, dict, dict] | None:
    row = await connection.fetchrow(_TRANSFER, int(payload["transfer_id"]))
    side, still = _TRANSFER_KINDS[kind]
    if row is None or row["status"] not in still:
        return None
    transfer = dict(row)
    other = "requester" if side == "supplier" else "supplier"
    summary = {"part_number": transfer["part_number"], "quantity": transfer["quantity"],
               "dealer": transfer[f"{other}_code"], "dealer_name": transfer[f"{other}_name"]}
    return transfer[side], transfer["id"], summary, {"transfer": transfer}


async def _order(connection, kind: str, payload: dict) -> tuple[int, int, dict, dict] | None:
    row = await connection.fetchrow(_ORDER, int(payload["order_id"]))
    if row is None or row["status"] not in ("unconfirmed", "placed", "ready_for_pickup"):
        return None
    order = dict(row)
    if kind == "order.new" and order["status"] == "unconfirmed":
        return None
    # A new order is its pickup point's dealer's; an offered one the dealer it is offered to.
    dealer = int(payload["dealer_id"]) if kind == "order.offered" else order["dealer"]
    return dealer, order["id"], {"lines": order["lines"], "point": order["point_name"]}, {"order": order}


_NEED = """
SELECT n.id, p.part_number, p.description, n.quantity FROM urgent_need n JOIN part p ON p.id = n.part WHERE n.id = $1
"""


async def _need(connection, kind: str, payload: dict) -> tuple[int, int, dict, dict] | None:
    need = {"id": int(payload["need_id"]), "part_number": "", "description": "", "quantity": None}
    # The routing branch's table: read when it is there (its columns as that branch names them).
    if await connection.fetchval("SELECT to_regclass('urgent_need') IS NOT NULL"):
        try:
            async with connection.transaction():  # a savepoint: a failed read must not spoil the delivery's
                row = await connection.fetchrow(_NEED, need["id"])
        except asyncpg.PostgresError:  # another shape than expected: the mail goes without the part
            row = None
        if row is not None:
            need.update(dict(row))
    summary = {k: need[k] for k in ("part_number", "quantity") if need[k]}
    return int(payload["dealer_id"]), need["id"], summary, {"need": need}


_READERS = {"transfer": _transfer, "order": _order, "urgent_need": _need}


async def notify(connection, topic: str, payload: dict) -> tuple[str, int, str, dict] | None:
    """Record the notification a message brings: (kind, dealer, path, template values), or None
    when its subject has moved on."""
    kind = TOPIC_KINDS[topic]
    found = await _READERS[kind.partition(".")[0]](connection, kind, payload)
    if found is None:
        return None
    dealer_id, subject_id, summary, values = found
    path = await record(connection, dealer_id, kind, subject_id, summary)
    return kind, dealer_id, path, values


async def compose_notification(connection, topic: str, payload: dict) -> Letter | None:
    """The outbox composer of this domain's topics."""
    if topic == "urgent_need.posted":
        for dealer_id in payload.get("dealer_ids") or []:
            await emit("notification.urgent_need", {"need_id": payload["need_id"], "dealer_id": int(dealer_id)})
        return None
    if topic == "notification.digest":
        return await compose_digest(connection, payload)
    notified = await notify(connection, topic, payload)
    if notified is None:
        return None
    kind, dealer_id, path, values = notified
    to = await recipients(connection, dealer_id, kind)
    if not to:
        return None  # listed in the app all the same
    return Letter(to=to, template=f"notify_{kind.replace('.', '_')}", values={**values, "link": link_of(path)})


_DIGEST_USER = """
SELECT u.id, u.name, u.email, u.dealer, p.kinds FROM network_user u JOIN notification_preference p ON p."user" = u.id
WHERE u.id = $1 AND u.active AND p.digest AND u.dealer IS NOT NULL
"""
_DIGEST_ITEMS = """
SELECT n.kind, n.subject_id, n.link, n.summary, n.created_at FROM notification n
WHERE n.dealer = $1 AND n.kind = ANY($2::text[]) AND n.created_at >= $3 AND n.created_at < $4 ORDER BY n.id
"""


def digest_window(day) -> tuple[datetime, datetime]:
    """The day before ``day``'s digest hour up to it, Rome time."""
    until = datetime.combine(day, DIGEST_HOUR, tzinfo=ROME)
    return until - timedelta(days=1), until


async def compose_digest(connection, payload: dict) -> Letter | None:
    """One user's daily mail of low-priority notifications; None when there were none."""
    user = await connection.fetchrow(_DIGEST_USER, int(payload["user_id"]))
    if user is None:
        return None
    kinds = json.loads(user["kinds"]) if isinstance(user["kinds"], str) else user["kinds"]
    wanted = [kind for kind in LOW_PRIORITY if kind in kinds]
    since, until = digest_window(datetime.fromisoformat(payload["day"]).date())
    items = [dict(r) for r in await connection.fetch(_DIGEST_ITEMS, user["dealer"], wanted, since, until)]
    if not items:
        return None
    for item in items:
        item["summary"] = json.loads(item["summary"]) if isinstance(item["summary"], str) else item["summary"]
        item["label_it"], item["label_en"] = KINDS[item["kind"]]
        item["url"] = link_of(item["link"])
    return Letter(to=(Recipient(user["name"] or "", user["email"]),), template="notify_digest",
                  values={"items": items, "since": since, "until": until})


#: Every topic this domain's composer mails.
NOTIFICATION_TOPICS = frozenset(TOPIC_KINDS) - {"order.new"} | {"urgent_need.posted", "notification.digest"}
