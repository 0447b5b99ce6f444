"""The public shop as a customer uses it: search, product page, cart, checkout, order page."""

import re
from decimal import Decimal

import pytest

from marketplace.inventory.catalog import import_catalog
from marketplace.network.directory import forget as forget_directory
from marketplace.network.tables import NetworkSettings
from marketplace.pickup.tables import CustomerOrder
from tests.conftest import csrf_token
from tests.matching.network import stock
from tests.pickup.test_orders import milano_point, reserved  # noqa: F401  (fixture)


@pytest.fixture
async def shop(client, milano_point):  # noqa: F811
    # A 20% online discount that MAP-1's minimum advertised price stops at 12.50 (not 12.00).
    await import_catalog(b"part_number,description,list_price,map_price,channel\n"
                         b"MAP-1,Spazzola tergicristallo,15.00,12.50,online\n"
                         b"OIL-5W30,Olio motore 5W-30 1.6 TDI,20.00,,online\n")
    await NetworkSettings.update({NetworkSettings.online_discount_pct: Decimal("20")}, force=True)
    forget_directory()  # as saving the settings page does
    await stock("MI", "03L 115 562", 4)  # a customer may hold half of the network's units
    await stock("MI", "MAP-1", 2)
    await stock("MI", "AIRBAG-1", 1)
    await stock("BG", "5Q0 615 301 F", 1)
    return milano_point


async def add(client, number, quantity=1):
    token = await csrf_token(client, f"/shop/parts/{number}")
    return await client.post("/shop/cart", data={"part_number": number, "quantity": str(quantity), "action": "add",
                                                 "_csrf_token": token})


async def checkout(client, point, **fields):
    """Quote the cart near Milano, then send the checkout form with ``fields`` over the defaults."""
    cart = await client.get("/shop/cart", params={"postal_code": "20121"})
    token = re.search(r'name="_csrf_token" value="([^"]+)"', cart.text)[1]
    form = {"_csrf_token": token, "pickup_point_id": str(point), "name": "Anna", "email": "anna@example.com",
            "customer_postal_code": "20121", "postal_code": "20121", **fields}
    return cart, await client.post("/shop/checkout", data=form)


async def test_search_sells_online_parts_at_no_less_than_their_map(client, shop):
    found = await client.get("/shop", params={"q": "map-1"})
    assert found.status_code == 200 and "MAP-1" in found.text
    assert "12,50" in found.text and "15,00" not in found.text and "12,00" not in found.text
    by_words = await client.get("/shop", params={"q": "filtro"})
    assert "03L 115 562" in by_words.text and "9,60" in by_words.text  # 12.00 less 20%
    for words in ("filtri olio", "FILT", "olio filtro"):  # Italian forms, beginnings of words, any order
        assert "03L 115 562" in (await client.get("/shop", params={"q": words})).text, words
    for typed in ("5W-30", "olio 5w-30", "1.6 TDI"):  # tokens with punctuation, as typed
        assert "OIL-5W30" in (await client.get("/shop", params={"q": typed})).text, typed
    counter_only = await client.get("/shop", params={"q": "airbag"})
    assert "AIRBAG-1" not in counter_only.text and "Nessun ricambio" in counter_only.text
    assert (await client.get("/shop/parts/AIRBAG1")).status_code == 404


async def test_an_old_number_leads_to_the_part_that_replaces_it(client, shop):
    found = await client.get("/shop", params={"q": "1K0-615-301-AA"})
    assert found.status_code == 200 and "5Q0 615 301 F" in found.text
    assert "sostituito" in found.text
    product = await client.get("/shop/parts/1K0615301AA", follow_redirects=False)
    assert product.status_code == 301 and product.headers["location"] == "/shop/parts/5Q0615301F"


async def test_the_product_page_shows_the_stores_near_a_postal_code(client, shop):
    page = await client.get("/shop/parts/03L115562", params={"postal_code": "20121"})
    assert page.status_code == 200
    assert "Ritiro Milano" in page.text and "consigliato" in page.text
    bad = await client.get("/shop/parts/03L115562", params={"postal_code": "99999"})
    assert bad.status_code == 422 and "CAP" in bad.text


async def test_checkout_places_the_order_the_mailed_link_confirms_it_and_the_page_shows_the_code(client, shop):
    assert (await add(client, "03L115562", 2)).status_code == 303
    await add(client, "MAP1")
    cart = await client.get("/shop/cart", params={"postal_code": "20121"})
    assert cart.status_code == 200
    assert "31,70" in cart.text  # 2 x 9.60 + 12.50
    assert re.search(r'name="pickup_point_id" [^>]*value="%d"[^>]*checked' % shop, cart.text)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', cart.text)[1]
    token = re.search(r'name="_csrf_token" value="([^"]+)"', cart.text)[1]
    form = {"_csrf_token": token, "idempotency_key": key, "pickup_point_id": str(shop), "name": "Anna Bianchi",
            "email": "anna@example.com", "phone": "", "customer_postal_code": "20121", "postal_code": "20121"}
    placed = await client.post("/shop/checkout", data=form)
    assert placed.status_code == 303 and placed.headers["location"].startswith("/shop/orders/")
    order = await CustomerOrder.select().first()
    assert order["status"] == "unconfirmed"
    assert await reserved("MI", "03L 115 562") == (4, 2) and await reserved("MI", "MAP-1") == (2, 1)
    page = await client.get(placed.headers["location"])
    assert page.status_code == 200 and "Conferma l&#39;ordine entro 30 minuti" in page.text
    assert "anna@example.com" in page.text and order["pickup_code"] not in page.text
    assert order["confirm_token"] not in page.text  # only the mail carries the confirmation link
    assert "Ritiro Milano" in page.text and "31,70" in page.text
    assert "mk_cart" not in client.cookies  # the cart is emptied
    # The same form sent twice (a double click) places one order.
    client.cookies.set("mk_cart", "03L115562-2.MAP1-1")
    again = await client.post("/shop/checkout", data=form)
    assert again.headers["location"] == placed.headers["location"] and await CustomerOrder.count() == 1
    # The mailed link: a page with a button (a mail scanner opening the link confirms nothing).
    confirm_page = await client.get(f"/shop/confirm/{order['confirm_token']}")
    assert confirm_page.status_code == 200 and "Conferma l&#39;ordine" in confirm_page.text
    assert (await CustomerOrder.select(CustomerOrder.status).first())["status"] == "unconfirmed"
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', confirm_page.text)[1]
    confirmed = await client.post(f"/shop/confirm/{order['confirm_token']}", data={"_csrf_token": csrf})
    assert confirmed.status_code == 303 and confirmed.headers["location"] == placed.headers["location"]
    page = await client.get(placed.headers["location"])
    assert page.status_code == 200 and order["pickup_code"] in page.text and "<svg" in page.text
    assert (await CustomerOrder.select(CustomerOrder.status).first())["status"] == "placed"


