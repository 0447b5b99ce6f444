"""The network catalog."""

from enum import Enum

from piccolo.columns import ForeignKey, Numeric, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Channel(str, Enum):
    physical_only = "physical_only"
    online = "online"


class Part(Table):
    part_number = Varchar(length=64)
    # Upper case with spaces, dashes, dots and slashes removed: what every lookup matches on.
    normalized = Varchar(length=64, unique=True, index=True)
    description = Text(default="")
    brand = Varchar(length=64, default="")
    category = Varchar(length=64, default="")
    list_price = Numeric(digits=(12, 2))
    map_price = Numeric(digits=(12, 2), null=True, default=None)
    channel = Varchar(length=16, choices=Channel, default=Channel.online)
    # Old -> new: this part is replaced by that one.
    superseded_by = ForeignKey(references="self", null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())
