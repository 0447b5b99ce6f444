"""One parser for typed numbers: decimal comma or point, never exponent notation or NaN."""

from decimal import Decimal

import pytest

from marketplace.decimal_input import NotADecimal, parse_decimal
from marketplace.errors import Invalid


@pytest.mark.parametrize("text, expected", [
    ("12,5", Decimal("12.50")), ("12.50", Decimal("12.50")), (" 7 ", Decimal("7.00")), (3, Decimal("3.00")),
    (Decimal("4.1"), Decimal("4.10")), (2.25, Decimal("2.25")),
])
def test_plain_numbers_with_a_comma_or_a_point(text, expected):
    assert parse_decimal(text, "price", high=1000) == expected


def test_grouping_and_currency_when_asked():
    assert parse_decimal("€ 1.234,56", "price", high=10**6, grouping=True, currency=True) == Decimal("1234.56")
    assert parse_decimal("1,234.56", "price", high=10**6, grouping=True) == Decimal("1234.56")


@pytest.mark.parametrize("value, words", [
    ("1e300", "exponent"), ("1E2", "exponent"), (Decimal("1E+300"), "exponent"), (1e300, "exponent"),
    ("NaN", "not a number"), ("Infinity", "not a number"), ("inf", "not a number"), (float("nan"), "not a number"),
    ("-1", "negative"), ("100.01", "from 0"), ("1.234", "two decimals"), ("", "empty"), ("١٢", "not a number"),
    (True, "not a number"),
])
def test_refusals_name_the_field(value, words):
    with pytest.raises(NotADecimal) as refused:
        parse_decimal(value, "discount_pct", high=100)
    assert refused.value.field == "discount_pct" and words in refused.value.message
    assert isinstance(refused.value, Invalid) and isinstance(refused.value, ValueError)


def test_the_five_callers_share_it():
    from marketplace.inventory import feed_values
    from marketplace.network.pages import _rules_from_form
    from marketplace.pickup.payment import amount_from_text
    from marketplace.settlement.rules import _value
    from marketplace.web.forms import optional_decimal

    settings = {"stale_feed_hours": "48", "transfer_sla_hours": "4", "transfer_discount_pct": "1e2"}
    for call in (lambda: _rules_from_form(settings), lambda: amount_from_text("1e2"),
                 lambda: optional_decimal({"fee": "1e2"}, "fee", Decimal(100)), lambda: _value({"x": "1e2"}, "x")):
        with pytest.raises(Invalid, match="exponent"):
            call()
    with pytest.raises(ValueError, match="transfer_price: .*exponent"):
        feed_values.amount("1e300", "transfer_price")
