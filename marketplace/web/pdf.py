"""Documents as PDF (WeasyPrint), from the same templates as the printable pages."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, FileSystemLoader

from marketplace.calendar import ROME
from marketplace.formatting import Formatter
from marketplace.settings import TEMPLATES_DIR
from marketplace.web.i18n import gettext_for


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=True, trim_blocks=True,
                       lstrip_blocks=True)


def render_html(template: str, language: str = "it", **context) -> str:
    return _environment().get_template(template).render(
        _=gettext_for(language), fmt=Formatter(language), lang=language, rome=ROME, **context)


def render_pdf(template: str, language: str = "it", **context) -> bytes:
    from weasyprint import HTML  # heavy: loaded on the first PDF

    return HTML(string=render_html(template, language, **context)).write_pdf()
