"""Signing in and out, and choosing the language (remembered for a signed-in user)."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template

from marketplace.accounts.auth import PUBLIC, SESSION_COOKIE, signed_in
from marketplace.accounts.sessions import SESSION_LIFETIME, end_session, start_session
from marketplace.accounts.users import authenticate, set_language
from marketplace.errors import Invalid, TooManyAttempts
from marketplace.settings import get_settings
from marketplace.web.client import client_address
from marketplace.web.forms import form_fields, safe_next
from marketplace.web.i18n import LANGUAGE_COOKIE, LANGUAGES, gettext_for
from marketplace.web.render import language_of, page
from marketplace.web.urls import redirect_to


@get("/login", opt=PUBLIC, include_in_schema=False, name="login")
async def login_form(request: Request, next: str = "/") -> Template:
    return page(request, "login.html", next=safe_next(next), email="", error=None)


@post("/login", opt=PUBLIC, include_in_schema=False)
async def login(request: Request) -> Response:
    form = await form_fields(request)
    target = safe_next(form.get("next"))
    ip = client_address(request) or "unknown"
    try:
        user_id = await authenticate(form.get("email", ""), form.get("password", ""), ip)
    except (Invalid, TooManyAttempts) as error:
        message = error.message
        if isinstance(error, TooManyAttempts):
            _ = gettext_for(language_of(request))
            minutes = error.extra["minutes"]
            message = _("Too many failed sign-ins at this account from here: try again in a minute. Signing in "
                        "from elsewhere is not affected.") if minutes == 1 else _(
                "Too many failed sign-ins at this account from here: try again in %(minutes)s minutes. Signing in "
                "from elsewhere is not affected.", minutes=minutes)
        return page(
            request, "login.html", status_code=error.status_code,
            next=target, email=form.get("email", ""), error=message,
        )
    response = Redirect(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE, await start_session(user_id), httponly=True, samesite="lax",
        secure=get_settings().cookie_secure, max_age=int(SESSION_LIFETIME.total_seconds()),
    )
    return response


@post("/logout", guards=[signed_in], include_in_schema=False)
async def logout(request: Request) -> Redirect:
    if token := request.cookies.get(SESSION_COOKIE):
        await end_session(token)
    response = redirect_to(request, "login")
    response.delete_cookie(SESSION_COOKIE)
    return response


@post("/language", opt=PUBLIC, include_in_schema=False)
async def choose_language(request: Request) -> Redirect:
    form = await form_fields(request)
    language = form.get("language", "")
    response = Redirect(safe_next(form.get("next")), status_code=303)
    if language in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 86400, samesite="lax")
        if request.user and request.user.user_id:
            await set_language(request.user.user_id, language)
    return response


ROUTES = [login_form, login, logout, choose_language]
