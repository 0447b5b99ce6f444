"""What the client sent, made safe once for every route before any handler or query sees it.

- Path ids: every ``{..._id:int}`` is one id type, a positive integer no larger than the tables'
  ids can be; anything else is 404 before the database is asked (asyncpg refuses to encode an
  int beyond its column's range, which was a 500).
- Text in path parameters holding a control character is 404 (no name, code or period has one).
- Query strings and urlencoded form bodies lose their control characters (NUL, which PostgreSQL
  text cannot hold, and the others) except tab, line feed and carriage return, which separate
  pasted lists of part numbers.
- JSON bodies: at most ``MAX_JSON_BYTES`` (a route may allow more with ``opt={"json_max_bytes": n}``;
  the stock feed does), nested at most ``MAX_JSON_DEPTH`` deep, and no escaped NUL in a string.
"""

from __future__ import annotations

import re

from litestar.enums import ScopeType
from litestar.exceptions import ClientException, NotFoundException
from litestar.middleware import MiddlewareProtocol
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from marketplace.bounds import MAX_ID

MAX_JSON_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32

_CONTROL_TEXT = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Percent-encoded or raw control bytes, tab (09), line feed (0A) and carriage return (0D) kept.
_CONTROL_ENCODED = re.compile(rb"%(?:0[0-8bcefBCEF]|1[0-9a-fA-F]|7[fF])|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_ESCAPED_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)
_BRACKETS = re.compile(rb"[\[\]{}]")


class PayloadTooLarge(ClientException):
    status_code = 413


def clean_query(raw: bytes) -> bytes:
    return _CONTROL_ENCODED.sub(b"", raw)


def check_path_params(params: dict) -> None:
    for name, value in params.items():
        if isinstance(value, int) and not isinstance(value, bool):
            if not 1 <= value <= MAX_ID:
                raise NotFoundException(f"no such {name.removesuffix('_id')}: {value}")
        elif isinstance(value, str) and _CONTROL_TEXT.search(value):
            raise NotFoundException(f"{name} holds a control character")


def json_depth(body: bytes) -> int:
    """How deep the body's arrays and objects nest (strings skipped)."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return 0 if not body.strip() else 1
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_JSON_STRING.sub(b'""', body)):
        if bracket in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def check_json(body: bytes, limit: int) -> None:
    if len(body) > limit:
        raise PayloadTooLarge(f"a JSON body of at most {limit} bytes")
    if len(body) <= MAX_JSON_BYTES and json_depth(body) > MAX_JSON_DEPTH:
        raise ClientException(f"the JSON body nests deeper than {MAX_JSON_DEPTH} levels")
    if b"\\u0000" in body.lower() and _ESCAPED_NUL.search(body):
        raise ClientException("a JSON string holds a NUL character")


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise ClientException("the request body was cut")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"a body of at most {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


class InputGuardMiddleware(MiddlewareProtocol):
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        check_path_params(scope.get("path_params") or {})
        if scope.get("query_string"):
            scope["query_string"] = clean_query(scope["query_string"])
        content_type = _content_type(scope)
        # Litestar reads a handler's ``data`` as JSON whatever the header says: every body that is
        # not a form or a CSV file is checked as JSON would be.
        if scope.get("method") in ("POST", "PUT", "PATCH") and not content_type.startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data", "text/csv")):
            opt = getattr(scope.get("route_handler"), "opt", None) or {}
            limit = opt.get("json_max_bytes", MAX_JSON_BYTES)
            body = await _read_body(receive, limit)
            check_json(body, limit)
            receive = _replay(body)
        elif content_type.startswith("application/x-www-form-urlencoded"):
            body = await _read_body(receive, MAX_JSON_BYTES * 4)
            receive = _replay(clean_query(body))
        await self.app(scope, receive, send)


def _content_type(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return value.decode("latin-1").lower()
    return ""
