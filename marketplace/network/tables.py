"""The network directory: dealers."""

from enum import Enum

from piccolo.columns import Boolean, DoublePrecision, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Tier(str, Enum):
    """The brief's dealer kinds, each with its own incentive."""

    provincial = "provincial"
    urban = "urban"
    distributor = "distributor"
    new = "new"


class Dealer(Table):
    code = Varchar(length=16, unique=True, index=True)
    name = Varchar(length=200)
    address = Varchar(length=300, default="")
    postal_code = Varchar(length=5)
    city = Varchar(length=120)
    province = Varchar(length=2, default="")
    lat = DoublePrecision(null=True, default=None)
    lon = DoublePrecision(null=True, default=None)
    tier = Varchar(length=16, choices=Tier, default=Tier.urban)
    active = Boolean(default=True)
    is_central_warehouse = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
