"""One answer per failure: JSON under /api/, a page elsewhere; never a 500 for a user's mistake."""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.response import Redirect
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from marketplace.errors import Conflict, DomainError
from marketplace.metrics import count_reservation_conflict
from marketplace.web.paths import API_PREFIX
from marketplace.web.render import page
from marketplace.web.urls import url_for

log = logging.getLogger("marketplace")

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def for_log(value: object) -> object:
    """Client text as it may go in a log: control characters escaped, so a %0A cannot forge a line."""
    if not isinstance(value, str):
        return value
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}",
                        value)


class EscapeClientText(logging.Filter):
    """Every string argument of a record on the app's logger is escaped (its format string is ours)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(for_log(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: for_log(v) for k, v in record.args.items()}
        return True


log.addFilter(EscapeClientText())


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def _api_answer(status: int, detail: str, field: str | None = None, extra: object = None,
                more: dict | None = None) -> Response:
    body: dict = {"status_code": status, "detail": detail}
    if field:
        body["field"] = field
    if extra:
        body["extra"] = extra
    body.update(more or {})
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return Response(body, status_code=status, media_type=MediaType.JSON, headers=headers)


def _field_of(extra: object) -> str | None:
    """The input a schema refused, named like a domain error's ``field`` (``items[0].quantity``)."""
    if isinstance(extra, list) and extra and isinstance(extra[0], dict):
        message = str(extra[0].get("message", ""))
        path = message.rpartition(" - at `$.")[2].rstrip("`") if " - at `$." in message else ""
        return path or extra[0].get("key") or None
    return None


def domain_error(request: Request, error: DomainError) -> Response:
    if isinstance(error, Conflict) and "available" in error.extra:  # a reservation found too little stock
        count_reservation_conflict(request.scope)
    if _is_api(request):
        return _api_answer(error.status_code, error.message, error.field, more=error.extra)
    return page(request, "error.html", status_code=error.status_code, status=error.status_code, detail=error.message,
                field=error.field)


def http_error(request: Request, error: HTTPException) -> Response:
    status = error.status_code
    if _is_api(request):
        extra = error.extra if isinstance(error, ValidationException) else None
        return _api_answer(status, error.detail, _field_of(extra), extra=extra)
    if isinstance(error, NotAuthorizedException) and request.method == "GET":
        # Every app built with this toolkit names its sign-in page "login".
        return Redirect(f"{url_for(request, 'login')}?next={quote(str(request.url.path))}", status_code=303)
    return page(request, "error.html", status_code=status, status=status, detail=error.detail)


def server_error(request: Request, error: Exception) -> Response:
    log.error("unhandled error on %s %s: %s", request.method, request.url.path, repr(error), exc_info=error)
    status = HTTP_500_INTERNAL_SERVER_ERROR
    if _is_api(request):
        return _api_answer(status, "internal error: it has been logged")
    return page(request, "error.html", status_code=status, status=status, detail="internal error: it has been logged")


EXCEPTION_HANDLERS = {
    DomainError: domain_error,
    HTTPException: http_error,
    Exception: server_error,
}
