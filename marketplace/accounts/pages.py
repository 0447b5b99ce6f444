"""Pages: network users (managers) and API keys (dealer admins for their dealer, managers for all)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from marketplace.accounts.api_keys import create_api_key, list_api_keys, revoke_api_key
from marketplace.accounts.auth import dealer_admin_or_manager, manager_only
from marketplace.accounts.tables import Role
from marketplace.accounts.users import LANGUAGES, UserInput, create_user, get_user, list_users, update_user
from marketplace.errors import DomainError, Invalid
from marketplace.network.dealers import dealer_id_for_code
from marketplace.pagination import page_number
from marketplace.web.forms import form_errors, form_fields
from marketplace.web.render import page
from marketplace.web.urls import redirect_to


def _user_input(form: dict[str, str]) -> UserInput:
    return UserInput(
        email=form.get("email", ""), role=form.get("role", ""), name=form.get("name", ""),
        dealer_code=form.get("dealer_code") or None, language=form.get("language") or "it",
    )


class UserPages(Controller):
    path = "/network/users"
    guards = [manager_only]
    include_in_schema = False

    @get("/", name="users:list")
    async def index(self, request: Request, q: str = "") -> Template:
        users = await list_users(q, page_number(request.query_params.get("page")))
        return page(request, "accounts/users.html", users=users, q=q)

    def _form(self, request: Request, *, user: dict | None, values: dict, error: DomainError | None = None) -> Template:
        return page(
            request, "accounts/user_form.html", status_code=error.status_code if error else 200,
            user=user, values=values, roles=[r.value for r in Role], languages=LANGUAGES,
            errors=form_errors(error),
        )

    @get("/new")
    async def new(self, request: Request) -> Template:
        return self._form(request, user=None, values={"role": Role.dealer_staff.value, "language": "it"})

    @post("/new")
    async def create(self, request: Request) -> Response:
        form = await form_fields(request)
        try:
            user = await create_user(_user_input(form), form.get("password", ""))
        except DomainError as error:
            return self._form(request, user=None, values=form, error=error)
        return redirect_to(request, "users:list", {"q": user.email})

    @get("/{user_id:int}")
    async def edit(self, request: Request, user_id: int) -> Template:
        user = await get_user(user_id)
        return self._form(request, user=user, values=user)

    @post("/{user_id:int}")
    async def update(self, request: Request, user_id: int) -> Response:
        user = await get_user(user_id)
        form = await form_fields(request)
        active = form.get("active") == "on"
        if user_id == request.user.user_id and not active:
            return self._form(request, user=user, values=form, error=Invalid("you cannot deactivate yourself", "active"))
        try:
            await update_user(user_id, _user_input(form), active=active, password=form.get("password") or None)
        except DomainError as error:
            return self._form(request, user=user, values=form, error=error)
        return redirect_to(request, "users:list", {"q": form.get("email", "")})


class ApiKeyPages(Controller):
    path = "/api-keys"
    guards = [dealer_admin_or_manager]
    include_in_schema = False

    async def _render(self, request: Request, *, new_key: str | None = None, error: DomainError | None = None,
                      values: dict | None = None) -> Template:
        me = request.user
        keys = await list_api_keys(me.dealer_id) if me.is_dealer else await list_api_keys()
        return page(
            request, "accounts/api_keys.html", status_code=error.status_code if error else (201 if new_key else 200),
            keys=keys, new_key=new_key, values=values or {},
            errors=form_errors(error),
        )

    @get("/", name="api-keys:list")
    async def index(self, request: Request) -> Template:
        return await self._render(request)

    @post("/")
    async def create(self, request: Request) -> Template:
        me = request.user
        form = await form_fields(request)
        try:
            if me.is_dealer:
                role, dealer_id = Role.dealer_admin, me.dealer_id
            elif form.get("dealer_code", "").strip():
                role, dealer_id = Role.dealer_admin, await dealer_id_for_code(form["dealer_code"])
            else:
                role, dealer_id = Role.network_manager, None
            created = await create_api_key(role=role, dealer_id=dealer_id, name=form.get("name", ""))
        except DomainError as error:
            return await self._render(request, error=Invalid(error.message, "dealer_code"), values=form)
        return await self._render(request, new_key=created.key)

    @post("/{key_id:int}/revoke")
    async def revoke(self, request: Request, key_id: int) -> Redirect:
        me = request.user
        await revoke_api_key(key_id, dealer_id=me.dealer_id if me.is_dealer else None)
        return redirect_to(request, "api-keys:list")
