"""The double-entry ledger: the lines of every completed transaction, summing to zero."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal

import asyncpg

from marketplace.db import raw_connection
from marketplace.errors import Conflict, NotFound
from marketplace.network.tables import Dealer
from marketplace.settlement.allocation import allocate, percent_of
from marketplace.settlement.period_lock import lock_period_shared
from marketplace.settlement.periods import next_period, period_of
from marketplace.settlement.rules import Rules, rules_at
from marketplace.settlement.tables import EntryKind, LedgerEntry, LedgerLine, SettlementStatus

NETWORK = "network"

# How a customer paid, which decides who holds the money (see :func:`payment_holder`).
PAID_AT_COUNTER = "counter"
PAID_ONLINE = "online"


def dealer_account(code: str) -> str:
    return f"dealer:{code}"


@dataclass(frozen=True, slots=True)
class Line:
    account: str
    kind: str
    amount: Decimal  # positive: the account receives; negative: it pays
    dealer_id: int | None = None


@dataclass(frozen=True, slots=True)
class Party:
    id: int
    code: str


def transfer_lines(requester: Party, supplier: Party, quantity: int, unit_price: Decimal, rules: Rules) -> list[Line]:
    """A shipped transfer: the requester pays the supplier the goods, and the network its handling fee."""
    goods = unit_price * quantity
    fee = rules.transfer_handling_fee
    return [
        Line(dealer_account(requester.code), "transfer_price", -goods, requester.id),
        Line(dealer_account(supplier.code), "transfer_price", goods, supplier.id),
        Line(dealer_account(requester.code), "handling_fee", -fee, requester.id),
        Line(NETWORK, "handling_fee", fee),
    ]


def payment_holder(payment_method: str, pickup: Party) -> tuple[str, int | None]:
    """The account that holds a customer's money, and so owes the parties their shares: cash taken
    at the counter is in the pickup point's dealer's till; an online payment lands at the network."""
    if payment_method == PAID_AT_COUNTER:
        return dealer_account(pickup.code), pickup.id
    if payment_method == PAID_ONLINE:
        return NETWORK, None
    raise ValueError(f"unknown payment method {payment_method!r}")


def order_lines(total: Decimal, fulfilment: list[tuple[Party, Decimal]], territory_owner: Party | None,
                pickup: Party, pickup_model: str, rules: Rules, payment_method: str = PAID_AT_COUNTER) -> list[Line]:
    """A collected order: the customer's payment, owed by whoever holds it, split among the
    fulfilling dealers, the territory owner's referral, the pickup point's fee or commission and
    the platform fee.

    Each rule's share is rounded to the cent (half up); what is left goes to the fulfilling
    dealers by their lines' value, largest remainder, so the split always adds up to the total.
    """
    referral = percent_of(total, rules.referral_pct)
    platform = percent_of(total, rules.platform_fee_pct)
    if pickup_model == "logistics_hub":
        pickup_kind, pickup_amount = "hub_commission", percent_of(total, rules.hub_pct)
    elif pickup_model in ("basic", "cross_selling"):
        pickup_kind, pickup_amount = "pickup_fee", min(rules.pickup_fee, total)
    else:
        pickup_kind, pickup_amount = "pickup_fee", Decimal("0.00")
    rest = total - referral - platform - pickup_amount
    shares = allocate(rest, [value for _, value in fulfilment])
    owner = dealer_account(territory_owner.code) if territory_owner else NETWORK
    holder, holder_id = payment_holder(payment_method, pickup)
    lines = [
        Line(holder, "customer_payment", -total, holder_id),
        Line(owner, "referral", referral, territory_owner.id if territory_owner else None),
        Line(NETWORK, "platform_fee", platform),
        Line(dealer_account(pickup.code), pickup_kind, pickup_amount, pickup.id),
    ]
    lines += [Line(dealer_account(party.code), "sale", share, party.id) for (party, _), share in zip(fulfilment, shares)]
    return [line for line in lines if line.amount != 0]


async def open_period(moment: datetime) -> tuple[str, bool]:
    """The period a transaction of ``moment`` counts in, and whether it is an adjustment (its own
    month was already approved). Call it inside the booking's transaction: each month looked at
    is locked (shared) against its approval until the booking commits."""
    period = period_of(moment)
    booked = period
    async with raw_connection() as connection:
        while True:
            await lock_period_shared(connection, booked)
            status = await connection.fetchval("SELECT status FROM settlement WHERE period = $1", booked)
            if status is None or status == SettlementStatus.draft.value:
                return booked, booked != period
            booked = next_period(booked)


async def book(kind: EntryKind, source: str, lines: list[Line], *, description: str = "",
               rules_version: int | None = None, at: datetime | None = None, reverses: int | None = None) -> int:
    """Write one transaction's lines, in the caller's transaction if any; twice is refused."""
    if sum(line.amount for line in lines) != 0:
        raise ValueError(f"the lines of {source} do not sum to zero")
    moment = at or datetime.now(timezone.utc)
    async with LedgerEntry._meta.db.transaction():
        period, adjustment = await open_period(moment)
        try:
            entry = (await LedgerEntry.insert(LedgerEntry(
                kind=kind, source=source, description=description[:500], booked_at=moment, period=period,
                adjustment=adjustment, rules_version=rules_version, reverses=reverses,
            )).returning(LedgerEntry.id))[0]["id"]
        except asyncpg.UniqueViolationError:
            raise Conflict(f"{source} is booked already", "source")
        await LedgerLine.insert(*[
            LedgerLine(entry=entry, account=line.account, dealer=line.dealer_id, kind=line.kind, amount=line.amount)
            for line in lines
        ])
    return entry


async def party_label(party: Party) -> str:
    """"D0003 · Officina Rossi": how a statement names a dealer."""
    row = await Dealer.select(Dealer.name).where(Dealer.id == party.id).first()
    return f"{party.code} · {row['name']}" if row else party.code


def _euro(amount: Decimal) -> str:
    return f"{amount:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


async def book_transfer(transfer_id: int, requester: Party, supplier: Party, quantity: int,
                        unit_price: Decimal, at: datetime | None = None) -> int:
    rules = await rules_at()
    return await book(
        EntryKind.transfer, f"transfer:{transfer_id}", transfer_lines(requester, supplier, quantity, unit_price, rules),
        description=(f"Trasferimento {transfer_id}: {quantity} × {_euro(unit_price)} € "
                     f"da {await party_label(supplier)} a {await party_label(requester)}"),
        rules_version=rules.version, at=at,
    )


async def order_description(order_id: int, pickup: Party) -> str:
    return f"Ordine {order_id} ritirato a {await party_label(pickup)}"


async def reverse(entry_id: int, reason: str = "") -> int:
    """Correct a transaction by its mirror image, dated now; a transaction is reversed at most once."""
    original = await LedgerEntry.select(LedgerEntry.id, LedgerEntry.kind, LedgerEntry.source).where(
        LedgerEntry.id == entry_id).first()
    if original is None:
        raise NotFound(f"no ledger entry {entry_id}", "entry")
    if original["kind"] == EntryKind.reversal:
        raise Conflict("a reversal is not reversed: book the transaction again", "entry")
    lines = await LedgerLine.select().where(LedgerLine.entry == entry_id)
    mirrored = [Line(l["account"], l["kind"], -l["amount"], l["dealer"]) for l in lines]
    return await book(EntryKind.reversal, f"entry:{entry_id}", mirrored, reverses=entry_id,
                      description=f"Storno di {original['source']}" + (f": {reason}" if reason else ""))
