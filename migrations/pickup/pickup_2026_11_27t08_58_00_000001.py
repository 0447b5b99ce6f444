from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T08:58:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "pickup point checks"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pickup", description=DESCRIPTION)

    async def raw():
        engine = engine_finder()
        for statement in (
            "ALTER TABLE pickup_point ADD CONSTRAINT pickup_point_model CHECK (model IN ('basic', 'cross_selling', 'logistics_hub', 'digital_showroom'))",
            'ALTER TABLE pickup_point ADD CONSTRAINT pickup_point_numbers CHECK (lead_time_minutes >= 0 AND daily_capacity >= 0 AND (fee_per_parcel IS NULL OR fee_per_parcel >= 0) AND (commission_pct IS NULL OR commission_pct BETWEEN 0 AND 100))',
            'ALTER TABLE pickup_point ADD CONSTRAINT pickup_point_coordinates CHECK (lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180)',
        ):
            await engine.run_ddl(statement)

    manager.add_raw(raw)

    return manager
