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

from marketplace import __version__, metrics, site
from marketplace.accounts import sign_in_pages
from marketplace.accounts.auth import PUBLIC, AuthenticationMiddleware
from marketplace.accounts.pages import ApiKeyPages, UserPages
from marketplace.badges import count_waiting_transfers
from marketplace.db import POOL_OPTIONS
from marketplace.geo.api import TerritoryApi
from marketplace.geo.pages import TerritoryPages
from marketplace.inventory.api import CatalogApi
from marketplace.inventory.pages import CatalogPages
from marketplace.inventory.stock_api import StockApi
from marketplace.inventory.stock_pages import StockPages
from marketplace.matching.api import NetworkSearchApi, TransferApi
from marketplace.matching.pages import SearchPages, TransferPages
from marketplace.network.api import DealerApi
from marketplace.network.billing_pages import BillingPages
from marketplace.network.pages import DealerPages, NetworkSettingsPages
from marketplace.notifications.pages import NotificationPages
from marketplace.outbox.pages import MailPages
from marketplace.pickup.api import OrderActionsApi, OrderApi, PickupApi
from marketplace.pickup.counter_pages import CounterPages, TerritoryOrderPages
from marketplace.pickup.pages import OwnPickupPointPages, PickupPointPages
from marketplace.pickup.shop_pages import ShopPages
from marketplace.pulse.api import KpisApi
from marketplace.settings import PACKAGE_DIR, TEMPLATES_DIR, get_settings
from marketplace.settlement.api import LedgerApi, SettlementApi
from marketplace.settlement.pages import CommissionPages, SettlementPages, StatementPages
from marketplace.sweeper import transfer_sweeper
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
    from marketplace.db import database_url

    async with listening(database_url()) as notices:
        app.state.cache_notices = notices
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

    return Litestar(
        route_handlers=[
            *site.ROUTES,
            *metrics.ROUTES,
            *sign_in_pages.ROUTES,
            DealerPages,
            BillingPages,
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
            SettlementApi,
            SettlementPages,
            StatementPages,
            LedgerApi,
            KpisApi,
            CommissionPages,
            TerritoryApi,
            TerritoryPages,
            PickupPointPages,
            OwnPickupPointPages,
            PickupApi,
            OrderApi,
            OrderActionsApi,
            ShopPages,
            CounterPages,
            TerritoryOrderPages,
            MailPages,
            WebhookApi,
            WebhookPages,
            NotificationPages,
            create_static_files_router(path="/static", directories=[STATIC_DIR], opt=PUBLIC, include_in_schema=False),
        ],
        before_send=[add_security_headers],
        middleware=[
            metrics.RequestMetrics,  # outermost: it times and counts what the others refuse too
            InputGuardMiddleware,
            DefineMiddleware(AuthenticationMiddleware, exclude=["^/static/", "^/schema"]),
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
        lifespan=[database_pool, cache_notices, transfer_sweeper] if own_pool else [],
        before_request=count_waiting_transfers,
        openapi_config=OpenAPIConfig(
            title="Dealer marketplace API",
            version=__version__,
            path="/schema",
            # The HTML renderers load their scripts from a CDN; pages must not reach the internet.
            render_plugins=[JsonRenderPlugin()],
        ),
        request_max_body_size=settings.max_upload_mb * 1024 * 1024,
        debug=settings.debug,
    )
