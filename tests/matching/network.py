"""A small network on real geography for the search and transfer tests."""

from datetime import date, datetime, timedelta, timezone

from marketplace.accounts.tables import Role
from marketplace.inventory.catalog import import_catalog
from marketplace.inventory.tables import StockItem
from marketplace.network.directory import forget as forget_directory
from marketplace.network.tables import Dealer
from tests.conftest import make_dealer, make_key

# Milano (the searcher), then Monza ~15 km, Bergamo ~45 km, Torino ~125 km, Roma ~480 km.
DEALERS = {"MI": "20121", "MZ": "20900", "BG": "24121", "TO": "10121", "RM": "00184", "CW": "37135"}
CATALOG = (
    "part_number,description,list_price,superseded_by\n"
    "1K0 615 301 AA,Disco freno anteriore,100.00,1K0 615 301 AB\n"
    "1K0 615 301 AB,Disco freno anteriore,105.00,5Q0 615 301 F\n"
    "5Q0 615 301 F,Disco freno anteriore,110.00,\n"
    "03L 115 562,Filtro olio,12.00,\n"
    "RARE-1,Centralina,900.00,\n"
)


async def build_network() -> dict[str, dict]:
    dealers = {code: await make_dealer(code, cap) for code, cap in DEALERS.items()}
    await Dealer.update({Dealer.is_central_warehouse: True}).where(Dealer.code == "CW")
    await Dealer.update({Dealer.last_feed_at: datetime.now(timezone.utc)}, force=True)
    await import_catalog(CATALOG.encode())
    forget_directory()
    return dealers


async def stock(dealer: str, part_number: str, on_hand: int, price: str = "80.00", *, reserved: int = 0,
                shared: bool = True, moved: date | None = None) -> None:
    from marketplace.inventory.tables import Part

    dealer_id = (await Dealer.select(Dealer.id).where(Dealer.code == dealer).first())["id"]
    part_id = (await Part.select(Part.id).where(Part.part_number == part_number).first())["id"]
    await StockItem.insert(StockItem(dealer=dealer_id, part=part_id, on_hand=on_hand, reserved=reserved,
                                     transfer_price=price, shared=shared,
                                     last_movement_date=moved or date.today() - timedelta(days=10)))


async def key_of(dealer: str) -> str:
    dealer_id = (await Dealer.select(Dealer.id).where(Dealer.code == dealer).first())["id"]
    return await make_key(Role.dealer_admin, dealer_id)
