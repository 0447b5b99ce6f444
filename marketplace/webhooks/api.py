"""JSON API: webhook endpoints (dealer admins for their dealer, the network for all), their
delivery log and replays."""

from __future__ import annotations

from litestar import Controller, Request, delete, get, post
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from marketplace.accounts.auth import dealer_admin_or_manager
from marketplace.webhooks.endpoints import (
    delete_endpoint,
    deliveries,
    enable,
    get_endpoint,
    list_endpoints,
    register,
    replay,
    rotate_secret,
)
from marketplace.webhooks.schemas import DeliveryOut, DeliveryPage, WebhookCreatedOut, WebhookIn, WebhookOut


class WebhookApi(Controller):
    path = "/api/v1/webhooks"
    guards = [dealer_admin_or_manager]
    tags = ["webhooks"]

    @post("/", status_code=HTTP_201_CREATED)
    async def create(self, request: Request, data: WebhookIn) -> WebhookCreatedOut:
        """Register an endpoint for some events; the answer holds its ``whsec_`` secret, shown this once.

        The URL must be ``https://`` to a public address (422 naming ``url`` otherwise). A dealer's
        endpoint hears of that dealer's events only; the network's of every event.
        """
        created = await register(request.user, data.url, data.events, data.description)
        return WebhookCreatedOut(created.id, created.url, created.events, created.secret)

    @get("/")
    async def list_webhooks(self, request: Request) -> list[WebhookOut]:
        return [WebhookOut.of(row) for row in await list_endpoints(request.user)]

    @get("/{webhook_id:int}")
    async def read(self, request: Request, webhook_id: int) -> WebhookOut:
        return WebhookOut.of(await get_endpoint(request.user, webhook_id))

    @delete("/{webhook_id:int}", status_code=HTTP_204_NO_CONTENT)
    async def remove(self, request: Request, webhook_id: int) -> None:
        await delete_endpoint(request.user, webhook_id)

    @post("/{webhook_id:int}/rotate-secret", status_code=HTTP_200_OK)
    async def rotate(self, request: Request, webhook_id: int) -> WebhookCreatedOut:
        """A new secret; for 24 hours deliveries carry a second signature made with the old one."""
        rotated = await rotate_secret(request.user, webhook_id)
        return WebhookCreatedOut(rotated.id, rotated.url, rotated.events, rotated.secret)

    @post("/{webhook_id:int}/enable", status_code=HTTP_200_OK)
    async def enable(self, request: Request, webhook_id: int) -> WebhookOut:
        """Send again to an endpoint disabled by a 410 Gone."""
        await enable(request.user, webhook_id)
        return WebhookOut.of(await get_endpoint(request.user, webhook_id))

    @get("/{webhook_id:int}/deliveries")
    async def deliveries(self, request: Request, webhook_id: int, failures: bool = False) -> DeliveryPage:
        """The latest 50 deliveries, newest first; ``failures=true`` for the failed and retrying ones."""
        rows = await deliveries(request.user, webhook_id, failures_only=failures)
        return DeliveryPage(items=[DeliveryOut.of(row) for row in rows])

    @post("/{webhook_id:int}/deliveries/{delivery_id:int}/replay", status_code=HTTP_202_ACCEPTED)
    async def replay(self, request: Request, webhook_id: int, delivery_id: int) -> DeliveryOut:
        """Send a delivery again (same ``webhook-id`` and body) at the next sweep."""
        return DeliveryOut.of(await replay(request.user, webhook_id, delivery_id))
