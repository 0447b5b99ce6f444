"""What an order message tells: read at delivery time, so a late message shows the order as it is now.

The outbox payload holds only the order id; reading the rest here keeps the writers (placing an
order, marking it ready) free of any knowledge of the messages. The point and its dealer, the
lines' parts and the dealer's people are read by joins: reading is open to every domain.
"""

from __future__ import annotations

import json

_ORDER = """
SELECT o.id, o.status, o.customer_name, o.customer_email, o.customer_phone, o.pickup_code, o.token, o.total,
       o.created_at, o.hold_until, o.promised_for, o.confirm_token, o.confirm_by, o.confirmed_at,
       p.id AS point_id, p.name AS point_name, p.address AS point_address,
       p.postal_code AS point_postal_code, p.city AS point_city, p.opening_hours, p.dealer AS point_dealer,
       d.code AS dealer_code, d.name AS dealer_name
FROM customer_order o JOIN pickup_point p ON p.id = o.pickup_point JOIN dealer d ON d.id = p.dealer
WHERE o.id = $1
"""

_LINES = """
SELECT pa.part_number, pa.description, l.quantity, l.unit_price, l.transfer IS NOT NULL AS by_transfer,
       s.code AS source_code
FROM order_line l JOIN part pa ON pa.id = l.part JOIN dealer s ON s.id = l.source_dealer
WHERE l."order" = $1 ORDER BY pa.part_number
"""

# Store messages go to the people of the point's dealer: the directory keeps no dealer address.
_STAFF = """
SELECT email, name FROM network_user
WHERE dealer = $1 AND active AND role IN ('dealer_staff', 'dealer_admin') ORDER BY email
"""


async def order_facts(connection, order_id: int) -> dict | None:
    """The order, its pickup point and its lines; None when there is no such order."""
    row = await connection.fetchrow(_ORDER, order_id)
    if row is None:
        return None
    facts = dict(row)
    hours = facts["opening_hours"]
    facts["opening_hours"] = json.loads(hours) if isinstance(hours, str) else (hours or {})
    facts["lines"] = [dict(line) for line in await connection.fetch(_LINES, order_id)]
    return facts


async def store_recipients(connection, dealer_id: int) -> list[dict]:
    """The active staff and admins of a dealer: ``email`` and ``name``."""
    return [dict(row) for row in await connection.fetch(_STAFF, dealer_id)]
