"""The record of what dealers search for: one row per part line of every network search.

``search.search`` records every search here, whatever the entry point (the search page, the API, a
pasted list); ``transfers.request_transfer`` links a request to the search it came from. The network
pulse (``pulse/kpis.py``) reads the rows: the portal time of a request, and the demand a dealer
could not meet from its own shelf (the fill rate's lines, misses included).
"""

from __future__ import annotations

from datetime import datetime

LINK_WINDOW_HOURS = 24  # a request links to the requester's latest search for the part within this many hours

_RECORD = """
INSERT INTO search_line (dealer, "user", number, part, parts, quantity, own_available, found, at)
SELECT $1, $2, u.number, u.part, coalesce(string_to_array(nullif(u.parts, ''), ',')::int[], '{}'), $3,
       u.own_available, u.found, $4
FROM unnest($5::text[], $6::int[], $7::text[], $8::int[], $9::bool[]) AS u(number, part, parts, own_available, found)
"""


async def record(connection, dealer_id: int, user_id: int | None, quantity: int, at: datetime,
                 lines: list[tuple[str, int | None, tuple[int, ...], int, bool]]) -> None:
    """Record a search's lines: (normalized number, newest part id or None, chain's part ids, own
    available, found in the network) each."""
    if not lines:
        return
    await connection.execute(
        _RECORD, dealer_id, user_id, quantity, at, [line[0][:64] for line in lines], [line[1] for line in lines],
        [",".join(map(str, line[2])) for line in lines], [line[3] for line in lines], [line[4] for line in lines])


_LINK = f"""
UPDATE transfer SET search_line = (
    SELECT s.id FROM search_line s
    WHERE s.dealer = $2 AND s.at <= $4 AND s.at > $4 - interval '{LINK_WINDOW_HOURS} hours' AND $3 = ANY (s.parts)
    ORDER BY s.at DESC LIMIT 1)
WHERE id = $1
"""


async def link_request(connection, transfer_id: int, requester_id: int, part_id: int, at: datetime) -> None:
    """Link a new request to the requester's latest search listing the part (any number of its
    chain) within a day before it; none leaves it unlinked (a request made without searching)."""
    await connection.execute(_LINK, transfer_id, requester_id, part_id, at)
