"""At the month's change the sweeper's pulse step snapshots aged stock, rolls the closed month up and
mails each dealer its report and the managers the network's, once; and the scopes of the API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from marketplace.accounts.tables import Role
from marketplace.calendar import ROME
from marketplace.outbox.delivery import deliver_pending
from marketplace.outbox.mailers import MailFolder
from marketplace.outbox.tables import OutboxMessage
from marketplace.pulse.sweep import tick
from marketplace.pulse.tables import AgedStockSnapshot
from marketplace.wiring import connect_domains
from tests.conftest import make_key, make_user
from tests.outbox.mail import body, sent
from tests.pulse.example import build_month

FIRST_OF_NOVEMBER = datetime(2026, 11, 1, 0, 30, tzinfo=ROME)


async def test_the_first_of_the_month_snapshots_rolls_up_and_mails_each_dealer_once(tmp_path):
    month = await build_month()
    await make_user("boss@network.example", Role.network_manager)
    await make_user("admin@d001.example", Role.dealer_admin, "D001")
    await make_user("admin@d002.example", Role.dealer_admin, "D002")
    done = await tick(FIRST_OF_NOVEMBER)
    assert done["snapshots"] == 4 and done["reports"] == 5  # 4 dealers and the network
    again = await tick(FIRST_OF_NOVEMBER)
    assert again == {"snapshots": 0, "rollup_rows": 0, "reports": 0}  # once, whoever sweeps

    # October's snapshot, from the feeds' rows as of 31 October (docs/kpis.md).
    rows = await AgedStockSnapshot.select(AgedStockSnapshot.dealer, AgedStockSnapshot.value_12,
                                          AgedStockSnapshot.value_9).where(AgedStockSnapshot.period == "2026-10")
    by_dealer = {r["dealer"]: (r["value_12"], r["value_9"]) for r in rows}
    ids = month["dealers"]
    assert by_dealer[ids["D001"]] == (Decimal("180.00"), Decimal("230.00"))
    assert by_dealer[ids["D002"]] == (Decimal("60.00"), Decimal("60.00"))
    assert by_dealer[ids["D004"]] == (Decimal("0.00"), Decimal("0.00"))

    connect_domains()
    await deliver_pending(MailFolder(tmp_path))
    mails = {m["To"].addresses[0].addr_spec: m for m in sent(tmp_path)}
    assert set(mails) == {"boss@network.example", "admin@d001.example", "admin@d002.example"}
    d001 = body(mails["admin@d001.example"])
    assert "Tempo risparmiato rispetto al telefono: 0 h 17 min (3 richieste ricevute)" in d001
    assert "Tasso di evasione entro 3 giorni lavorativi: 40% (2 righe su 5)" in d001
    assert "Giacenza obsoleta (ferma da 12 mesi), al costo: 180,00 € (-40,0% dall'ingresso nella rete)" in d001
    assert "Guadagnato con le segnalazioni: 5,00 €" in d001 and "/pulse/dealers/D001?period=2026-10" in d001
    assert "il mese 10/2026" in mails["admin@d001.example"]["Subject"]
    network = body(mails["boss@network.example"])
    assert "Tempo risparmiato rispetto al telefono: 0 h 17 min (4 richieste ricevute)" in network
    assert "Concessionari attivi negli ultimi 30 giorni: 2 su 4" in network
    # D003 and D004 have no admin: their reports are given up, not retried forever, and say why.
    topics = await OutboxMessage.select(OutboxMessage.topic).where(OutboxMessage.topic == "pulse.monthly_report")
    assert len(topics) == 5


async def test_a_region_is_a_managers_scope_and_a_dealer_reads_no_region(client):
    month = await build_month()
    manager = await make_key(Role.network_manager)
    lombardy = await client.get("/api/v1/kpis", params={"period": "2026-10", "region": "lombardia"},
                                headers={"Authorization": f"Bearer {manager}"})
    assert lombardy.status_code == 200, lombardy.text
    assert lombardy.json()["scope"] == "region:Lombardia" and lombardy.json()["requests_completed"] == 4
    unknown = await client.get("/api/v1/kpis", params={"period": "2026-10", "region": "Atlantide"},
                               headers={"Authorization": f"Bearer {manager}"})
    assert unknown.status_code == 404 and unknown.json()["field"] == "region"
    dealer = await make_key(Role.dealer_admin, month["dealers"]["D001"])
    refused = await client.get("/api/v1/kpis", params={"period": "2026-10", "region": "Lombardia"},
                               headers={"Authorization": f"Bearer {dealer}"})
    assert refused.status_code == 403 and refused.json()["field"] == "region"
