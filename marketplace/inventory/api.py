"""JSON API: the catalog."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.status_codes import HTTP_200_OK, HTTP_422_UNPROCESSABLE_ENTITY

from marketplace.accounts.auth import manager_only, signed_in
from marketplace.inventory.catalog import get_part, import_catalog, search_parts
from marketplace.inventory.chains import supersession_chain
from marketplace.inventory.schemas import ChainLink, ImportReportOut, PartDetail, PartOut, PartPage
from marketplace.pagination import page_number


class CatalogApi(Controller):
    path = "/api/v1/catalog"
    tags = ["catalog"]

    @get("/parts", guards=[signed_in])
    async def list_parts(self, q: str = "", page: str = "1") -> PartPage:
        """Parts whose number starts with ``q`` (typed any way) or whose description holds its words."""
        parts = await search_parts(q, page_number(page))
        return PartPage(
            items=[PartOut.from_row(r) for r in parts.items], total=parts.total, page=parts.page, pages=parts.pages
        )

    @get("/parts/{part_number:str}", guards=[signed_in])
    async def part(self, part_number: str) -> PartDetail:
        """One part with its supersession chain, oldest first; ``newest`` is the number to prefer."""
        row = await get_part(part_number)
        chain = [ChainLink(link.part_number, link.normalized) for link in await supersession_chain(part_number)]
        return PartDetail(part=PartOut.from_row(row), chain=chain, newest=chain[-1].part_number)

    @post("/import", guards=[manager_only], status_code=HTTP_200_OK)
    async def import_csv(self, request: Request) -> Response[ImportReportOut]:
        """Upsert parts from a CSV body (``text/csv``); 422 with the report when nothing was applied."""
        report = await import_catalog(await request.body())
        status = HTTP_200_OK if report.lines_applied or not report.rejected else HTTP_422_UNPROCESSABLE_ENTITY
        return Response(ImportReportOut.from_report(report), status_code=status)
