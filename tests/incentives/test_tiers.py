"""Tiers: the tier at a date (history), the rule's proposal, the targets the agents read."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from marketplace.errors import Invalid, NotFound
from marketplace.incentives.rules import rules_at
from marketplace.incentives.tiers import propose_from, set_tier, targets_missed, tier_of, tiers_at
from tests.incentives.example import at, build_month


async def test_the_tier_at_a_date_follows_its_history():
    p = await build_month()
    d15 = p["D0015"].id
    await set_tier(d15, "urban", "user:boss", "cresciuto", at=at(1, 11))
    assert await tier_of(d15) == "urban"
    assert (await tiers_at(at(31, 10)))[d15] == "provincial"  # before the change: the tier it had
    assert (await tiers_at(at(2, 11)))[d15] == "urban"
    with pytest.raises(Invalid):
        await set_tier(d15, "urban", "user:boss")  # the same tier again
    with pytest.raises(NotFound):
        await tier_of(999_999)


async def test_the_proposal_rule():
    rules = await rules_at()
    assert propose_from(20, 100, Decimal("0"), rules).tier == "new"
    assert propose_from(400, 2000, Decimal("0"), rules).tier == "distributor"
    assert propose_from(400, 300, Decimal("1200.00"), rules).tier == "urban"
    proposal = propose_from(400, 300, Decimal("150.00"), rules)
    assert proposal.tier == "provincial" and "150.00" in proposal.reason


async def test_targets_missed_for_the_agents():
    p = await build_month()
    assert await targets_missed(p["D0011"].id, "2026-10") == []  # 5,119.20 over the first threshold
    assert await targets_missed(p["D0012"].id, "2026-10") == []  # 3,760.00 over 2,000.00
    [missed] = await targets_missed(p["D0013"].id, "2026-10")  # a distributor buying nothing through the portal
    assert (missed.target, missed.goal, missed.missing) == ("online_volume", Decimal("1000.00"), Decimal("1000.00"))
    [missed] = await targets_missed(p["D0015"].id, "2026-10")
    assert missed.target == "portal_use" and missed.message.startswith("nessun acquisto")
    assert await targets_missed(p["D0012"].id, "2026-09") != []  # nothing in September
    with pytest.raises(Invalid):
        await targets_missed(p["D0012"].id, "2026-9")
    assert datetime.now(timezone.utc) - timedelta(days=1) < datetime.now(timezone.utc)
