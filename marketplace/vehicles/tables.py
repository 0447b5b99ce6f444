"""The importer's vehicles and its catalog by vehicle: model -> group -> subgroup -> diagram -> callout rows."""

from piccolo.columns import (
    Array,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from marketplace.inventory.tables import Part


class VehicleModel(Table, tablename="vehicle_model"):
    """A model of the importer's brands ("Golf VIII"): the root of its catalog by vehicle."""

    name = Varchar(length=80, unique=True)
    manufacturer = Varchar(length=80, default="")


class Vehicle(Table, tablename="vehicle"):
    """The vehicle master: one row per VIN (no owner data)."""

    vin = Varchar(length=17, unique=True)
    model = ForeignKey(references=VehicleModel, on_delete=OnDelete.restrict)
    version = Varchar(length=120, default="")
    engine_code = Varchar(length=16, default="")
    model_year = Integer(null=True, default=None)
    build_date = Date(null=True, default=None)
    option_codes = Array(base_column=Varchar(length=16), default=list)
    updated_at = Timestamptz(default=TimestamptzNow())


class CatalogGroup(Table, tablename="vehicle_group"):
    """A group of a model's catalog ("Freni"), or a subgroup of one (``parent`` set)."""

    model = ForeignKey(references=VehicleModel, on_delete=OnDelete.cascade)
    parent = ForeignKey(references="CatalogGroup", null=True, default=None, on_delete=OnDelete.cascade)
    code = Varchar(length=32)
    name = Varchar(length=120)


class Diagram(Table, tablename="vehicle_diagram"):
    """An exploded view of a subgroup: a sanitized SVG whose callouts are ``<g data-ref="12">``."""

    subgroup = ForeignKey(references=CatalogGroup, on_delete=OnDelete.cascade)
    code = Varchar(length=32)
    name = Varchar(length=160)
    svg = Text()
    updated_at = Timestamptz(default=TimestamptzNow())


class CalloutPart(Table, tablename="vehicle_callout_part"):
    """One part row of a callout, with where it applies (empty: every vehicle of the model)."""

    diagram = ForeignKey(references=Diagram, on_delete=OnDelete.cascade)
    ref = Varchar(length=8)
    position = Integer(default=0)
    part = ForeignKey(references=Part, on_delete=OnDelete.restrict)
    quantity = Integer(default=1)
    note = Varchar(length=200, default="")
    year_from = Integer(null=True, default=None)
    year_to = Integer(null=True, default=None)
    engine_codes = Array(base_column=Varchar(length=16), default=list)
    option_codes = Array(base_column=Varchar(length=16), default=list)


class PlateLookup(Table, tablename="vehicle_plate_lookup"):
    """A plate provider's answer, kept 60 days: the plate and its VIN only, never the owner."""

    plate = Varchar(length=10, unique=True)
    vin = Varchar(length=17, null=True, default=None)  # None: the provider knows no vehicle with it
    provider = Varchar(length=32)
    looked_up_at = Timestamptz(default=TimestamptzNow())
