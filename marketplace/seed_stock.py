"""Deterministic synthetic stock for a generated network: skewed holding, realistic aging."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from marketplace.seed_data import NetworkSeed

CENT = Decimal("0.01")
TRANSFER_FACTOR = Decimal("0.80")  # the network's default: list price minus 20%


@dataclass(frozen=True, slots=True)
class StockSeed:
    dealer_index: int
    part_index: int
    on_hand: int
    unit_cost: Decimal
    transfer_price: Decimal
    last_movement_date: date
    shared: bool


def holders_per_part(network: NetworkSeed, rows_per_dealer: int, rng: random.Random) -> list[int]:
    """How many dealers stock each part: proportional to its popularity, so the few popular parts
    sit at hundreds of dealers and the long tail at a handful or none."""
    dealers = len(network.dealers)
    total = sum(p.popularity for p in network.parts) or 1.0
    budget = dealers * rows_per_dealer
    counts = []
    for part in network.parts:
        expected = budget * part.popularity / total
        whole = int(expected)
        count = whole + (1 if rng.random() < expected - whole else 0)
        counts.append(min(dealers, count))
    return counts


def _age_days(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.6:
        return rng.randrange(0, 183)
    if roll < 0.8:
        return rng.randrange(183, 365)
    return rng.randrange(365, 1500)


def generate_stock(network: NetworkSeed, rows_per_dealer: int = 400, seed: int = 1,
                   today: date | None = None) -> Iterator[StockSeed]:
    """Stock rows, part by part; the same arguments always give the same rows."""
    rng = random.Random(f"stock:{seed}")
    today = today or date.today()
    dealers = len(network.dealers)
    counts = holders_per_part(network, rows_per_dealer, rng)
    for part_index, (part, holders) in enumerate(zip(network.parts, counts)):
        if not holders:
            continue
        quantity_scale = 1 + 4 * part.popularity
        for dealer_index in rng.sample(range(dealers), holders):
            list_price = part.list_price
            on_hand = 0 if rng.random() < 0.03 else max(1, int(rng.expovariate(1 / quantity_scale)) + 1)
            cost = (list_price * Decimal(rng.uniform(0.55, 0.72))).quantize(CENT, ROUND_HALF_UP)
            transfer = list_price * TRANSFER_FACTOR
            if rng.random() < 0.15:  # some dealers price their own transfers
                transfer *= Decimal(rng.uniform(0.9, 1.05))
            yield StockSeed(
                dealer_index=dealer_index, part_index=part_index, on_hand=on_hand, unit_cost=cost,
                transfer_price=max(cost, transfer.quantize(CENT, ROUND_HALF_UP)),
                last_movement_date=today - timedelta(days=_age_days(rng)), shared=rng.random() < 0.97,
            )
