"""The demo's counter extras: the network's logo in the header (issue 15). Words, suggestions,
lists and the reorder history need nothing more than the demo's catalog, stock and year of history."""

from __future__ import annotations

import struct
import zlib

from marketplace.network.logo import set_logo

# 8x8 pixels per cell: a gear-like mark in the header's colours, drawn as a tiny bitmap.
_MARK = ("..####..", ".######.", "##.##.##", "###..###", "###..###", "##.##.##", ".######.", "..####..")


def demo_logo_png(scale: int = 4) -> bytes:
    """A small PNG (32 x 32) made here, so the demo needs no file and nothing from the internet."""
    gold, white = b"\xf2\xa9\x00\xff", b"\x00\x00\x00\x00"
    rows = []
    for line in _MARK:
        row = b"".join((gold if cell == "#" else white) * scale for cell in line)
        rows.extend([b"\x00" + row] * scale)
    size = len(_MARK) * scale

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows)))
            + chunk(b"IEND", b""))


async def seed_counter() -> None:
    await set_logo(demo_logo_png())