async def test_checkout_with_bad_details_shows_the_fields_and_reserves_nothing(client, shop):
    await add(client, "03L115562")
    _, response = await checkout(client, shop, email="not-an-email")
    assert response.status_code == 422 and 'aria-invalid="true"' in response.text and "email valido" in response.text
    assert await CustomerOrder.count() == 0 and await reserved("MI", "03L 115 562") == (4, 0)


async def test_more_than_the_network_holds_is_refused_naming_the_part(client, shop):
    await add(client, "MAP1", 5)
    cart, response = await checkout(client, shop)
    assert "Nessun negozio entro 50 km" in cart.text  # no store can prepare 5 of a part the network holds 2 of
    assert "Solo 2 disponibili nella rete" in cart.text  # and the line says why
    assert response.status_code == 409 and "MAP-1" in response.text
    assert await reserved("MI", "MAP-1") == (2, 0)


async def test_the_customer_cancels_from_the_order_page(client, shop):
    await add(client, "03L115562")
    _, placed = await checkout(client, shop)
    link = placed.headers["location"]
    page = await client.get(link)
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)[1]
    assert (await client.post(f"{link}/cancel", data={"_csrf_token": token})).status_code == 303
    assert (await CustomerOrder.select(CustomerOrder.status).first())["status"] == "cancelled"
    assert await reserved("MI", "03L 115 562") == (4, 0)
    assert (await client.get("/shop/orders/not-a-token")).status_code == 404


async def test_a_part_taken_off_the_shop_leaves_the_cart_without_blocking_it(client, shop):
    await add(client, "03L115562")
    await add(client, "MAP1")
    await import_catalog(b"part_number,description,list_price,map_price,channel\n"
                         b"MAP-1,Spazzola tergicristallo,15.00,12.50,physical_only\n")
    cart = await client.get("/shop/cart", params={"postal_code": "20121"})
    assert "Non più in vendita online" in cart.text and "MAP1" in cart.text
    assert client.cookies["mk_cart"] == "03L115562-1"  # written back without it
    assert 'name="pickup_point_id"' in cart.text  # the rest can still be ordered


async def test_a_cart_holds_at_most_20_parts(client, shop):
    client.cookies.set("mk_cart", ".".join(f"X{n}-1" for n in range(20)))
    response = await add(client, "03L115562")
    assert response.status_code == 422 and "al massimo 20" in response.text
    assert "03L115562" not in client.cookies["mk_cart"]


async def test_tampered_numbers_get_a_clear_answer(client, shop):
    beyond = await client.get("/shop", params={"q": "filtro", "page": "99999999999999999999"})
    assert beyond.status_code == 200 and "1 ricambi trovati" in beyond.text  # the count, not 0
    for q in ("fil\x00tro", "b " * 20_000, "è ß _ ² a:* & (b | !c)"):
        assert (await client.get("/shop", params={"q": q})).status_code == 200
    await add(client, "03L115562")
    for point in ("²", "99999999999"):
        _, response = await checkout(client, shop, pickup_point_id=point)
        assert response.status_code == 422 and "Scegli un punto di ritiro" in response.text
    client.cookies.set("mk_cart", "garbage;;-1.03L115562-999")
    assert (await client.get("/shop/cart")).status_code == 200


def test_the_checkout_lists_the_nearest_stores_and_always_the_recommended_one():
    from types import SimpleNamespace

    from marketplace.pickup.shop_pages import _first_points

    points = [SimpleNamespace(pickup_point_id=n) for n in range(1, 13)]
    first, more = _first_points(points, 3)
    assert [p.pickup_point_id for p in first] == [1, 2, 3, 4, 5, 6, 7, 8] and len(more) == 4
    first, more = _first_points(points, 11)  # the territory owner's store, a little further
    assert [p.pickup_point_id for p in first] == [11, 1, 2, 3, 4, 5, 6, 7]
    assert [p.pickup_point_id for p in more] == [8, 9, 10, 12]


async def test_the_shop_speaks_english_when_asked(client, shop):
    token = await csrf_token(client, "/shop")
    switched = await client.post("/language", data={"_csrf_token": token, "language": "en", "next": "/shop"})
    assert switched.status_code == 303 and switched.headers["location"] == "/shop"
    page = await client.get("/shop", params={"q": "filtro"})
    assert "Search parts" in page.text and "available in the network" in page.text and "Cerca ricambi" not in page.text
