"""The demo shows routing on first start: closures, orders waiting for acceptance, an urgent need, DDTs."""

from marketplace.network.tables import DealerClosure
from marketplace.seed import seed_network


async def test_the_demo_has_routing_data():
    await seed_network(dealers=25, parts=400, seed=3, rows_per_dealer=60)
    reasons = [r["reason"] for r in await DealerClosure.select(DealerClosure.reason)]
    assert any(r.startswith("Santo patrono") for r in reasons) and "Ferie di agosto" in reasons
