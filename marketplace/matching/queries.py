"""Reading transfers: one with its timeline, and the inboxes."""

from __future__ import annotations

from piccolo.query import OrderByRaw

from marketplace.accounts.principal import Principal
from marketplace.errors import NotFound
from marketplace.incentives.reserved import PRIORITY_FIRST
from marketplace.matching.tables import Transfer, TransferEvent, TransferStatus
from marketplace.network.tables import Dealer
from marketplace.pagination import PER_PAGE, Page

COLUMNS = (
    Transfer.id, Transfer.status, Transfer.requester.code.as_alias("requester"),
    Transfer.requester.name.as_alias("requester_name"), Transfer.supplier.code.as_alias("supplier"),
    Transfer.supplier.name.as_alias("supplier_name"), Transfer.supplier.city.as_alias("supplier_city"),
    Transfer.requester.city.as_alias("requester_city"),
    Transfer.part.part_number.as_alias("part_number"), Transfer.part.description.as_alias("description"),
    Transfer.requested_part.part_number.as_alias("requested_part_number"), Transfer.quantity,
    Transfer.requested_quantity, Transfer.unit_price, Transfer.note, Transfer.decline_reason, Transfer.carrier,
    Transfer.tracking, Transfer.created_at, Transfer.expires_at, Transfer.updated_at,
    Transfer.requester.id.as_alias("requester_id"), Transfer.supplier.id.as_alias("supplier_id"),
    # Where the parts go and whom to call: the supplier sees them on the request.
    Transfer.requester.address.as_alias("requester_address"),
    Transfer.requester.postal_code.as_alias("requester_postal_code"),
    Transfer.requester.province.as_alias("requester_province"), Transfer.requester.phone.as_alias("requester_phone"),
    Transfer.ddt_year, Transfer.ddt_number,
)
OPEN = (TransferStatus.requested, TransferStatus.offered, TransferStatus.accepted, TransferStatus.shipped)


async def get_transfer(principal: Principal, transfer_id: int) -> dict:
    """A transfer its parties (or a manager) may see; 404 for anyone else, as if it did not exist."""
    row = await Transfer.select(*COLUMNS).where(Transfer.id == transfer_id).first()
    if row is None or not (principal.is_manager or principal.dealer_id in (row["requester_id"], row["supplier_id"])):
        raise NotFound(f"no transfer {transfer_id}", "transfer")
    return row


async def timeline(transfer_id: int) -> list[dict]:
    return await TransferEvent.select(
        TransferEvent.at, TransferEvent.actor, TransferEvent.from_status, TransferEvent.to_status, TransferEvent.detail,
    ).where(TransferEvent.transfer == transfer_id).order_by(TransferEvent.id).output(load_json=True)


async def inbox(dealer_id: int, *, incoming: bool, open_only: bool = True, page: int = 1) -> Page[dict]:
    """Requests to the dealer (incoming, oldest first: the SLA runs) or from it (newest first). The
    central warehouse's incoming requests list small provincial shops' first (incentives)."""
    side = Transfer.supplier if incoming else Transfer.requester
    where = side == dealer_id
    if open_only:
        where &= Transfer.status.is_in([s.value for s in OPEN])
    total = await Transfer.count().where(where)
    query = Transfer.select(*COLUMNS).where(where)
    if incoming and await Dealer.exists().where((Dealer.id == dealer_id) & Dealer.is_central_warehouse.eq(True)):
        query = query.order_by(OrderByRaw(PRIORITY_FIRST))  # the central warehouse serves small provincial shops first
    rows = await query.order_by(Transfer.created_at, ascending=incoming).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    return Page(items=rows, total=total, page=page)


async def waiting_count(dealer_id: int) -> int:
    """What needs this dealer's answer: requests to answer or ship, offers to confirm, parcels to receive."""
    to_answer = await Transfer.count().where(
        (Transfer.supplier == dealer_id) & Transfer.status.is_in(["requested", "accepted"]))
    to_confirm = await Transfer.count().where(
        (Transfer.requester == dealer_id) & Transfer.status.is_in(["offered", "shipped"]))
    return to_answer + to_confirm


async def transfers_asked_by(dealer_id: int, transfer_ids: list[int]) -> list[dict]:
    """The dealer's own requests among ``transfer_ids`` (others' are left out, as if they did not exist)."""
    if not transfer_ids:
        return []
    return await Transfer.select(
        Transfer.id, Transfer.supplier.code.as_alias("supplier"), Transfer.part.part_number.as_alias("part_number"),
        Transfer.quantity,
    ).where((Transfer.requester == dealer_id) & Transfer.id.is_in(transfer_ids)).order_by(Transfer.id)
