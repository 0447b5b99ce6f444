"""docs/integration.md's example payloads have the fields the events really carry, and its retry
schedule is the one delivery uses."""

import json
import re
from datetime import datetime, timedelta, timezone

from marketplace.db import raw_connection
from marketplace.settings import PROJECT_ROOT
from marketplace.settlement.tables import Settlement
from marketplace.webhooks.delivery import RETRY_DELAYS
from marketplace.webhooks.events import EVENTS, event_of
from tests.outbox.mail import place, stocked

DOC = (PROJECT_ROOT / "docs" / "integration.md").read_text()


def examples() -> dict[str, dict]:
    found = {}
    for block in re.findall(r"```json\n(.*?)```", DOC, re.S):
        example = json.loads(block)
        found[example["type"]] = example
    return found


def shape(value):
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return None


async def test_every_event_is_in_the_catalogue_and_the_schedule_is_as_written():
    for event in EVENTS:
        assert f"| `{event}` |" in DOC
    total = sum(RETRY_DELAYS, timedelta())
    assert total == timedelta(hours=71, minutes=36) and "71 h 36 min" in DOC
    assert len(RETRY_DELAYS) + 1 == 10 and "10 tries" in DOC


async def test_the_examples_have_the_real_fields(client, milano_point):
    from tests.matching.network import key_of, stock

    await stocked()
    await stock("MZ", "03L 115 562", 5, "9.90")
    order = await place(client, milano_point)
    transfer = await client.post("/api/v1/transfers", json={"supplier": "MZ", "part_number": "03L115562", "quantity": 1},
                                 headers={"Authorization": f"Bearer {await key_of('MI')}"})
    feed = await client.put("/api/v1/stock?mode=delta", content=b"part_number,quantity\n03L115562,7\n",
                            headers={"Authorization": f"Bearer {await key_of('MI')}", "Content-Type": "text/csv"})
    await Settlement.insert(Settlement(period="2026-10", status="approved", clearing="central"))
    docs = examples()
    async with raw_connection() as connection:
        real = {
            "transfer.requested": await event_of(connection, "transfer.requested", {"transfer_id": transfer.json()["id"]}),
            "order.placed": await event_of(connection, "order.new", {"order_id": order["id"]}),
            "feed.applied": await event_of(connection, "feed.applied", {"feed_id": feed.json()["feed_id"]}),
            "settlement.approved": await event_of(connection, "settlement.approved", {"period": "2026-10"}),
        }
    for event_type, event in real.items():
        body = json.loads(event.body(datetime.now(timezone.utc)))
        assert shape(body) == shape(docs[event_type]), event_type
