"""Submitted forms as plain dicts of strings."""

from __future__ import annotations

from litestar import Request

from marketplace.errors import DomainError


async def form_fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def safe_next(target: str | None) -> str:
    """A local path to go to after sign-in; anything else (another site) means home."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def form_errors(error: DomainError | None, default_field: str = "form") -> dict[str, str]:
    """The field a domain error names (or the form as a whole), with its message."""
    return {error.field or default_field: error.message} if error else {}
