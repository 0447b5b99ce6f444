"""The network's logo: uploaded by a manager, images only and bounded, shown in every page's header."""

import base64

from tests.conftest import csrf_token

# A 1x1 transparent PNG.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")


async def test_a_manager_uploads_the_logo_everyone_sees_it_and_only_images_are_taken(manager):
    assert (await manager.get("/logo")).status_code == 404
    token = await csrf_token(manager, "/network/settings")
    done = await manager.post("/network/logo", data={"_csrf_token": token}, files={"logo": ("logo.png", PNG, "image/png")})
    assert done.status_code == 303
    image = await manager.get("/logo")
    assert image.status_code == 200 and image.content == PNG and image.headers["content-type"] == "image/png"
    home = await manager.get("/network/settings")
    assert '<img src="/logo?v=' in home.text
    for name, data in (("evil.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
                       ("big.png", PNG + b"\0" * 300_000), ("empty.png", b"")):
        refused = await manager.post("/network/logo", data={"_csrf_token": token}, files={"logo": (name, data, "image/png")})
        assert refused.status_code == 422, name
    assert (await manager.get("/logo")).content == PNG  # unchanged
    gone = await manager.post("/network/logo/remove", data={"_csrf_token": token})
    assert gone.status_code == 303 and (await manager.get("/logo")).status_code == 404


async def test_only_managers_change_the_logo(clerk):
    token = await csrf_token(clerk, "/search")
    refused = await clerk.post("/network/logo", data={"_csrf_token": token}, files={"logo": ("logo.png", PNG, "image/png")})
    assert refused.status_code == 403


async def test_the_demo_seeds_a_logo_made_in_code(client):
    from marketplace.network.logo import image_type
    from marketplace.seed_counter import demo_logo_png, seed_counter

    assert image_type(demo_logo_png()) == "image/png"
    await seed_counter()
    shown = await client.get("/logo")
    assert shown.status_code == 200 and shown.content == demo_logo_png()
    login = await client.get("/login")
    assert '<img src="/logo?v=' in login.text
