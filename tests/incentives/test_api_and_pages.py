"""GET /api/v1/dealers/{code}/incentives and the pages: who may read what, bad input, the tier's
history, rule versions, a claim uploaded and approved through the pages."""

from __future__ import annotations

import pytest

from marketplace.accounts.tables import Role
from marketplace.incentives.rules import rules_at
from marketplace.incentives.tables import MarketingClaim, TierChange
from marketplace.network.tables import Dealer
from marketplace.settlement.settlements import compute
from tests.conftest import csrf_token, make_key, make_user, sign_in
from tests.incentives.example import PDF, build_month


async def _key(code: str) -> str:
    dealer = await Dealer.select(Dealer.id).where(Dealer.code == code).first()
    return await make_key(Role.dealer_admin, dealer["id"])


async def test_a_dealer_reads_its_own_incentives(client):
    await build_month()
    await compute("2026-10")
    key = await _key("D0011")
    response = await client.get("/api/v1/dealers/D0011/incentives", params={"period": "2026-10"},
                                headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["tier"], body["online_volume"], body["fees"]) == ("urban", "5119.20", "34.00")
    assert body["progress"] == {"discount_pct": "10.00", "next_threshold": "10000.00", "next_pct": "15.00",
                                "missing": "4880.80", "thresholds": [
                                    {"threshold": "2000.00", "pct": "5.00", "reached": True, "missing": "0.00"},
                                    {"threshold": "5000.00", "pct": "10.00", "reached": True, "missing": "0.00"},
                                    {"threshold": "10000.00", "pct": "15.00", "reached": False, "missing": "4880.80"}]}
    assert body["rules"]["version"] == 1 and len(body["rules"]["progressive_discount"]) == 3
    assert [(a["kind"], a["amount"], a["rules_version"]) for a in body["applied"]] == [("rebate", "3.40", 1)]
    assert "Ti mancano 4.880,80\xa0€ di ordini online per lo sconto del 15%" in body["explanation"]


@pytest.mark.parametrize("path, params, status, field", [
    ("/api/v1/dealers/D0012/incentives", {"period": "2026-10"}, 403, "code"),  # another dealer's
    ("/api/v1/dealers/NOPE/incentives", {"period": "2026-10"}, 403, "code"),  # not even whether it exists
    ("/api/v1/dealers/D0011/incentives", {"period": "2026-13"}, 422, "period"),
    ("/api/v1/dealers/D0011/incentives", {"period": "ottobre"}, 422, "period"),
    ("/api/v1/dealers/D0011/incentives", {"period": "2099-01"}, 422, "period"),  # a month not begun, as pulse
])
async def test_a_dealer_is_refused_others_and_bad_periods(client, path, params, status, field):
    await build_month()
    response = await client.get(path, params=params, headers={"Authorization": f"Bearer {await _key('D0011')}"})
    assert response.status_code == status, response.text
    assert response.json()["field"] == field


