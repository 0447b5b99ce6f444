"""Demo data for notifications and webhooks: every demo dealer a notification address (so no
store's order mail is given up for lack of staff), a few notifications in the demo dealers' lists
from their history, and one webhook endpoint of the first demo dealer, down, with a delivery that
went through and one that failed (its page shows the failures and the replay button).

Seeding writes these tables directly, as the rest of the demo's seeding does (docs/architecture.md).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from marketplace.db import raw_connection
from marketplace.notifications.kinds import path_of
from marketplace.webhooks.events import event_of
from marketplace.webhooks.signing import new_salt

DEMO_ADDRESS = "ricambi.{code}@demo.example"
#: Nothing listens there: the demo's endpoint fails, as a DMS that is switched off would.
DEMO_WEBHOOK_URL = "http://127.0.0.1:9/dms/webhooks"

_LATEST = """
SELECT t.id, t.created_at, p.part_number, t.quantity, o.code AS other_code, o.name AS other_name
FROM transfer t JOIN part p ON p.id = t.part JOIN dealer o ON o.id = CASE WHEN $2 THEN t.requester ELSE t.supplier END
WHERE CASE WHEN $2 THEN t.supplier ELSE t.requester END = $1 ORDER BY t.created_at DESC LIMIT 3
"""


async def seed_notifications(demo_dealer_codes: list[str]) -> None:
    async with raw_connection() as c:
        await c.execute(
            "INSERT INTO notification_address (dealer, email) SELECT id, replace($1, '{code}', lower(code)) FROM dealer"
            " ON CONFLICT (dealer) DO NOTHING", DEMO_ADDRESS)
        dealers = await c.fetch("SELECT id, code FROM dealer WHERE code = ANY($1::text[]) ORDER BY code", demo_dealer_codes)
        for dealer in dealers:
            for kind, incoming in (("transfer.requested", True), ("transfer.shipped", False)):
                for row in await c.fetch(_LATEST, dealer["id"], incoming):
                    summary = {"part_number": row["part_number"], "quantity": row["quantity"],
                               "dealer": row["other_code"], "dealer_name": row["other_name"]}
                    await c.execute(
                        "INSERT INTO notification (dealer, kind, subject_id, link, summary, created_at)"
                        " VALUES ($1, $2, $3, $4, $5::jsonb, $6) ON CONFLICT DO NOTHING",
                        dealer["id"], kind, row["id"], path_of(kind, row["id"]), json.dumps(summary), row["created_at"])
        if dealers:
            await _demo_webhook(c, dealers[0]["id"])


async def _demo_webhook(c, dealer_id: int) -> None:
    now = datetime.now(timezone.utc)
    endpoint = await c.fetchval(
        "INSERT INTO webhook_endpoint (dealer, url, events, description, secret_salt, created_at, created_by)"
        " VALUES ($1, $2, $3::jsonb, $4, $5, $6, 'demo') RETURNING id", dealer_id, DEMO_WEBHOOK_URL,
        json.dumps(["transfer.requested", "transfer.received"]), "DMS di prova (spento)", new_salt(),
        now - timedelta(days=4))
    transfers = await c.fetch("SELECT id FROM transfer WHERE supplier = $1 OR requester = $1 ORDER BY created_at DESC"
                              " LIMIT 2", dealer_id)
    for index, transfer in enumerate(transfers):
        at = now - timedelta(days=3 - index)
        message_id = await c.fetchval(
            "INSERT INTO outbox_message (topic, payload, created_at, delivered_at) VALUES ($1, $2::jsonb, $3, $3)"
            " RETURNING id", "transfer.received", json.dumps({"transfer_id": transfer["id"], "to": "received"}), at)
        event = await event_of(c, "transfer.received", {"transfer_id": transfer["id"]})
        if event is None:
            continue
        await c.execute("INSERT INTO webhook_message (message_id, type, body, created_at) VALUES ($1, $2, $3, $4)",
                        message_id, event.type, event.body(at), at)
        if index == 0:  # went through, before the DMS was switched off
            delivery = await c.fetchval(
                "INSERT INTO webhook_delivery (endpoint, message_id, type, created_at, attempts, delivered_at, last_status)"
                " VALUES ($1, $2, $3, $4, 1, $4, 204) RETURNING id", endpoint, message_id, event.type, at)
            await c.execute("INSERT INTO webhook_attempt (delivery, at, status, duration_ms) VALUES ($1, $2, 204, 38)",
                            delivery, at)
        else:  # tried for three days, then given up
            delivery = await c.fetchval(
                "INSERT INTO webhook_delivery (endpoint, message_id, type, created_at, attempts, given_up_at, last_error)"
                " VALUES ($1, $2, $3, $4, 10, $5, $6) RETURNING id", endpoint, message_id, event.type, at,
                now - timedelta(hours=1), "ConnectError: [Errno 111] Connection refused")
            await c.execute("INSERT INTO webhook_attempt (delivery, at, error) VALUES ($1, $2, $3)",
                            delivery, now - timedelta(hours=1), "ConnectError: [Errno 111] Connection refused")
