"""The geocoder's memory: online answers (and misses) by provider and query."""

from piccolo.columns import DoublePrecision, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Unique
from piccolo.table import Table


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
