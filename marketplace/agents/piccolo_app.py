from piccolo.conf.apps import AppConfig

from marketplace.agents.tables import AgentAction, AgentBonusRule, AgentDealer, AgentProvince
from marketplace.settings import MIGRATIONS_DIR

APP_CONFIG = AppConfig(
    app_name="agents",
    migrations_folder_path=str(MIGRATIONS_DIR / "agents"),
    table_classes=[AgentProvince, AgentDealer, AgentAction, AgentBonusRule],
    migration_dependencies=["marketplace.accounts.piccolo_app", "marketplace.network.piccolo_app"],
    commands=[],
)
