"""Offers and accepted transfers expire too, so a reservation is never held for ever.

An offer (fewer units or another part) not confirmed by the requester within the network's
answer SLA expires; an accepted transfer not shipped within the network's shipping deadline
(working days, default 2) expires. The hours are the working hours of the dealer who must act
(the requester confirms an offer, the supplier ships), its own closures left out. Either way the
supplier's stock is released. Each is counted from the transfer's last step (the offer, the
acceptance or the confirmation). A transfer agreed for a click-and-collect order is left alone:
the order's own expiry cancels it.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from marketplace.calendar import DAY_END, DAY_START, NO_CLOSURES, add_working_hours
from marketplace.inventory.reservations import release
from marketplace.matching.tables import Transfer, TransferStatus
from marketplace.matching.transfers import _record
from marketplace.network.closures import closures_for
from marketplace.network.rules import get_rules

WORKING_HOURS_A_DAY = DAY_END.hour - DAY_START.hour

# Oldest first. A working hour is at least an hour, so only rows this old can be due; a dealer's
# closures push its own deadlines later, so each candidate is checked.
_CANDIDATES = """
SELECT t.id, t.requester, t.supplier, t.part, t.quantity, t.updated_at FROM transfer t
WHERE t.status = $1 AND t.updated_at <= $2
  AND NOT EXISTS (SELECT 1 FROM order_line l WHERE l.transfer = t.id)
ORDER BY t.updated_at, t.id LIMIT $3 FOR UPDATE OF t SKIP LOCKED
"""


async def expire_stale_agreements(now: datetime | None = None, batch: int = 500) -> int:
    """Expire offers left unconfirmed and accepted transfers left unshipped; safe anywhere at once
    (SKIP LOCKED) and again (only rows still offered or accepted qualify)."""
    now = now or datetime.now(timezone.utc)
    rules = await get_rules()
    deadlines = {TransferStatus.offered: (rules.transfer_sla_hours, "not confirmed in time", "requester"),
                 TransferStatus.accepted: (rules.shipping_deadline_days * WORKING_HOURS_A_DAY, "not shipped in time",
                                           "supplier")}
    expired = 0
    async with Transfer._meta.db.transaction() as tx:
        connection = tx.connection
        for status, (hours, reason, party) in deadlines.items():
            # A working hour is at least an hour: nothing later than this can be due.
            rows = await connection.fetch(_CANDIDATES, status.value, now - timedelta(hours=hours), batch)
            closed = await closures_for(connection, {row[party] for row in rows},
                                        min((row["updated_at"].date() for row in rows), default=None))
            for row in rows:
                if add_working_hours(row["updated_at"], hours, closed.get(row[party], NO_CLOSURES)) > now:
                    continue
                await connection.execute("UPDATE transfer SET status = 'expired', updated_at = $2 WHERE id = $1",
                                         row["id"], now)
                await release(connection, row["supplier"], row["part"], row["quantity"])
                await _record(row["id"], "system", status.value, TransferStatus.expired.value, {"reason": reason})
                expired += 1
    return expired
