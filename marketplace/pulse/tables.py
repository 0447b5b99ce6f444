"""The network pulse's own records: phone orders a dealer logs, and the monthly aged-stock snapshot."""

from piccolo.columns import JSONB, ForeignKey, Integer, Numeric, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Unique
from piccolo.table import Table

from marketplace.accounts.tables import User
from marketplace.network.tables import Dealer


class PhoneOrder(Table):
    """A part line a dealer ordered from another dealer by phone, logged in one click from the search
    page: the portal's share of the dealer's inter-dealer purchases is measured against these."""

    dealer = ForeignKey(references=Dealer, on_delete=OnDelete.cascade)
    user = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, default=None)
    number = Varchar(length=64, default="")  # normalized; empty when not given
    at = Timestamptz(default=TimestamptzNow())


class AgedStockSnapshot(Table):
    """A dealer's aged stock at the end of a month (``period`` YYYY-MM), at unit cost: what the feeds
    showed then, kept so the trend is history rather than a recomputation from today's rows."""

    dealer = ForeignKey(references=Dealer, on_delete=OnDelete.cascade)
    period = Varchar(length=7)
    units_9 = Integer()  # no movement for 9 months or more
    value_9 = Numeric(digits=(14, 2))
    units_12 = Integer()  # 12 months or more (the figure the pulse calls aged)
    value_12 = Numeric(digits=(14, 2))
    taken_at = Timestamptz(default=TimestamptzNow())

    one_per_dealer_and_month = Unique([dealer, period])


class PulseRollup(Table):
    """One month's figures for one scope (``network`` or ``dealer:<id>``), as ``kpis.compute`` gave
    them: the dashboard and the scorecards read these; the open month is refreshed every few minutes."""

    period = Varchar(length=7)
    scope = Varchar(length=40)
    figures = JSONB()
    refreshed_at = Timestamptz(default=TimestamptzNow())

    one_per_scope = Unique([period, scope])
