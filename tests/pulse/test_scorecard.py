"""A dealer's home opens with its scorecard for this month; a manager's does not."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from marketplace.accounts.tables import Role
from marketplace.calendar import ROME
from marketplace.inventory.tables import Part, StockItem
from marketplace.matching.tables import SearchLine, Transfer, TransferEvent
from marketplace.network.tables import NetworkSettings
from marketplace.settlement.periods import period_of
from marketplace.settlement.tables import LedgerEntry, LedgerLine
from tests.conftest import make_dealer, make_user, sign_in


async def this_month_of_d001() -> None:
    """D001 searched 4 minutes before asking, and received the part; an aged row; a referral."""
    now = datetime.now(timezone.utc)
    rome = now.astimezone(ROME)
    if rome.day == 1 and rome.hour == 0 and rome.minute < 10:
        pytest.skip("the month began minutes ago: the example's moments would fall in the month before")
    d001 = (await make_dealer("D001", "20121"))["id"]
    d002 = (await make_dealer("D002", "24121"))["id"]
    clerk = await make_user("clerk@d001.example", Role.dealer_staff, "D001")
    part = (await Part.insert(Part(part_number="1K0 615 301 AA", normalized="1K0615301AA",
                                   list_price=Decimal("100.00"))).returning(Part.id))[0]["id"]
    await StockItem.insert(StockItem(dealer=d001, part=part, on_hand=4, unit_cost=Decimal("25.00"),
                                     transfer_price=Decimal("25.00"), last_movement_date=date(2020, 1, 1)))
    await NetworkSettings.update({NetworkSettings.phone_minutes_per_line: 90}, force=True)
    searched = (await SearchLine.insert(SearchLine(
        dealer=d001, user=clerk.id, number="1K0615301AA", part=part, parts=[part], quantity=1, own_available=0,
        found=True, at=now - timedelta(minutes=6))).returning(SearchLine.id))[0]["id"]
    asked = now - timedelta(minutes=2)
    transfer = (await Transfer.insert(Transfer(
        requester=d001, supplier=d002, part=part, requested_part=part, quantity=1, requested_quantity=1,
        unit_price=Decimal("20.00"), status="received", created_at=asked, expires_at=asked, search_line=searched,
    )).returning(Transfer.id))[0]["id"]
    await TransferEvent.insert(TransferEvent(transfer=transfer, at=now - timedelta(minutes=1), actor="test",
                                             from_status="shipped", to_status="received"))
    entry = (await LedgerEntry.insert(LedgerEntry(kind="order", source="order:1", period=period_of(now)))
             .returning(LedgerEntry.id))[0]["id"]
    await LedgerLine.insert(LedgerLine(entry=entry, account="dealer:D002", dealer=d002, kind="customer_payment",
                                       amount=Decimal("-12.50")),
                            LedgerLine(entry=entry, account="dealer:D001", dealer=d001, kind="referral",
                                       amount=Decimal("12.50")))


async def test_a_dealers_home_shows_its_scorecard_in_italian(client):
    await this_month_of_d001()
    assert (await sign_in(client, "clerk@d001.example")).status_code == 303
    home = await client.get("/")
    assert home.status_code == 200
    text = " ".join(home.text.split())
    assert "Questo mese hai risparmiato 1 h 26 min rispetto al telefono" in text  # 90 - 4 minutes
    assert "100,00" in text and "giacenza obsoleta (ferma da 12 mesi), al costo" in text  # 4 x 25.00, aged
    assert "100%" in text and "tasso di evasione" in text  # received as soon as asked
    assert "12,50" in text and "guadagnati con le segnalazioni questo mese" in text
    assert "you saved" not in text


async def test_a_managers_home_has_no_dealer_scorecard(client):
    await this_month_of_d001()
    await make_user("boss@network.example", Role.network_manager)
    assert (await sign_in(client, "boss@network.example")).status_code == 303
    home = await client.get("/")
    assert home.status_code == 200 and "hai risparmiato" not in home.text
