"""Diagrams are user content: an SVG is parsed and re-written with safe elements and attributes only.

What is kept: shapes, groups, text, titles, and presentation attributes whose values hold no
``url(``, ``javascript:`` or ``expression(``. What goes: scripts, styles, links, images, foreign
objects, ``on*`` attributes, ``id`` and ``class`` (an inlined drawing must not restyle or shadow the
page), entities and doctypes (refused before parsing), text that is not UTF-8, anything namespaced
but the SVG namespace. The result is stored; pages inline it and ``/diagrams/{id}/svg`` serves it
as ``image/svg+xml`` with a CSP that runs nothing.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import escape

from marketplace.errors import Invalid

MAX_BYTES = 512 * 1024
SVG_NS = "http://www.w3.org/2000/svg"
_ELEMENTS = {"svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan",
             "title", "desc"}
_ATTRIBUTES = {
    "viewBox", "width", "height", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "d", "points",
    "fill", "stroke", "stroke-width", "stroke-linecap", "stroke-linejoin", "stroke-dasharray", "opacity",
    "fill-opacity", "stroke-opacity", "transform", "font-size", "font-family", "font-weight", "text-anchor",
    "dominant-baseline", "data-ref", "preserveAspectRatio",
}
_BAD_VALUE = re.compile(r"url\s*\(|javascript:|expression\s*\(|[<>]", re.IGNORECASE)
_REF = re.compile(r"^[A-Za-z0-9]{1,8}$")


def _local(tag: str) -> str | None:
    """The element's name when it is an SVG element (namespaced or not), else None."""
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return name if namespace == SVG_NS else None
    return tag


def sanitize_svg(data: bytes | str) -> str:
    """The SVG re-written with safe parts only; Invalid (field ``svg``) when it is not a usable SVG."""
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) > MAX_BYTES:
        raise Invalid(f"the SVG is larger than {MAX_BYTES // 1024} KB", "svg")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid("the SVG is not UTF-8 text", "svg") from None
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        raise Invalid("the SVG has a DOCTYPE or entities: save it as plain SVG", "svg")
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # parsed as the text it is, whatever encoding it claims
    try:
        root = ET.fromstring(text)
    except ET.ParseError as error:
        raise Invalid(f"the SVG is not well-formed XML: {error}", "svg") from None
    if _local(root.tag) != "svg":
        raise Invalid("the file is not an SVG (its root is not <svg>)", "svg")
    out: list[str] = []
    _emit(root, out, depth=0)
    return "".join(out)


def _emit(element: ET.Element, out: list[str], depth: int) -> None:
    name = _local(element.tag)
    if name not in _ELEMENTS or depth > 40:
        return
    attributes = []
    if name == "svg" and depth == 0:
        attributes.append(f'xmlns="{SVG_NS}"')
    for key, value in element.attrib.items():
        if key.startswith("{") or key not in _ATTRIBUTES or _BAD_VALUE.search(value):
            continue
        if key == "data-ref" and not _REF.match(value):
            continue
        attributes.append(f'{key}="{escape(value, quote=True)}"')
    out.append(f"<{name}{' ' if attributes else ''}{' '.join(attributes)}>")
    if element.text and name in ("text", "tspan", "title", "desc"):
        out.append(escape(element.text, quote=False))
    for child in element:
        _emit(child, out, depth + 1)
        if child.tail and name in ("text", "tspan"):
            out.append(escape(child.tail, quote=False))
    out.append(f"</{name}>")


def callout_refs(svg: str) -> list[str]:
    """The callouts an SVG draws (``<g data-ref="12">``), in drawing order."""
    return list(dict.fromkeys(re.findall(r'<g [^>]*data-ref="([A-Za-z0-9]{1,8})"', svg)))


def with_links(svg: str, link_of, current: str | None = None, title_of=None) -> str:
    """A sanitized SVG for a page: each callout wrapped in a link (``link_of(ref)``), so a click or
    Enter on it opens the callout without a script; the current one marked."""
    def wrap(match: re.Match) -> str:
        ref = match.group(2)
        href = escape(link_of(ref), quote=True)
        label = escape(title_of(ref) if title_of else ref, quote=True)
        mark = ' class="callout current"' if ref == current else ' class="callout"'
        return f'<a href="{href}" aria-label="{label}"{mark}>{match.group(1)}'

    # Each callout group is closed by its own </g>: callouts hold no nested groups after sanitizing
    # (the generator and importers draw them flat); a nested one keeps the link around its first part.
    linked = re.sub(r'(<g [^>]*data-ref="([A-Za-z0-9]{1,8})"[^>]*>)', wrap, svg)
    return _close_links(linked)


def _close_links(svg: str) -> str:
    """Close each opened callout link after the ``</g>`` that ends its group."""
    out, depth_stack = [], []
    tokens = re.split(r"(<a [^>]*>|<g[ >][^>]*>|<g>|</g>)", svg)
    for token in tokens:
        if token.startswith("<a "):
            out.append(token)
            depth_stack.append(0)
            continue
        if token.startswith("<g"):
            if depth_stack:
                depth_stack[-1] += 1
            out.append(token)
            continue
        if token == "</g>":
            out.append(token)
            if depth_stack:
                depth_stack[-1] -= 1
                if depth_stack[-1] == 0:
                    depth_stack.pop()
                    out.append("</a>")
            continue
        out.append(token)
    return "".join(out)
