"""The geo app's tables: the geocoder's memory and the dealers' territories."""

from enum import Enum

from piccolo.columns import (
    JSONB,
    Array,
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Unique
from piccolo.table import Table

from marketplace.network.tables import Dealer


class GeocodeCache(Table):
    provider = Varchar(length=32)
    # The casefolded one-line query, so "VIA ROMA" and "Via Roma" share an answer.
    query = Varchar(length=500)
    # Both null: the provider found nothing (a miss, asked again after a while).
    lat = DoublePrecision(null=True, default=None)
    lon = DoublePrecision(null=True, default=None)
    # What the provider called the place, for checking a surprising answer by eye.
    address = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())

    # One answer per (provider, query); the upsert in geocoder.py targets it. Piccolo >= 1.36
    # expresses composite constraints, so auto migrations create it. The attribute is the
    # constraint's name, spelled as PostgreSQL would: its index shares a schema-wide namespace.
    geocode_cache_provider_query_key = Unique([provider, query])


class TerritoryKind(str, Enum):
    postal_codes = "postal_codes"
    polygon = "polygon"


class Territory(Table):
    """An area a dealer answers for: a set of CAPs (or CAP prefixes) or a polygon, over dates.

    Exclusive territories never overlap on any day (checked on save, see territories.py);
    shared ones may overlap anything.
    """

    # Dealers are deactivated, never deleted: a territory's history must not vanish with one.
    dealer = ForeignKey(references=Dealer, on_delete=OnDelete.restrict, null=False)
    name = Varchar(length=200)
    exclusive = Boolean(default=True)
    kind = Varchar(length=16, choices=TerritoryKind)
    # Exact codes ("20121") or prefixes ("201*"), sorted; empty for a polygon.
    postal_codes = Array(base_column=Varchar(length=5), default=list)
    # GeoJSON Polygon/MultiPolygon in WGS84 (lon, lat); null for postal codes.
    geometry = JSONB(null=True, default=None)
    valid_from = Date(default=DateNow())
    # Null: open-ended. Both ends are inclusive.
    valid_to = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
