"""The network's logo: an uploaded image (PNG, JPEG, GIF or WebP, at most 256 KB), served at /logo
and shown in every page's header; kept in memory per process, dropped on a change everywhere."""

from __future__ import annotations

from dataclasses import dataclass

from marketplace.caches import Snapshot
from marketplace.errors import Invalid
from marketplace.network.tables import NetworkLogo

MAX_BYTES = 256 * 1024
REFRESH_SECONDS = 3600.0
# What the file starts with decides its type, never its name or what the browser says. No SVG: it
# can carry script.
_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF87a", "image/gif"),
               (b"GIF89a", "image/gif"))


@dataclass(frozen=True, slots=True)
class Logo:
    data: bytes
    content_type: str
    version: str  # changes with the image: the header's link, so browsers may keep it long


def image_type(data: bytes) -> str:
    """The image type of ``data`` by its first bytes, or Invalid."""
    if not data:
        raise Invalid("choose an image file", "logo")
    if len(data) > MAX_BYTES:
        raise Invalid(f"the logo is at most {MAX_BYTES // 1024} KB", "logo")
    for signature, content_type in _SIGNATURES:
        if data.startswith(signature):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    raise Invalid("the logo must be a PNG, JPEG, GIF or WebP image", "logo")


async def _load() -> Logo | None:
    row = await NetworkLogo.select().order_by(NetworkLogo.id, ascending=False).first()
    if row is None:
        return None
    return Logo(bytes(row["data"]), row["content_type"], str(int(row["updated_at"].timestamp())))


_LOGO: Snapshot[Logo | None] = Snapshot("network_logo", _load, REFRESH_SECONDS)


async def current_logo() -> Logo | None:
    return await _LOGO.get()


async def set_logo(data: bytes) -> None:
    content_type = image_type(data)
    async with NetworkLogo._meta.db.transaction():
        await NetworkLogo.delete(force=True)
        await NetworkLogo.insert(NetworkLogo(content_type=content_type, data=data))
    _LOGO.forget()


async def remove_logo() -> None:
    await NetworkLogo.delete(force=True)
    _LOGO.forget()
