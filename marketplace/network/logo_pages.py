"""The network's logo: served to everyone, changed by the network's managers on the settings page."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect

from marketplace.accounts.auth import PUBLIC, manager_only
from marketplace.errors import Invalid, NotFound
from marketplace.network.logo import MAX_BYTES, current_logo, remove_logo, set_logo


@get("/logo", opt=PUBLIC, include_in_schema=False)
async def logo_image() -> Response[bytes]:
    logo = await current_logo()
    if logo is None:
        raise NotFound("no logo", "logo")
    return Response(logo.data, media_type=logo.content_type,
                    headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"})


class LogoPages(Controller):
    path = "/network/logo"
    guards = [manager_only]
    include_in_schema = False

    @post("/")
    async def upload(self, request: Request) -> Redirect:
        form = await request.form()
        upload = form.get("logo")
        if not isinstance(upload, UploadFile):
            raise Invalid("choose an image file", "logo")
        await set_logo(await upload.read(MAX_BYTES + 1))
        return Redirect("/network/settings?saved=1", status_code=303)

    @post("/remove")
    async def remove(self) -> Redirect:
        await remove_logo()
        return Redirect("/network/settings?saved=1", status_code=303)
