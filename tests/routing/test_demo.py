"""The demo shows routing on first start: closures, orders waiting for acceptance, an urgent need, DDTs."""

from marketplace.matching.tables import Transfer, UrgentNeed
from marketplace.network.tables import Dealer, DealerClosure
from marketplace.pickup.tables import OrderLine
from marketplace.seed import seed_network


async def test_the_demo_has_routing_data():
    await seed_network(dealers=25, parts=400, seed=3, rows_per_dealer=60)
    reasons = [r["reason"] for r in await DealerClosure.select(DealerClosure.reason)]
    assert any(r.startswith("Santo patrono") for r in reasons) and "Ferie di agosto" in reasons
    shipped = await Transfer.count().where(Transfer.status.is_in(["shipped", "received"]))
    assert shipped > 100 and await Transfer.count().where(Transfer.ddt_number.is_not_null()) == shipped
    duplicates = await Transfer.raw("SELECT supplier, ddt_year, ddt_number FROM transfer WHERE ddt_number IS NOT NULL"
                                    " GROUP BY 1, 2, 3 HAVING count(*) > 1")
    assert duplicates == []
    assert await Dealer.count().where(Dealer.phone == "") == 0
    assert await OrderLine.count().where(
        (OrderLine.transfer.status == "requested") & (OrderLine.order.status == "placed")) >= 1  # orders to accept
    assert await UrgentNeed.count().where(UrgentNeed.status == "open") >= 1
