"""Catalog pages: browse for everyone signed in, import for managers."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.response import Template

from marketplace.accounts.auth import manager_only, signed_in
from marketplace.errors import DomainError, Invalid
from marketplace.inventory.catalog import COLUMNS, get_part, import_catalog, search_parts
from marketplace.inventory.chains import supersession_chain
from marketplace.pagination import page_number
from marketplace.web.render import page


class CatalogPages(Controller):
    path = "/catalog"
    include_in_schema = False

    @get("/", guards=[signed_in])
    async def index(self, request: Request, q: str = "") -> Template:
        parts = await search_parts(q, page_number(request.query_params.get("page")))
        return page(request, "catalog/parts.html", parts=parts, q=q)

    @get("/parts/{part_number:str}", guards=[signed_in])
    async def part(self, request: Request, part_number: str) -> Template:
        row = await get_part(part_number)
        return page(request, "catalog/part.html", part=row, chain=await supersession_chain(part_number))

    @get("/import", guards=[manager_only])
    async def import_form(self, request: Request) -> Template:
        return page(request, "catalog/import.html", report=None, columns=COLUMNS, errors={})

    @post("/import", guards=[manager_only])
    async def import_file(self, request: Request) -> Template:
        form = await request.form()
        upload = form.get("file")
        try:
            if not isinstance(upload, UploadFile):
                raise Invalid("choose a CSV file", "file")
            report = await import_catalog(await upload.read())
        except DomainError as error:
            return page(request, "catalog/import.html", status_code=error.status_code, report=None,
                        columns=COLUMNS, errors={"file": error.message})
        status = 200 if report.lines_applied or not report.rejected else 422
        return page(request, "catalog/import.html", status_code=status, report=report, columns=COLUMNS, errors={})
