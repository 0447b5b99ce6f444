"""Splits add up to the cent, whatever the amount and the shares (property tests)."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.settlement.allocation import allocate, percent_of
from marketplace.settlement.ledger import Party, order_lines, transfer_lines
from marketplace.settlement.rules import Rules

amounts = st.integers(min_value=0, max_value=10**10).map(lambda c: Decimal(c) / 100)
weights = st.lists(st.integers(min_value=0, max_value=10**6).map(Decimal), min_size=1, max_size=30)
percents = st.integers(min_value=0, max_value=10000).map(lambda c: Decimal(c) / 100)


@given(amounts, weights)
def test_any_split_adds_up_to_the_total(total, shares):
    parts = allocate(total, shares)
    assert sum(parts) == total
    assert all(part == part.quantize(Decimal("0.01")) and part >= 0 for part in parts)
    if sum(shares):
        for part, share in zip(parts, shares):  # never more than a cent from the exact share
            assert abs(part - total * share / sum(shares)) < Decimal("0.01")


def test_the_leftover_cents_go_to_the_largest_remainders_ties_to_the_first():
    assert allocate(Decimal("10.00"), [Decimal(1)] * 3) == [Decimal("3.34"), Decimal("3.33"), Decimal("3.33")]
    assert allocate(Decimal("0.05"), [Decimal(2), Decimal(1)]) == [Decimal("0.03"), Decimal("0.02")]


def test_percent_rounds_half_a_cent_up():
    assert percent_of(Decimal("10.10"), Decimal("5")) == Decimal("0.51")  # 0.505
    assert percent_of(Decimal("10.30"), Decimal("5")) == Decimal("0.52")  # 0.515


def rules(**overrides) -> Rules:
    from datetime import datetime, timezone

    values = dict(version=1, effective_from=datetime(2026, 1, 1, tzinfo=timezone.utc), referral_pct=Decimal("5"),
                  pickup_fee=Decimal("0.80"), hub_pct=Decimal("6"), platform_fee_pct=Decimal("3"),
                  transfer_handling_fee=Decimal("2.00"))
    return Rules(**{**values, **overrides})


@settings(max_examples=300)
@given(st.lists(amounts.filter(lambda a: a > 0), min_size=1, max_size=5), st.booleans(),
       st.sampled_from(["basic", "cross_selling", "logistics_hub", "digital_showroom"]), percents, percents, percents)
def test_any_order_transaction_sums_to_zero(line_totals, owned, model, referral, platform, hub):
    total = sum(line_totals)
    fulfilment = [(Party(n + 1, f"D{n}"), value) for n, value in enumerate(line_totals)]
    lines = order_lines(total, fulfilment, Party(99, "OWN") if owned else None, Party(50, "PICK"), model,
                        rules(referral_pct=referral, platform_fee_pct=platform, hub_pct=hub))
    assert sum(line.amount for line in lines) == 0
    assert [l.amount for l in lines if l.kind == "customer_payment"] == [-total]


@given(st.integers(min_value=1, max_value=1000), amounts, amounts)
def test_any_transfer_transaction_sums_to_zero(quantity, price, fee):
    lines = transfer_lines(Party(1, "A"), Party(2, "B"), quantity, price, rules(transfer_handling_fee=fee))
    assert sum(line.amount for line in lines) == 0
