"""The Litestar application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from jinja2 import Environment, FileSystemLoader
from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from marketplace import __version__, metrics, request_log, site
from marketplace.accounts import sign_in_pages
from marketplace.accounts.auth import PUBLIC, AuthenticationMiddleware
from marketplace.accounts.pages import ApiKeyPages, UserPages
from marketplace.agents.api import AgentApi
from marketplace.agents.pages import AgentManagerPages, AgentPages
from marketplace.agents.web_audit import AgentAuditMiddleware
from marketplace.badges import count_waiting_transfers
from marketplace.db import POOL_OPTIONS
from marketplace.geo.api import TerritoryApi
from marketplace.geo.pages import TerritoryPages
from marketplace.incentives.api import IncentivesApi
from marketplace.incentives.pages import IncentiveManagerPages, IncentivePages
from marketplace.inventory.api import CatalogApi
from marketplace.inventory.pages import CatalogPages
from marketplace.inventory.stock_api import StockApi
from marketplace.inventory.stock_pages import StockPages
from marketplace.matching.api import NetworkSearchApi, TransferApi
from marketplace.matching.counter_pages import HistoryPages
from marketplace.matching.ddt_pages import DdtPages
from marketplace.matching.pages import SearchPages, TransferPages
from marketplace.matching.urgent_api import UrgentNeedApi
from marketplace.matching.urgent_pages import UrgentNeedPages
from marketplace.network.api import DealerApi
from marketplace.network.billing_pages import BillingPages
from marketplace.network.closure_pages import ClosurePages
from marketplace.network.logo_pages import LogoPages, logo_image
from marketplace.network.pages import DealerPages, NetworkSettingsPages
from marketplace.notifications.pages import NotificationPages
from marketplace.outbox.pages import MailPages
from marketplace.pickup.api import OrderActionsApi, OrderApi, OrderOffersApi, PickupApi
from marketplace.pickup.counter_pages import CounterPages, TerritoryOrderPages
from marketplace.pickup.offer_pages import OfferPages
from marketplace.pickup.pages import OwnPickupPointPages, PickupPointPages
from marketplace.pickup.shop_pages import ShopPages
from marketplace.pulse.api import KpisApi
from marketplace.pulse.pages import PhoneOrderPages, PulsePages
from marketplace.settings import PACKAGE_DIR, TEMPLATES_DIR, get_settings
from marketplace.settlement.api import LedgerApi, SettlementApi
from marketplace.settlement.pages import CommissionPages, SettlementPages, StatementPages
from marketplace.sweeper import transfer_sweeper
from marketplace.vehicles.api import DiagramApi, VehicleApi
from marketplace.vehicles.pages import DiagramFiles, VehiclePages
from marketplace.vehicles.shop_pages import ShopVehiclePages
from marketplace.web.errors import EXCEPTION_HANDLERS
from marketplace.web.input_guard import InputGuardMiddleware
from marketplace.web.security_headers import add_security_headers
from marketplace.webhooks.api import WebhookApi
from marketplace.webhooks.pages import WebhookPages
from marketplace.wiring import connect_domains

STATIC_DIR = PACKAGE_DIR / "web" / "static"


@asynccontextmanager
async def database_pool(app: Litestar) -> AsyncIterator[None]:
    from marketplace.piccolo_conf import DB

    settings = get_settings()
    await DB.start_connection_pool(min_size=settings.pool_min_size, max_size=settings.pool_max_size, **POOL_OPTIONS)
    try:
        yield
    finally:
        await DB.close_connection_pool()


@asynccontextmanager
async def cache_notices(app: Litestar) -> AsyncIterator[None]:
    """One connection per process hears which caches other processes' changes dropped."""
    from marketplace.cache_notices import listening
    from marketplace.db import direct_database_url

    # LISTEN holds a session: past PgBouncer's transaction mode, straight to the primary.
    async with listening(direct_database_url()) as notices:
        app.state.cache_notices = notices
        yield


