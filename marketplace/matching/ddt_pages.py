"""The printable transport document (DDT) of a shipped transfer, and its PDF."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.response import Template

from marketplace.accounts.auth import signed_in
from marketplace.calendar import ROME
from marketplace.matching.ddt import transport_document
from marketplace.web.pdf import render_pdf
from marketplace.web.render import language_of, page


class DdtPages(Controller):
    path = "/transfers/{transfer_id:int}"
    guards = [signed_in]  # the two dealers' staff and managers: transport_document checks which
    include_in_schema = False

    @get("/ddt", name="transfers:ddt")
    async def show(self, request: Request, transfer_id: int) -> Template:
        return page(request, "matching/ddt.html", d=await transport_document(request.user, transfer_id), rome=ROME)

    @get("/ddt.pdf")
    async def pdf(self, request: Request, transfer_id: int) -> Response:
        document = await transport_document(request.user, transfer_id)
        pdf = render_pdf("matching/ddt_pdf.html", language_of(request), d=document)
        filename = f"ddt-{document['ddt_year']}-{document['ddt_number']}-{document['supplier_code']}.pdf"
        return Response(pdf, media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})
