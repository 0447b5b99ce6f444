"""Translations: English message ids in the code, Italian first on screen.

Each render gets its own gettext callable in its context, never one installed in the
shared Jinja environment, so concurrent requests in different languages cannot mix.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache
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


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_MIN_LITERAL = 7  # a pattern needs this much fixed text ("no dealer %(code)s"), so "%(n)s" alone never matches everything


@cache
def _patterns(language: str) -> tuple[tuple[re.Pattern, str], ...]:
    """The catalog's messages with values (``the supplier has %(available)s available``) as
    patterns, most specific first: a domain error's message arrives formatted, values in place."""
    found = []
    for message, translation in _catalog(language).items():
        names = _PLACEHOLDER.findall(message)
        literal = _PLACEHOLDER.sub("", message)
        if not names or len(set(names)) != len(names) or len(literal) < _MIN_LITERAL:
            continue
        pattern = "".join(f"(?P<{part}>.+?)" if i % 2 else re.escape(part)
                          for i, part in enumerate(_PLACEHOLDER.split(message)))
        found.append((len(literal), re.compile(pattern + r"\Z", re.S), translation))
    return tuple((pattern, translation) for _, pattern, translation in sorted(found, key=lambda f: -f[0]))


@lru_cache(maxsize=2048)
def _formatted(language: str, message: str) -> str:
    """``message``, already formatted in English, translated through the pattern it fits; else itself."""
    for pattern, translation in _patterns(language):
        if matched := pattern.match(message):
            try:
                return translation % matched.groupdict()
            except (KeyError, ValueError, TypeError):
                return message
    return message


def gettext_for(language: str) -> Callable[..., str]:
    messages = _catalog(language)

    def gettext(message: str, **values: object) -> str:
        text = messages.get(message)
        if text is None:
            return message % values if values else _formatted(language, message)
        return text % values if values else text

    return gettext


def pick_language(*candidates: str | None) -> str:
    for candidate in candidates:
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT_LANGUAGE
