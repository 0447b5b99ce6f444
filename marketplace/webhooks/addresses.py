"""Where a webhook may be sent: ``https://`` to a public address only.

An endpoint that named a loopback, private or link-local address would let whoever registers it
make the app post to the network it runs in (a database's admin page, the cloud's metadata
service). The host is resolved and every address it gives must be public, when registered and
again before each send (a name can be repointed later). ``MARKETPLACE_WEBHOOKS_ALLOW_INSECURE=1``
lifts both rules, for local integration testing (``marketplace demo`` sets it).
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
from urllib.parse import urlsplit

from marketplace.errors import Invalid

MAX_URL = 2000


def insecure_allowed() -> bool:
    return os.environ.get("MARKETPLACE_WEBHOOKS_ALLOW_INSECURE", "") in ("1", "true", "yes")


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast
                                 or ip.is_reserved or ip.is_unspecified)


def check_form(url: str) -> str:
    """The URL stripped, or Invalid("url") when it is not an http(s) URL with a host."""
    url = (url or "").strip()
    if not url or len(url) > MAX_URL:
        raise Invalid(f"a webhook URL has 1 to {MAX_URL} characters", "url")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        raise Invalid("not a URL", "url") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise Invalid("a webhook URL starts with https:// and names a host", "url")
    if parts.username or parts.password:
        raise Invalid("a webhook URL carries no user name or password: sign-in is the signature", "url")
    if parts.scheme != "https" and not insecure_allowed():
        raise Invalid("a webhook URL must use https://", "url")
    return url


async def check_destination(url: str) -> None:
    """Invalid("url") unless every address the URL's host resolves to is public (or insecure is allowed)."""
    if insecure_allowed():
        return
    host = urlsplit(url).hostname or ""
    port = urlsplit(url).port or 443
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Invalid(f"the host {host} cannot be resolved", "url") from None
    addresses = {info[4][0] for info in infos}
    if not addresses or not all(_public(address) for address in addresses):
        raise Invalid(f"the host {host} is not a public address (loopback, private and link-local are refused)", "url")


async def check_url(url: str) -> str:
    """The URL to register: its form, then where it leads."""
    url = check_form(url)
    await check_destination(url)
    return url
