"""Rendering a page with the reader's language, formats and identity."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request
from litestar.response import Template

from marketplace.calendar import ROME
from marketplace.formatting import Formatter
from marketplace.web.i18n import LANGUAGE_COOKIE, gettext_for, pick_language


def language_of(request: Request) -> str:
    """The language last chosen in this browser (cookie), else the user's stored one, else Italian."""
    principal = request.scope.get("user")
    return pick_language(
        request.cookies.get(LANGUAGE_COOKIE), getattr(principal, "language", None)
    )


def page(request: Request, template: str, *, status_code: int = 200, **context: Any) -> Template:
    language = language_of(request)
    gettext = gettext_for(language)
    # A domain error's message (English, values in place) reads in the page's language wherever shown.
    if isinstance(context.get("errors"), dict):
        context["errors"] = {k: gettext(v) if isinstance(v, str) else v for k, v in context["errors"].items()}
    if isinstance(context.get("error"), str):
        context["error"] = gettext(context["error"])
    return Template(
        template_name=template,
        status_code=status_code,
        context={
            "_": gettext,
            "lang": language,
            "fmt": Formatter(language),
            "me": request.scope.get("user"),
            "path": request.url.path,
            "waiting": getattr(request.state, "waiting", 0),
            "to_prepare": getattr(request.state, "to_prepare", 0),
            "logo": getattr(request.state, "logo", None),
            "unread": getattr(request.state, "unread", 0),
            "today": datetime.now(ROME).date(),
            **context,
        },
    )
