"""One answer per failure: JSON under /api/, a page elsewhere; never a 500 for a user's mistake."""

from __future__ import annotations

import logging
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.response import Redirect
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from marketplace.errors import DomainError
from marketplace.web.paths import API_PREFIX
from marketplace.web.render import page
from marketplace.web.urls import url_for

log = logging.getLogger("marketplace")


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


def domain_error(request: Request, error: DomainError) -> Response:
    if _is_api(request):
        return _api_answer(error.status_code, error.message, error.field, more=error.extra)
    return page(request, "error.html", status_code=error.status_code, status=error.status_code, detail=error.message)


def http_error(request: Request, error: HTTPException) -> Response:
    status = error.status_code
    if _is_api(request):
        extra = error.extra if isinstance(error, ValidationException) else None
        return _api_answer(status, error.detail, extra=extra)
    if isinstance(error, NotAuthorizedException) and request.method == "GET":
        # Every app built with this toolkit names its sign-in page "login".
        return Redirect(f"{url_for(request, 'login')}?next={quote(str(request.url.path))}", status_code=303)
    return page(request, "error.html", status_code=status, status=status, detail=error.detail)


def server_error(request: Request, error: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    status = HTTP_500_INTERNAL_SERVER_ERROR
    if _is_api(request):
        return _api_answer(status, "internal error: it has been logged")
    return page(request, "error.html", status_code=status, status=status, detail="internal error: it has been logged")


EXCEPTION_HANDLERS = {
    DomainError: domain_error,
    HTTPException: http_error,
    Exception: server_error,
}
