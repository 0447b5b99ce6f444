"""Zone agents: which dealers each coaches, what it did for them, and the adoption bonus rule."""

from decimal import Decimal

from piccolo.columns import JSONB, Date, ForeignKey, Integer, Numeric, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Unique
from piccolo.table import Table

from marketplace.accounts.tables import User
from marketplace.network.tables import Dealer


class AgentProvince(Table):
    """Every dealer of the province is the agent's (today's and tomorrow's)."""

    agent = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    province = Varchar(length=2)
    assigned_at = Timestamptz(default=TimestamptzNow())

    one_per_agent = Unique([agent, province])


class AgentDealer(Table):
    """A dealer hand-picked for the agent (besides its provinces')."""

    agent = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    dealer = ForeignKey(references=Dealer, on_delete=OnDelete.cascade, index=True)
    assigned_at = Timestamptz(default=TimestamptzNow())

    one_per_agent = Unique([agent, dealer])


class AgentAction(Table):
    """The audit log: one thing an agent did acting for a dealer."""

    at = Timestamptz(default=TimestamptzNow())
    agent = ForeignKey(references=User, on_delete=OnDelete.restrict)
    dealer = ForeignKey(references=Dealer, on_delete=OnDelete.restrict)
    action = Varchar(length=40)
    subject = Varchar(length=300, default="")
    detail = JSONB(default={})


class AgentBonusRule(Table):
    """One version of the adoption bonus rule (docs/agents.md); a month uses the version in force
    on its first day, and the report names it."""

    version = Integer(unique=True)
    effective_from = Date()
    per_active_dealer = Numeric(digits=(12, 2), default=Decimal("20.00"))
    per_hour_saved = Numeric(digits=(12, 2), default=Decimal("2.00"))
    share_floor_pct = Numeric(digits=(5, 2), default=Decimal("50.00"))
    per_share_point = Numeric(digits=(12, 2), default=Decimal("5.00"))
    cap = Numeric(digits=(12, 2), default=Decimal("1000.00"))
    created_by = Varchar(length=300, default="system")
    created_at = Timestamptz(default=TimestamptzNow())
