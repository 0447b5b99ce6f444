"""What the search remembers for a clerk: recent searches and favourite suppliers."""

from __future__ import annotations

from marketplace.errors import NotFound
from marketplace.matching.search import split_query
from marketplace.matching.tables import FavouriteSupplier, SearchHistory
from marketplace.network.tables import Dealer

RECENT = 10


async def remember_search(user_id: int, query: str) -> None:
    query = "; ".join(split_query(query))[:500]  # a pasted list stays a list
    await SearchHistory.delete().where((SearchHistory.user == user_id) & (SearchHistory.query == query))
    await SearchHistory.insert(SearchHistory(user=user_id, query=query))
    keep = await SearchHistory.select(SearchHistory.id).where(SearchHistory.user == user_id).order_by(
        SearchHistory.at, ascending=False).limit(RECENT)
    await SearchHistory.delete().where(
        (SearchHistory.user == user_id) & SearchHistory.id.not_in([row["id"] for row in keep]))


async def recent_searches(user_id: int) -> list[str]:
    rows = await SearchHistory.select(SearchHistory.query).where(SearchHistory.user == user_id).order_by(
        SearchHistory.at, ascending=False).limit(RECENT)
    return [row["query"] for row in rows]


async def favourites(dealer_id: int) -> list[dict]:
    return await FavouriteSupplier.select(
        FavouriteSupplier.supplier.id.as_alias("id"), FavouriteSupplier.supplier.code.as_alias("code"),
        FavouriteSupplier.supplier.name.as_alias("name"), FavouriteSupplier.supplier.city.as_alias("city"),
    ).where(FavouriteSupplier.dealer == dealer_id).order_by(FavouriteSupplier.supplier.code)


async def toggle_favourite(dealer_id: int, supplier_code: str) -> bool:
    """Star or unstar a supplier; whether it is a favourite now."""
    supplier = await Dealer.select(Dealer.id).where(Dealer.code == supplier_code.strip().upper()).first()
    if supplier is None or supplier["id"] == dealer_id:
        raise NotFound(f"no other dealer {supplier_code}", "supplier")
    where = (FavouriteSupplier.dealer == dealer_id) & (FavouriteSupplier.supplier == supplier["id"])
    if await FavouriteSupplier.exists().where(where):
        await FavouriteSupplier.delete().where(where)
        return False
    await FavouriteSupplier.insert(FavouriteSupplier(dealer=dealer_id, supplier=supplier["id"]))
    return True