@asynccontextmanager
async def read_replicas(app: Litestar) -> AsyncIterator[None]:
    """The read paths' replica pools, when MARKETPLACE_READ_DATABASE_URL lists any (marketplace/replicas.py)."""
    from marketplace.replicas import reading_from_replicas

    async with reading_from_replicas() as replicas:
        app.state.replicas = replicas
        yield


def _templates() -> TemplateConfig:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return TemplateConfig(engine=JinjaTemplateEngine.from_environment(environment))


def create_app(*, own_pool: bool = True) -> Litestar:
    """The app; ``own_pool=False`` when the caller (a test) runs the connection pool itself."""
    settings = get_settings()
    import marketplace.piccolo_conf  # noqa: F401  (starts an embedded server before any loop runs)

    connect_domains()
    if own_pool:  # a serving process (the tests' app leaves their logging alone)
        request_log.configure(settings.log_format, settings.log_level)

    return Litestar(
        route_handlers=[
            *site.ROUTES,
            *metrics.ROUTES,
            *sign_in_pages.ROUTES,
            DealerPages,
            BillingPages,
            ClosurePages,
            DealerApi,
            UserPages,
            ApiKeyPages,
            CatalogPages,
            CatalogApi,
            StockPages,
            StockApi,
            NetworkSettingsPages,
            NetworkSearchApi,
            TransferApi,
            SearchPages,
            TransferPages,
            HistoryPages,
            LogoPages,
            logo_image,
            DdtPages,
            UrgentNeedPages,
            UrgentNeedApi,
            SettlementApi,
            SettlementPages,
            StatementPages,
            LedgerApi,
            KpisApi,
            PhoneOrderPages,
            PulsePages,
            CommissionPages,
            TerritoryApi,
            TerritoryPages,
            PickupPointPages,
            OwnPickupPointPages,
            PickupApi,
            OrderApi,
            OrderActionsApi,
            OrderOffersApi,
            OfferPages,
            ShopPages,
            CounterPages,
            TerritoryOrderPages,
            MailPages,
            VehiclePages, DiagramFiles, VehicleApi, DiagramApi, ShopVehiclePages,
            IncentivesApi, IncentivePages, IncentiveManagerPages,
            AgentPages, AgentManagerPages, AgentApi,
            WebhookApi,
            WebhookPages,
            NotificationPages,
            create_static_files_router(path="/static", directories=[STATIC_DIR], opt=PUBLIC, include_in_schema=False),
        ],
        before_send=[add_security_headers, request_log.unrouted],
        middleware=[
            metrics.RequestMetrics,  # outermost: it times and counts what the others refuse too
            request_log.RequestLog,  # the request id, and one log line per request
            InputGuardMiddleware,
            DefineMiddleware(AuthenticationMiddleware, exclude=["^/static/", "^/schema"]),
            AgentAuditMiddleware,  # inside authentication: it records what an agent acting for a dealer did
        ],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name="mk_csrf",
            cookie_secure=settings.cookie_secure,
            cookie_samesite="lax",
            exclude=["^/api/"],
        ),
        template_config=_templates(),
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[database_pool, read_replicas, cache_notices, transfer_sweeper] if own_pool else [],
        before_request=count_waiting_transfers,
        openapi_config=OpenAPIConfig(
            title="Dealer marketplace API",
            version=__version__,
            path="/schema",
            # The HTML renderers load their scripts from a CDN; pages must not reach the internet.
            render_plugins=[JsonRenderPlugin()],
        ),
        request_max_body_size=settings.max_upload_mb * 1024 * 1024,
        # A serving process's logging is request_log's alone (Litestar's default would add a second
        # root handler, in its own format); unhandled errors are logged by web/errors.server_error.
        **({"logging_config": None} if own_pool else {}),
        debug=settings.debug,
    )
