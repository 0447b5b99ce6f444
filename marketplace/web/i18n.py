"""Translations: English message ids in the code, Italian first on screen.

Each render gets its own gettext callable in its context, never one installed in the
shared Jinja environment, so concurrent requests in different languages cannot mix.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LANGUAGES = ("it", "en")
DEFAULT_LANGUAGE = "it"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGE_COOKIE = "lang"


@cache
def _catalog(language: str) -> dict[str, str]:
    path = LOCALE_DIR / f"{language}.po"
    if not path.exists():
        return {}
    with path.open("rb") as file:
        catalog = read_po(file, locale=language)
    return {message.id: message.string for message in catalog if message.id and message.string}


def gettext_for(language: str) -> Callable[..., str]:
    messages = _catalog(language)

    def gettext(message: str, **values: object) -> str:
        text = messages.get(message, message)
        return text % values if values else text

    return gettext


def pick_language(*candidates: str | None) -> str:
    for candidate in candidates:
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT_LANGUAGE
