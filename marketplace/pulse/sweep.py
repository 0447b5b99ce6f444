"""The pulse's part of the sweeper's pass: at the month's change the aged-stock snapshot and the
monthly reports; every few minutes the open month's rollup."""

from __future__ import annotations

from datetime import datetime, timezone

from marketplace.pulse.report import emit_monthly_reports
from marketplace.pulse.rollup import refresh_due
from marketplace.pulse.snapshots import snapshot_closed_month


async def tick(now: datetime | None = None) -> dict[str, int]:
    """One pass: what it did (snapshots taken, rollup rows written, reports queued)."""
    now = now or datetime.now(timezone.utc)
    snapshots = await snapshot_closed_month(now)  # before the rollup: the closed month reads its snapshot
    rolled = await refresh_due(now)
    reports = await emit_monthly_reports(now)
    return {"snapshots": snapshots, "rollup_rows": rolled, "reports": reports}