async def test_a_manager_reads_any_dealer_and_404_for_an_unknown_one(client):
    await build_month()
    key = await make_key(Role.network_manager)
    for code, tier in (("D0012", "urban"), ("D0013", "distributor"), ("D0014", "new"), ("D0015", "provincial")):
        response = await client.get(f"/api/v1/dealers/{code}/incentives", params={"period": "2026-10"},
                                    headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 200 and response.json()["tier"] == tier
    d14 = (await client.get("/api/v1/dealers/D0014/incentives", params={"period": "2026-10"},
                            headers={"Authorization": f"Bearer {key}"})).json()
    assert d14["free_trial"] == {"from": "2026-09-15T10:00:00+00:00", "until": "2026-10-15T10:00:00+00:00"}
    response = await client.get("/api/v1/dealers/NOPE/incentives", params={"period": "2026-10"},
                                headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 404 and response.json()["field"] == "code"
    assert (await client.get("/api/v1/dealers/D0011/incentives")).status_code == 401


async def test_the_dealers_page_explains_in_italian(client):
    await build_month()
    await compute("2026-10")
    await make_user("admin@d0012.example", Role.dealer_admin, "D0012")
    await sign_in(client, "admin@d0012.example")
    page = await client.get("/incentives", params={"period": "2026-10"})
    assert page.status_code == 200
    assert "Ti mancano 1.240,00\xa0€ di ordini online per lo sconto del 10%" in page.text
    assert "I miei incentivi" in page.text and "Sconto progressivo" in page.text
    assert (await client.get("/incentives", params={"period": "2026-00"})).status_code == 422
    client.cookies.set("lang", "en")
    english = await client.get("/incentives", params={"period": "2026-10"})
    assert "You need €1,240.00 more of online orders for the 10% discount" in english.text
    assert "Progressive discount" in english.text and "kind_" not in english.text
    client.cookies.set("lang", "it")
    home = await client.get("/")  # the scorecard explains this month's incentives too
    assert home.status_code == 200 and "I tuoi incentivi" in home.text and "Ti mancano 2.000,00\xa0€" in home.text
    assert (await client.get("/network/incentives")).status_code == 403


async def test_a_manager_sets_a_tier_with_its_history_and_a_new_rules_version(manager):
    client = manager
    await build_month()
    page = await client.get("/network/incentives/dealers/D0015")
    assert page.status_code == 200 and "La regola propone" in page.text
    token = await csrf_token(client, "/network/incentives/dealers/D0015")
    response = await client.post("/network/incentives/dealers/D0015", data={
        "tier": "urban", "reason": "apre un secondo punto vendita", "_csrf_token": token})
    assert response.status_code == 303
    assert (await Dealer.select(Dealer.tier).where(Dealer.code == "D0015").first())["tier"] == "urban"
    [change] = await TierChange.select()
    assert (change["previous"], change["tier"], change["reason"], change["changed_by"]) == (
        "provincial", "urban", "apre un secondo punto vendita", "user:boss@network.example")
    refused = await client.post("/network/incentives/dealers/D0015", data={"tier": "gold", "_csrf_token": token})
    assert refused.status_code == 422 and "fascia sconosciuta" in refused.text

    token = await csrf_token(client, "/network/incentives/rules")
    bad = await client.post("/network/incentives/rules", data={
        "threshold_1": "6000", "threshold_2": "5000", "threshold_3": "10000", "_csrf_token": token})
    assert bad.status_code == 422 and (await rules_at()).version == 1
    response = await client.post("/network/incentives/rules", data={"threshold_1": "1500", "_csrf_token": token})
    assert response.status_code == 303
    rules = await rules_at()
    assert (rules.version, rules.threshold_1, rules.threshold_2) == (2, 1500, 5000)
    history = await client.get("/network/incentives/rules")
    assert "threshold_1: 2000.00 → 1500.00" in history.text


async def test_a_claim_uploaded_by_the_page_and_approved_by_a_manager(client):
    await build_month()
    await make_user("admin@d0013.example", Role.dealer_admin, "D0013")
    await sign_in(client, "admin@d0013.example")
    token = await csrf_token(client, "/incentives")
    too_big = await client.post("/incentives/claims", data={"amount": "100", "description": "Fiera",
                                                             "_csrf_token": token},
                                files={"document": ("fiera.pdf", PDF + b"0" * (5 * 1024 * 1024), "application/pdf")})
    assert too_big.status_code == 422 and await MarketingClaim.count() == 0
    assert "al massimo 5 MB" in too_big.text
    nothing = await client.post("/incentives/claims", data={"amount": "0", "description": "Fiera", "_csrf_token": token},
                                files={"document": ("fiera.pdf", PDF, "application/pdf")})
    assert nothing.status_code == 422 and "più di zero" in nothing.text and "more than zero" not in nothing.text
    sent = await client.post("/incentives/claims", data={"amount": "1200,00", "description": "Volantino co-branded",
                                                          "_csrf_token": token},
                             files={"document": ("volantino-è.pdf", PDF, "application/pdf")})
    assert sent.status_code == 303, sent.text
    [claim] = await MarketingClaim.select(MarketingClaim.id, MarketingClaim.status, MarketingClaim.content_type)
    assert (claim["status"], claim["content_type"]) == ("submitted", "application/pdf")
    document = await client.get(f"/incentives/claims/{claim['id']}/document")
    assert document.status_code == 200 and document.content == PDF
    assert document.headers["content-disposition"] == (
        "attachment; filename=\"volantino-.pdf\"; filename*=UTF-8''volantino-%C3%A8.pdf")

    await client.post("/logout", data={"_csrf_token": await csrf_token(client, "/incentives")})
    await make_user("admin@d0011.example", Role.dealer_admin, "D0011")
    await sign_in(client, "admin@d0011.example")
    assert (await client.get(f"/incentives/claims/{claim['id']}/document")).status_code == 403

    await make_user("boss@network.example", Role.network_manager)
    await sign_in(client, "boss@network.example")
    token = await csrf_token(client, "/network/incentives/claims")
    approved = await client.post(f"/network/incentives/claims/{claim['id']}/approve", data={"_csrf_token": token})
    assert approved.status_code == 303
    again = await client.post(f"/network/incentives/claims/{claim['id']}/approve", data={"_csrf_token": token})
    assert again.status_code == 409
    row = await MarketingClaim.select(MarketingClaim.status, MarketingClaim.entry).first()
    assert row["status"] == "approved" and row["entry"] is not None
    claims = await client.get("/network/incentives/claims")
    assert "approvata (pagata con la liquidazione)" in claims.text
    assert "boss@network.example" in claims.text and "user:" not in claims.text  # the person, not the actor id


async def test_a_claim_rejected_books_nothing(client):
    from marketplace.incentives.claims import submit_claim
    from marketplace.settlement.tables import LedgerEntry

    p = await build_month()
    claim = await submit_claim(p["D0013"].id, "300", "Fiera", "f.png", b"\x89PNG\r\n\x1a\n....", "user:x")
    await make_user("boss@network.example", Role.network_manager)
    await sign_in(client, "boss@network.example")
    token = await csrf_token(client, "/network/incentives/claims")
    response = await client.post(f"/network/incentives/claims/{claim}/reject", data={"note": "manca la fattura",
                                                                                     "_csrf_token": token})
    assert response.status_code == 303
    row = await MarketingClaim.select(MarketingClaim.status, MarketingClaim.note, MarketingClaim.content_type).first()
    assert row == {"status": "rejected", "note": "manca la fattura", "content_type": "image/png"}
    assert await LedgerEntry.count().where(LedgerEntry.kind == "marketing") == 0
    assert (await client.post(f"/network/incentives/claims/{claim}/pay", data={"_csrf_token": token})).status_code == 404


async def test_the_statement_shows_the_rebate_with_its_threshold(client):
    await build_month()
    await compute("2026-10")
    await make_user("admin@d0011.example", Role.dealer_admin, "D0011")
    await sign_in(client, "admin@d0011.example")
    page = await client.get("/settlements/2026-10/statements/dealer:D0011")
    assert page.status_code == 200
    assert "sconto progressivo sulle commissioni" in page.text  # the kind, in the summary
    assert ("Sconto progressivo del 10% sulle commissioni di 2026-10 (34,00\xa0€): volume online 5.119,20\xa0€, "
            "soglia di 5.000,00\xa0€ raggiunta; mancano 4.880,80\xa0€ per lo sconto del 15%") in page.text


async def test_the_managers_pages_render_every_tier(manager):
    client = manager
    await build_month()
    await compute("2026-10")
    tiers = await client.get("/network/incentives")
    assert tiers.status_code == 200 and "Fasce dei concessionari" in tiers.text
    assert "concessionario urbano (2)" in tiers.text and "grande distributore (1)" in tiers.text
    urban = await client.get("/network/incentives", params={"tier": "urban"})
    assert "D0011" in urban.text and "D0013" not in urban.text
    for code, words in (("D0011", "Ti mancano 4.880,80"), ("D0013", "Budget marketing co-branded"),
                        ("D0014", "La tua prova gratuita è terminata il"), ("D0015", "vengono servite per prime")):
        page = await client.get(f"/network/incentives/dealers/{code}", params={"period": "2026-10"})
        assert page.status_code == 200 and words in page.text, code
    assert (await client.get("/network/incentives/dealers/NOPE")).status_code == 404
    reserved = await client.get("/network/incentives/reserved")
    assert reserved.status_code == 200 and "Nessuna riserva in corso." in reserved.text
    token = await csrf_token(client, "/network/incentives/reserved")
    made = await client.post("/network/incentives/reserved", data={"_csrf_token": token})
    assert made.status_code == 200 and "0 righe di stock riservate ora." in made.text  # no central warehouse here
