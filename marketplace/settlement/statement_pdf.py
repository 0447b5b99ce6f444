"""A statement as a PDF (WeasyPrint), from the same template body as the printable page, in Italian."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, FileSystemLoader

from marketplace.settings import PROJECT_ROOT
from marketplace.settlement.periods import ROME
from marketplace.settlement.statement_view import NETWORK_NAME, StatementView
from marketplace.formatting import Formatter
from marketplace.web.i18n import gettext_for


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(PROJECT_ROOT / "templates"), autoescape=True, trim_blocks=True,
                       lstrip_blocks=True)


def statement_html(view: StatementView, issuer: str = NETWORK_NAME, language: str = "it") -> str:
    return _environment().get_template("settlement/statement_pdf.html").render(
        v=view, _=gettext_for(language), fmt=Formatter(language), lang=language, rome=ROME, issuer=issuer)


def statement_pdf(view: StatementView, issuer: str = NETWORK_NAME) -> bytes:
    from weasyprint import HTML  # heavy: loaded on the first PDF

    return HTML(string=statement_html(view, issuer)).write_pdf()
