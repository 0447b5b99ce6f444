"""A year of money for the demo: transfers and click-and-collect orders in each of the twelve
months before this one, with their ledger lines, then every month settled, approved and paid,
except the last, which waits as a draft for the manager. The current month keeps its live data.

The history is written by COPY (thousands of rows in a few statements); the ledger lines come from
the same functions the live flow books with (transfer_lines, order_lines), so they balance and
follow the commission rules in force.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from marketplace.calendar import ROME, is_working_day
from marketplace.seed_billing import NETWORK_BILLING, dealer_billing_values
from marketplace.settlement.ledger import Line, Party, order_lines, transfer_lines
from marketplace.settlement.periods import period_bounds, period_of
from marketplace.settlement.rules import Rules, rules_at

MONTHS = 12
_CARRIERS = ("BRT", "GLS", "SDA", "furgone proprio", "TNT")
_NAMES = ("Marco Rossi", "Giulia Bianchi", "Luca Ferrari", "Sara Romano", "Andrea Colombo", "Chiara Ricci",
          "Matteo Marino", "Francesca Greco", "Davide Bruno", "Elena Gallo", "Paolo Conti", "Anna De Luca")
_CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True, slots=True)
class _Dealer:
    id: int
    code: str
    name: str
    postal_code: str
    central: bool
    point: int | None
    model: str


@dataclass
class _Rows:
    transfers: list[tuple]
    events: list[tuple]
    orders: list[tuple]
    order_lines: list[tuple]
    entries: list[tuple]
    lines: list[tuple]
    moved: dict[tuple[int, int], date]


def history_months(today: date) -> list[str]:
    """The twelve months before ``today``'s, oldest first."""
    period = period_of(datetime.combine(today, time(12), ROME))
    months = []
    for _ in range(MONTHS):
        year, month = int(period[:4]), int(period[5:])
        period = f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"
        months.append(period)
    return months[::-1]


def _moment(rng: random.Random, period: str) -> datetime:
    """A weekday working hour in the month, Rome time."""
    start = period_bounds(period)[0].astimezone(ROME).date()
    day = start + timedelta(days=rng.randrange(22))  # so shipping and collection stay in the month
    while not is_working_day(day):
        day += timedelta(days=1)
    return datetime.combine(day, time(rng.randint(8, 17), rng.randrange(60)), ROME).astimezone(timezone.utc)


