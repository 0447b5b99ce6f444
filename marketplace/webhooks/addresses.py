"""Where a webhook may be sent: ``https://`` to a public address only.

An endpoint that named a loopback, private or link-local address would let whoever registers it
make the app post to the network it runs in (a database's admin page, the cloud's metadata
service). The host is resolved and every address it gives must be public, when registered and
again when the sender connects: ``PinnedBackend`` resolves the name, checks the addresses and
connects to one of those very addresses, so a name repointed between the check and the connection
(DNS rebinding) cannot lead the post elsewhere; the Host header and TLS name stay the URL's.
``MARKETPLACE_WEBHOOKS_ALLOW_INSECURE=1`` lifts both rules, for local integration testing
(``marketplace demo`` sets it); a host that is not a well-formed name is refused even then.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
import typing
from urllib.parse import urlsplit

import httpcore
import httpx

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
    try:  # the host as the sender will encode it: a name with an empty or overlong label, a bad A-label...
        parsed = httpx.URL(url)
        parsed.host  # noqa: B018  (decodes its A-labels: raises on a malformed one)
        parsed.raw_host.decode("ascii").encode("idna")
    except (httpx.InvalidURL, UnicodeError, ValueError):
        raise Invalid("the URL's host is not a valid host name", "url") from None
    if parts.scheme != "https" and not insecure_allowed():
        raise Invalid("a webhook URL must use https://", "url")
    return url


async def check_destination(url: str) -> None:
    """Invalid("url") unless every address the URL's host resolves to is public (or insecure is allowed)."""
    if insecure_allowed():
        return
    await public_addresses(urlsplit(url).hostname or "", urlsplit(url).port or 443)


async def public_addresses(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to, or Invalid("url") unless there are some and all are public."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Invalid(f"the host {host} cannot be resolved", "url") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses or not all(_public(address) for address in addresses):
        raise Invalid(f"the host {host} is not a public address (loopback, private and link-local are refused)", "url")
    return addresses


class Refused(httpcore.ConnectError):
    """The sender would not connect: the host led to an address that is not public."""


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend for the sender: the name is resolved once, its addresses checked, and
    the connection made to a checked address (the TLS handshake still names the URL's host)."""

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: typing.Iterable | None = None) -> httpcore.AsyncNetworkStream:
        if insecure_allowed():
            return await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        try:
            addresses = await public_addresses(host, port)
        except Invalid as refused:
            raise Refused(f"refused: {refused.message}") from None
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
        raise failure  # type: ignore[misc]  (addresses is never empty)

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: typing.Iterable | None = None) -> httpcore.AsyncNetworkStream:
        raise Refused("refused: webhooks are sent over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


async def check_url(url: str) -> str:
    """The URL to register: its form, then where it leads."""
    url = check_form(url)
    await check_destination(url)
    return url
