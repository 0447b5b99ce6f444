"""Health, the about page, error pages and translations."""

import re
from pathlib import Path

from marketplace.settings import PROJECT_ROOT
from marketplace.web.i18n import _catalog


async def test_health_answers_ok(client):
    response = await client.get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_health_answers_503_when_the_database_does_not(client, monkeypatch):
    from marketplace.network.tables import Dealer

    async def broken(*args, **kwargs):
        raise ConnectionRefusedError("down")

    monkeypatch.setattr(Dealer, "raw", broken)
    response = await client.get("/health")
    assert response.status_code == 503 and response.json() == {"status": "unavailable"}


async def test_about_page_shows_the_data_attribution_without_signing_in(client):
    response = await client.get("/about")
    assert response.status_code == 200
    assert "GeoNames" in response.text and "ISTAT" in response.text and "Openpolis" in response.text
    assert Path(PROJECT_ROOT / "marketplace/geo/data/README.md").exists()


async def test_static_css_is_served_from_the_package(client):
    response = await client.get("/static/app.css")
    assert response.status_code == 200 and "font" in response.text


async def test_pages_load_nothing_from_the_internet(manager):
    for path in ("/", "/network/dealers", "/network/dealers/new", "/network/users", "/catalog", "/api-keys"):
        html = (await manager.get(path)).text
        assert not re.search(r'(src|href)="(https?:)?//', html), path


async def test_unknown_page_is_a_404_page_and_unknown_api_path_is_json(manager, client):
    page = await manager.get("/no/such/page")
    assert page.status_code == 404 and "Non trovato" in page.text
    api = await client.get("/api/v1/nothing")
    assert api.status_code == 404 and api.json()["status_code"] == 404


async def test_openapi_schema_lists_the_api(client):
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/dealers" in paths and "/api/v1/catalog/import" in paths
    assert not any(p.startswith("/network/") for p in paths)


def test_every_text_in_the_templates_has_an_italian_translation():
    from marketplace.matching.search import Sort
    from marketplace.matching.tables import DeclineReason, TransferStatus

    italian = _catalog("it")
    pattern = re.compile(r"""_\(\s*(["'])(.+?)\1""")
    missing = set()
    for template in (PROJECT_ROOT / "templates").rglob("*.html"):
        for _, message in pattern.findall(template.read_text()):
            if message.endswith("_"):  # a prefix of keys made from values, checked below
                continue
            if message not in italian:
                missing.add(f"{template.name}: {message}")
    from marketplace.settlement.tables import SettlementStatus

    line_kinds = ("transfer_price", "handling_fee", "customer_payment", "referral", "platform_fee", "pickup_fee",
                  "hub_commission", "sale", "settlement_payment")
    made = [f"status_{s.value}" for s in TransferStatus] + [f"reason_{r.value}" for r in DeclineReason] + [
        f"sort_{s.value}" for s in Sort] + [f"settlement_{s.value}" for s in SettlementStatus] + [
        f"kind_{k}" for k in line_kinds] + [
        f"method_{m}" for m in ("direct_debit", "credit_transfer", "bank_transfer")] + [
        f"clearing_{c}" for c in ("central", "bilateral")] + [
        f"field_{f}" for f in ("legal_name", "iban", "sdd_mandate_ref", "bic", "creditor_id", "dealer")]
    from marketplace.calendar import WEEKDAYS
    from marketplace.pickup.order_views import TABS
    from marketplace.pickup.shop_pages import _FIELD_MESSAGES
    from marketplace.pickup.tables import OrderStatus, PickupModel

    made += [f"day_{d}" for d in WEEKDAYS] + [f"model_{m.value}" for m in PickupModel]
    made += [f"order_{s.value}" for s in OrderStatus] + [f"tab_{t}" for t in TABS] + list(_FIELD_MESSAGES.values())
    missing |= {key for key in made if key not in italian}
    assert missing == set()
