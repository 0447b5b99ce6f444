"""The webhooks pages: a dealer admin registers an endpoint, sees its secret once, its failures and replays one."""

import re

from marketplace.accounts.tables import Role
from marketplace.webhooks.delivery import run_webhooks
from tests.conftest import csrf_token, make_user, sign_in
from tests.matching.network import build_network, key_of, stock


async def test_an_admin_registers_sees_failures_and_replays(client, insecure, receiver):
    await build_network()
    await stock("MZ", "03L 115 562", 5, "9.90")
    await make_user("admin@mz.example", Role.dealer_admin, "MZ")
    assert (await sign_in(client, "admin@mz.example")).status_code == 303
    token = await csrf_token(client, "/webhooks")

    refused = await client.post("/webhooks", data={"_csrf_token": token, "url": "ftp://x", "event:transfer.requested": "on"})
    assert refused.status_code == 422 and 'aria-invalid="true"' in refused.text

    created = await client.post("/webhooks", data={"_csrf_token": token, "url": receiver.url, "description": "DMS",
                                                   "event:transfer.requested": "on"})
    assert created.status_code == 201
    secret = re.search(r'value="(whsec_[^"]+)"', created.text).group(1)
    assert "Copia ora il segreto di firma" in created.text

    listing = await client.get("/webhooks")
    assert secret not in listing.text and receiver.url in listing.text

    key = await key_of("MI")
    response = await client.post("/api/v1/transfers", json={"supplier": "MZ", "part_number": "03L115562", "quantity": 1},
                                 headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 201
    receiver.status = 500
    await run_webhooks()
    endpoint_id = re.search(r'href="/webhooks/(\d+)"', listing.text).group(1)
    failures = await client.get(f"/webhooks/{endpoint_id}?failures=true")
    assert failures.status_code == 200 and "transfer.requested" in failures.text and "HTTP 500" in failures.text
    delivery_id = re.search(rf'/webhooks/{endpoint_id}/deliveries/(\d+)/replay', failures.text).group(1)
    details = await client.get(f"/webhooks/{endpoint_id}?delivery={delivery_id}")
    assert "HTTP 500" in details.text

    receiver.status = 204
    replayed = await client.post(f"/webhooks/{endpoint_id}/deliveries/{delivery_id}/replay", data={"_csrf_token": token})
    assert replayed.status_code == 303
    assert (await run_webhooks()).delivered == 1
    assert "consegnato" in (await client.get(f"/webhooks/{endpoint_id}")).text


async def test_staff_cannot_open_the_webhooks_page(clerk):
    assert (await clerk.get("/webhooks")).status_code in (302, 303, 403)