def _euro(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


def _label(dealer: _Dealer) -> str:
    return f"{dealer.code} · {dealer.name}"


class _Writer:
    """Ids assigned here (the tables are empty of history), rows collected for COPY."""

    def __init__(self, starts: dict[str, int], rules: Rules) -> None:
        self.next = dict(starts)
        self.rules = rules
        self.rows = _Rows([], [], [], [], [], [], {})

    def _id(self, table: str) -> int:
        self.next[table] += 1
        return self.next[table]

    def entry(self, kind: str, source: str, description: str, at: datetime, lines: list[Line]) -> None:
        entry = self._id("ledger_entry")
        self.rows.entries.append((entry, kind, source, description, at, period_of(at), False, self.rules.version))
        self.rows.lines += [(entry, l.account, l.dealer_id, l.kind, l.amount) for l in lines]

    def transfer(self, requester: _Dealer, supplier: _Dealer, part: int, quantity: int, price: Decimal,
                 at: datetime, note: str = "") -> int:
        transfer = self._id("transfer")
        shipped, received = at + timedelta(hours=20), at + timedelta(days=2)
        self.rows.transfers.append((transfer, requester.id, supplier.id, part, part, quantity, quantity, price,
                                    "received", note, "", "", "", at, at + timedelta(hours=4), received))
        for step, (before, after, when) in enumerate((
                (None, "requested", at), ("requested", "accepted", at + timedelta(hours=1)),
                ("accepted", "shipped", shipped), ("shipped", "received", received))):
            self.rows.events.append((self._id("transfer_event"), transfer, when, "system", before, after, "{}"))
        self.entry("transfer", f"transfer:{transfer}",
                   f"Trasferimento {transfer}: {quantity} × {_euro(price)} € da {_label(supplier)} a {_label(requester)}",
                   shipped, transfer_lines(Party(requester.id, requester.code), Party(supplier.id, supplier.code),
                                           quantity, price, self.rules))
        self.rows.moved[(supplier.id, part)] = max(self.rows.moved.get((supplier.id, part), date.min),
                                                   shipped.astimezone(ROME).date())
        return transfer


def _month(rng: random.Random, w: _Writer, period: str, n: int, dealers: list[_Dealer], stock: list[tuple],
           owners: dict[str, _Dealer]) -> None:
    by_id = {d.id: d for d in dealers}
    ordinary = [d for d in dealers if not d.central]
    caps = list(owners)
    growth = 0.5 + n / MONTHS  # click and collect grows over the year
    for _ in range(rng.randint(220, 320)):
        supplier_id, part, price, _ = stock[rng.randrange(len(stock))]
        requester = rng.choice(ordinary)
        if requester.id == supplier_id:
            continue
        w.transfer(requester, by_id[supplier_id], part, rng.choice((1, 1, 1, 2, 2, 3, 4)), price, _moment(rng, period))
    for _ in range(int(rng.randint(90, 140) * growth)):
        source_id, part, price, list_price = stock[rng.randrange(len(stock))]
        source = by_id[source_id]
        point = source if rng.random() < 0.7 or source.central else rng.choice(ordinary)
        if point.point is None:
            continue
        placed = _moment(rng, period)
        collected = placed + timedelta(days=rng.choice((1, 1, 2, 3, 4)), hours=2)
        quantity = rng.choice((1, 1, 1, 2))
        total = list_price * quantity
        transfer = None
        if point.id != source.id:  # the part travels to the store by an agreed transfer; the store sells it
            transfer = w.transfer(point, source, part, quantity, price, placed, note="per un ordine click and collect")
        cap = point.postal_code if rng.random() < 0.6 else rng.choice(caps)
        owner = owners.get(cap)
        order = w._id("customer_order")
        w.rows.orders.append((
            order, point.point, owner.id if owner else None, rng.choice(_NAMES), f"cliente{order}@example.com", "",
            cap, "collected", "".join(rng.choice(_CODE_LETTERS) for _ in range(8)), f"storico-{order:012d}", total,
            "counter", total, placed, placed + timedelta(hours=3), collected, collected.astimezone(ROME).date()))
        w.rows.order_lines.append((w._id("order_line"), order, part, quantity, list_price, source.id, transfer))
        seller = point if transfer else source
        w.entry("order", f"order:{order}", f"Ordine {order} ritirato a {_label(point)}", collected, order_lines(
            total, [(Party(seller.id, seller.code), total)], Party(owner.id, owner.code) if owner else None,
            Party(point.id, point.code), point.model, w.rules, payment_method="counter"))
        if not transfer:
            w.rows.moved[(source.id, part)] = max(w.rows.moved.get((source.id, part), date.min),
                                                  collected.astimezone(ROME).date())


async def _load(connection) -> tuple[list[_Dealer], list[tuple], dict[str, _Dealer]]:
    dealers = [_Dealer(r["id"], r["code"], r["name"], r["postal_code"], r["is_central_warehouse"], r["point"],
                       r["model"] or "basic") for r in await connection.fetch(
        "SELECT d.id, d.code, d.name, d.postal_code, d.is_central_warehouse, p.id AS point, p.model FROM dealer d"
        " LEFT JOIN LATERAL (SELECT id, model FROM pickup_point WHERE dealer = d.id ORDER BY id LIMIT 1) p ON true"
        " ORDER BY d.code")]
    # A fixed sample of shared stock (the same one for the same seed): what was traded.
    stock = [tuple(r) for r in await connection.fetch(
        "SELECT s.dealer, s.part, s.transfer_price, p.list_price FROM stock_item s JOIN part p ON p.id = s.part"
        " WHERE s.shared AND s.on_hand > 0 AND s.transfer_price > 0 AND p.list_price > 0"
        " ORDER BY hashtext(s.dealer::text || ':' || s.part::text), s.dealer, s.part LIMIT 8000")]
    owners: dict[str, _Dealer] = {}
    for d in dealers:
        if not d.central:
            owners.setdefault(d.postal_code, d)
    return dealers, stock, owners


async def _copy(connection, rows: _Rows) -> None:
    await connection.copy_records_to_table("transfer", columns=[
        "id", "requester", "supplier", "part", "requested_part", "quantity", "requested_quantity", "unit_price",
        "status", "note", "carrier", "tracking", "request_fingerprint", "created_at", "expires_at", "updated_at"],
        records=rows.transfers)
    await connection.copy_records_to_table("transfer_event", columns=[
        "id", "transfer", "at", "actor", "from_status", "to_status", "detail"], records=rows.events)
    await connection.copy_records_to_table("customer_order", columns=[
        "id", "pickup_point", "territory_owner", "customer_name", "customer_email", "customer_phone",
        "customer_postal_code", "status", "pickup_code", "token", "total", "payment_method", "paid_amount",
        "created_at", "ready_at", "updated_at", "promised_for"], records=rows.orders)
    await connection.copy_records_to_table("order_line", columns=[
        "id", "order", "part", "quantity", "unit_price", "source_dealer", "transfer"], records=rows.order_lines)
    await connection.copy_records_to_table("ledger_entry", columns=[
        "id", "kind", "source", "description", "booked_at", "period", "adjustment", "rules_version"],
        records=rows.entries)
    # One statement: the balance trigger checks every entry of the COPY at once.
    await connection.copy_records_to_table("ledger_line", columns=["entry", "account", "dealer", "kind", "amount"],
                                           records=rows.lines)
    for table in ("transfer", "transfer_event", "customer_order", "order_line", "ledger_entry"):
        await connection.execute(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
    # The stock those sales and shipments moved ages from then on.
    keys = list(rows.moved)
    await connection.execute(
        "UPDATE stock_item s SET last_movement_date = GREATEST(s.last_movement_date, m.moved)"
        " FROM unnest($1::int[], $2::int[], $3::date[]) AS m(dealer, part, moved)"
        " WHERE s.dealer = m.dealer AND s.part = m.part",
        [k[0] for k in keys], [k[1] for k in keys], [rows.moved[k] for k in keys])


async def _billing(connection, dealers: list[_Dealer]) -> None:
    """Every dealer's billing data (valid IBANs and partite IVA, a signed B2B mandate), the network's."""
    values = [dealer_billing_values(n, d.code, d.name) for n, d in enumerate(dealers)]
    await connection.execute(
        "UPDATE dealer d SET legal_name = v.legal_name, vat_number = v.vat, iban = v.iban, sdd_mandate_ref = v.mandate,"
        " sdd_mandate_signed_on = v.signed, billing_email = v.email"
        " FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::date[], $7::text[])"
        " AS v(id, legal_name, vat, iban, mandate, signed, email) WHERE d.id = v.id",
        [d.id for d in dealers], [v["legal_name"] for v in values], [v["vat_number"] for v in values],
        [v["iban"] for v in values], [v["sdd_mandate_ref"] for v in values],
        [v["sdd_mandate_signed_on"] for v in values], [v["billing_email"] for v in values])
    await connection.execute(
        "UPDATE network_settings SET legal_name = $1, vat_number = $2, iban = $3, bic = $4, creditor_id = $5",
        NETWORK_BILLING["legal_name"], NETWORK_BILLING["vat_number"], NETWORK_BILLING["iban"], NETWORK_BILLING["bic"],
        NETWORK_BILLING["creditor_id"])


async def seed_history(connection, seed: int, today: date | None = None) -> list[str]:
    """Write the year's transactions (in the caller's transaction); the months written."""
    today = today or datetime.now(ROME).date()
    dealers, stock, owners = await _load(connection)
    await _billing(connection, dealers)
    if not stock:
        return []
    starts = {table: await connection.fetchval(f"SELECT coalesce(max(id), 0) FROM {table}") for table in (
        "transfer", "transfer_event", "customer_order", "order_line", "ledger_entry")}
    writer = _Writer(starts, await rules_at())
    rng = random.Random(seed * 7919 + 11)
    months = history_months(today)
    for n, period in enumerate(months):
        _month(rng, writer, period, n, dealers, stock, owners)
    await _copy(connection, writer.rows)
    return months


async def settle_history(months: list[str]) -> None:
    """Every month approved and its payments recorded on its payment date, but the last: a draft."""
    from marketplace.settlement.settlements import approve, compute, get_settlement, record_payments

    for period in months[:-1]:
        closed = period_bounds(period)[1].astimezone(ROME) + timedelta(days=4, hours=9)
        await compute(period, closed.date())
        await approve(period, "demo", closed.astimezone(timezone.utc))
        paid_on = (await get_settlement(period))["payment_date"]
        await record_payments(period, "demo", paid_on, today=paid_on)
    await compute(months[-1])
