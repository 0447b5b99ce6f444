"""Dealer-to-dealer transfers: request (reserving the supplier's stock), answer, ship, receive.

Reservations are conditional UPDATEs on the supplier's stock row, so two dealers racing for the
last unit cannot both get it; they and the transfer insert use the transaction's asyncpg
connection (the hot path, measured in benchmarks/search.py), the rest goes through Piccolo.
Every transition locks the transfer row, writes an event and an outbox message in the same
transaction.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from decimal import Decimal

import asyncpg

from marketplace.accounts.principal import Principal
from marketplace.calendar import add_working_hours
from marketplace.errors import Conflict, Forbidden, Invalid, NotFound
from marketplace.inventory.availability import shared_available
from marketplace.inventory.normalize import normalize_part_number
from marketplace.inventory.reservations import release, reserve, take_out
from marketplace.inventory.tables import Part
from marketplace.matching import search_lines
from marketplace.matching.ddt import ddt_label, number_shipment
from marketplace.matching.tables import DeclineReason, Transfer, TransferEvent, TransferStatus
from marketplace.network.closures import closures_of
from marketplace.network.rules import get_rules
from marketplace.network.tables import Dealer
from marketplace.outbox.messages import emit
from marketplace.settlement.ledger import Party, book_transfer

MAX_QUANTITY = 10_000
S = TransferStatus
# Who may move a transfer from which states, and where to.
ACTIONS: dict[str, tuple[str, frozenset[TransferStatus]]] = {
    "accept": ("supplier", frozenset({S.requested})),
    "decline": ("supplier", frozenset({S.requested, S.offered})),
    "ship": ("supplier", frozenset({S.accepted})),
    "confirm": ("requester", frozenset({S.offered})),
    "receive": ("requester", frozenset({S.shipped})),
    "cancel": ("requester", frozenset({S.requested, S.offered, S.accepted})),
}
# A request still waiting for its answer is "about to expire" when less than this much working time
# (marketplace/calendar.py) is left before its deadline: the notification and the agent's page both say so.
EXPIRING_SOON_WORKING_HOURS = 1.0


def expiring_soon_until(now: datetime) -> datetime:
    """The deadline before which an open request counts as about to expire at ``now``."""
    return add_working_hours(now, EXPIRING_SOON_WORKING_HOURS)


HOLDING = frozenset({S.requested, S.offered, S.accepted})  # states that keep the stock reserved


@dataclass(frozen=True, slots=True)
class TransferRequest:
    supplier: str
    part_number: str
    quantity: int
    note: str = ""

    def fingerprint(self) -> str:
        canonical = {**asdict(self), "supplier": self.supplier.strip().upper(),
                     "part_number": normalize_part_number(self.part_number), "note": self.note.strip()}
        return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def actor_of(principal: Principal) -> str:
    if principal.is_acting:  # a zone agent acting for the dealer (marketplace/agents/)
        return f"agent:{principal.email} for dealer:{principal.dealer_code}"
    if principal.user_id is not None:
        return f"user:{principal.email}"
    if principal.api_key_id is not None:
        return f"api_key:{principal.api_key_id}"
    return "system"


async def _part_id(part_number: str) -> int:
    row = await Part.select(Part.id).where(Part.normalized == normalize_part_number(part_number)).first()
    if row is None:
        raise Invalid(f"no part {part_number} in the catalog", "part_number")
    return row["id"]


async def _reserve(connection, supplier_id: int, part_id: int, quantity: int, requester_id: int | None = None) -> Decimal:
    """Reserve at the supplier for the requester, or Conflict naming what is available to it."""
    price = await reserve(connection, supplier_id, part_id, quantity, for_dealer=requester_id)
    if price is None:
        available = await shared_available(connection, supplier_id, part_id, requester_id)
        raise Conflict(f"the supplier has {available} available, {quantity} asked", "quantity", available=available)
    return price


async def _record(transfer_id: int, actor: str, before: str | None, after: str, detail: dict) -> None:
    """The timeline event and the outbox message of one transition (in the caller's transaction)."""
    detail = json.loads(json.dumps(detail, default=str))  # Decimals and dates as strings
    await TransferEvent.insert(
        TransferEvent(transfer=transfer_id, actor=actor, from_status=before, to_status=after, detail=detail))
    await emit(f"transfer.{after}", {"transfer_id": transfer_id, "from": before, "to": after, **detail})


async def request_transfer(principal: Principal, request: TransferRequest, idempotency_key: str | None = None
                           ) -> tuple[int, bool]:
    """Create a transfer reserving the supplier's stock: (transfer id, whether it was created now).

    The same ``idempotency_key`` with the same request gives back the first transfer; with another
    request it is refused.
    """
    if not principal.is_dealer:
        raise Forbidden("only a dealer requests a transfer", "requester")
    if not isinstance(request.quantity, int) or not 1 <= request.quantity <= MAX_QUANTITY:
        raise Invalid(f"the quantity must be a whole number from 1 to {MAX_QUANTITY}", "quantity")
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 200:
        raise Invalid("an Idempotency-Key has 1 to 200 characters", "Idempotency-Key")
    fingerprint = request.fingerprint()
    if idempotency_key and (found := await _replay(principal.dealer_id, idempotency_key, fingerprint)):
        return found, False
    async with Transfer._meta.db.transaction() as tx:
        connection = tx.connection
        supplier = await Dealer.select(Dealer.id, Dealer.active).where(
            Dealer.code == request.supplier.strip().upper()).first()
        if supplier is None or not supplier["active"]:
            raise Invalid(f"no active dealer {request.supplier}", "supplier")
        if supplier["id"] == principal.dealer_id:
            raise Invalid("a dealer cannot request from itself", "supplier")
        part_id = await _part_id(request.part_number)
        price = await _reserve(connection, supplier["id"], part_id, request.quantity, principal.dealer_id)
        now = datetime.now(timezone.utc)
        rules = await get_rules()
        try:
            async with connection.transaction():  # a savepoint: a racing twin key must not undo the reservation check
                transfer_id = await insert_transfer(
                    connection, requester=principal.dealer_id, supplier=supplier["id"], part=part_id,
                    quantity=request.quantity, unit_price=price, status=S.requested, note=request.note,
                    at=now, expires_at=add_working_hours(now, rules.transfer_sla_hours,
                                                         await closures_of(connection, supplier["id"])),
                    idempotency_key=idempotency_key, fingerprint=fingerprint,
                )
        except asyncpg.UniqueViolationError:
            raise _Replayed()
        await search_lines.link_request(connection, transfer_id, principal.dealer_id, part_id, now)
        await _record(transfer_id, actor_of(principal), None, S.requested.value,
                      {"quantity": request.quantity, "unit_price": price})
    return transfer_id, True


_INSERT = """
INSERT INTO transfer (requester, supplier, part, requested_part, quantity, requested_quantity, unit_price, status,
    note, idempotency_key, request_fingerprint, created_at, expires_at, updated_at, carrier, tracking, source_moved_on)
VALUES ($1, $2, $3, $3, $4, $4, $5, $6, $7, $8, $9, $10, $11, $10, '', '',
        (SELECT last_movement_date FROM stock_item WHERE dealer = $2 AND part = $3)) RETURNING id
"""


async def insert_transfer(connection, *, requester: int, supplier: int, part: int, quantity: int,
                          unit_price: Decimal, status: TransferStatus, note: str, at: datetime, expires_at: datetime,
                          idempotency_key: str | None = None, fingerprint: str = "") -> int:
    """The transfer row alone (its stock is reserved by the caller, in the same transaction)."""
    return await connection.fetchval(
        _INSERT, requester, supplier, part, quantity, unit_price, status.value, note.strip()[:2000], idempotency_key,
        fingerprint, at, expires_at,
    )


async def announce_request(transfer_id: int, detail: dict) -> None:
    """The ``requested`` step of a transfer another domain inserted (an order's line offered to its
    source): in its timeline and the outbox, in the caller's transaction."""
    await _record(transfer_id, "system", None, S.requested.value, detail)


async def set_answer_deadline(connection, transfer_id: int, at: datetime) -> None:
    """When a requested transfer must be answered by (an order's offer starts when the customer confirms)."""
    await connection.execute("UPDATE transfer SET expires_at = $2 WHERE id = $1 AND status = 'requested'",
                             transfer_id, at)


async def pass_over(connection, transfer_id: int, reason: str) -> bool:
    """An order's transfer its supplier did not accept in time: expired, its stock released, the
    reason in its timeline; whether it was (False when it was accepted first: the row lock decides).
    The caller holds the order's row lock (lock order: customer_order, then transfer, then stock)."""
    row = await connection.fetchrow(
        "SELECT id, supplier, part, quantity FROM transfer WHERE id = $1 AND status = 'requested' FOR UPDATE",
        transfer_id)
    if row is None:
        return False
    await connection.execute("UPDATE transfer SET status = 'expired', updated_at = now() WHERE id = $1", transfer_id)
    await release(connection, row["supplier"], row["part"], row["quantity"])
    await _record(transfer_id, "system", S.requested.value, S.expired.value, {"reason": reason})
    return True


async def serves_an_order(connection, transfer_id: int) -> bool:
    """Whether the transfer brings a click-and-collect order's line to its pickup point."""
    return bool(await connection.fetchval('SELECT 1 FROM order_line WHERE transfer = $1', transfer_id))


async def cancel_unshipped(connection, transfer_id: int) -> bool:
    """Cancel a transfer while it has not shipped (an order it served was cancelled or expired):
    whether it was. A supplier shipping at this moment either waits for this row lock or makes it
    a no-op; the caller releases the reservation only when it was cancelled."""
    cancelled = await connection.fetchval(
        "UPDATE transfer SET status = 'cancelled', updated_at = now()"
        " WHERE id = $1 AND status IN ('requested', 'offered', 'accepted') RETURNING id", transfer_id)
    return cancelled is not None


class _Replayed(Exception):
    pass


async def _replay(requester_id: int, key: str, fingerprint: str) -> int | None:
    row = await Transfer.select(Transfer.id, Transfer.request_fingerprint).where(
        (Transfer.requester == requester_id) & (Transfer.idempotency_key == key)).first()
    if row is None:
        return None
    if row["request_fingerprint"] != fingerprint:
        raise Invalid("this Idempotency-Key was used for another request", "Idempotency-Key")
    return row["id"]


async def request_transfer_once(principal: Principal, request: TransferRequest, idempotency_key: str | None = None
                                ) -> tuple[int, bool]:
    """:func:`request_transfer`, where a concurrent request with the same key gives the winner's transfer."""
    try:
        return await request_transfer(principal, request, idempotency_key)
    except _Replayed:
        found = await _replay(principal.dealer_id, idempotency_key or "", request.fingerprint())
        if found is None:  # pragma: no cover - the winner committed before we could see it
            raise Conflict("a request with this Idempotency-Key is in progress: retry", "Idempotency-Key")
        return found, False


@dataclass(frozen=True, slots=True)
class Answer:
    """What an action may carry: an offer's quantity or part, a decline reason, the shipment."""

    quantity: int | None = None
    part_number: str | None = None
    reason: str | None = None
    carrier: str = ""
    tracking: str = ""


async def act(principal: Principal, transfer_id: int, action: str, answer: Answer = Answer()) -> None:
    """Move a transfer on; the caller must be the party the action belongs to (or the row is 404)."""
    if action not in ACTIONS:
        raise NotFound(f"no action {action}", "action")
    party, allowed = ACTIONS[action]
    async with Transfer._meta.db.transaction() as tx:
        connection = tx.connection
        transfer = await Transfer.select().where(Transfer.id == transfer_id).lock_rows().first()
        if transfer is None or not _may_see(principal, transfer):
            raise NotFound(f"no transfer {transfer_id}", "transfer")
        if principal.dealer_id != transfer[party]:
            raise Forbidden(f"only the {party} may {action} this transfer", "action")
        status = S(transfer["status"])
        if status not in allowed:
            raise Conflict(f"the transfer is {status.value}: it cannot be {action}ed now", "status", status=status.value)
        after, detail = await _STEPS[action](connection, transfer, answer)
        await Transfer.update({Transfer.status: after, Transfer.updated_at: datetime.now(timezone.utc)}).where(
            Transfer.id == transfer_id)
        await _record(transfer_id, actor_of(principal), status.value, after, detail)


def _may_see(principal: Principal, transfer) -> bool:
    return principal.is_manager or principal.dealer_id in (transfer["requester"], transfer["supplier"])


async def _accept(connection, transfer, answer: Answer) -> tuple[str, dict]:
    """Accept as asked; or offer fewer units or another part number, for the requester to confirm."""
    quantity = answer.quantity if answer.quantity is not None else transfer["quantity"]
    if not isinstance(quantity, int) or not 1 <= quantity <= transfer["quantity"]:
        raise Invalid(f"offer from 1 to {transfer['quantity']} units", "quantity")
    part_id = transfer["part"]
    if answer.part_number and normalize_part_number(answer.part_number):
        part_id = await _part_id(answer.part_number)
    if quantity == transfer["quantity"] and part_id == transfer["part"]:
        return S.accepted.value, {}
    if await serves_an_order(connection, transfer["id"]):
        raise Conflict("an online order's line is accepted whole, or declined so it passes to another dealer",
                       "quantity")
    supplier, held = transfer["supplier"], transfer["quantity"]
    await release(connection, supplier, transfer["part"], held)
    price = transfer["unit_price"]
    if part_id != transfer["part"]:
        price = await _reserve(connection, supplier, part_id, quantity)
    else:
        await _reserve(connection, supplier, part_id, quantity)
    await Transfer.update({Transfer.part: part_id, Transfer.quantity: quantity, Transfer.unit_price: price}).where(
        Transfer.id == transfer["id"])
    return S.offered.value, {"quantity": quantity, "part_id": part_id, "unit_price": price}


async def _decline(connection, transfer, answer: Answer) -> tuple[str, dict]:
    if answer.reason not in DeclineReason._value2member_map_:
        raise Invalid(f"give a reason: {', '.join(r.value for r in DeclineReason)}", "reason")
    await release(connection, transfer["supplier"], transfer["part"], transfer["quantity"])
    await Transfer.update({Transfer.decline_reason: answer.reason}).where(Transfer.id == transfer["id"])
    return S.declined.value, {"reason": answer.reason}


async def _ship(connection, transfer, answer: Answer) -> tuple[str, dict]:
    carrier, tracking = answer.carrier.strip()[:100], answer.tracking.strip()[:100]
    if not carrier:
        raise Invalid("name the carrier (or 'own van', 'pick-up')", "carrier")
    await take_out(connection, transfer["supplier"], transfer["part"], transfer["quantity"])
    await Transfer.update({Transfer.carrier: carrier, Transfer.tracking: tracking}).where(Transfer.id == transfer["id"])
    year, number = await number_shipment(connection, transfer["id"], transfer["supplier"], datetime.now(timezone.utc))
    # Shipped is when the money moves: the ledger lines are written in the same transaction.
    codes = {row["id"]: row["code"] for row in await Dealer.select(Dealer.id, Dealer.code).where(
        Dealer.id.is_in([transfer["requester"], transfer["supplier"]]))}
    await book_transfer(
        transfer["id"], Party(transfer["requester"], codes[transfer["requester"]]),
        Party(transfer["supplier"], codes[transfer["supplier"]]), transfer["quantity"], transfer["unit_price"],
    )
    return S.shipped.value, {"carrier": carrier, "tracking": tracking, "ddt": ddt_label(year, number)}


async def _confirm(connection, transfer, answer: Answer) -> tuple[str, dict]:
    return S.accepted.value, {}


async def _receive(connection, transfer, answer: Answer) -> tuple[str, dict]:
    return S.received.value, {}


async def _cancel(connection, transfer, answer: Answer) -> tuple[str, dict]:
    await release(connection, transfer["supplier"], transfer["part"], transfer["quantity"])
    return S.cancelled.value, {}


_STEPS = {"accept": _accept, "decline": _decline, "ship": _ship, "confirm": _confirm, "receive": _receive,
          "cancel": _cancel}


_EXPIRE = """
WITH due AS (
    SELECT id FROM transfer WHERE status = 'requested' AND expires_at <= $1
      AND NOT EXISTS (SELECT 1 FROM order_line l WHERE l.transfer = transfer.id)  -- passed over instead
    ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED
)
UPDATE transfer t SET status = 'expired', updated_at = now() FROM due WHERE t.id = due.id
RETURNING t.id, t.supplier, t.part, t.quantity
"""


async def expire_overdue(now: datetime | None = None, batch: int = 500) -> int:
    """Expire unanswered requests past their SLA and release their stock; safe to run anywhere at
    once (rows taken with SKIP LOCKED) and again (only ``requested`` rows qualify)."""
    async with Transfer._meta.db.transaction() as tx:
        connection = tx.connection
        expired = await connection.fetch(_EXPIRE, now or datetime.now(timezone.utc), batch)
        for row in expired:
            await release(connection, row["supplier"], row["part"], row["quantity"])
            await _record(row["id"], "system", S.requested.value, S.expired.value, {})
    return len(expired)

