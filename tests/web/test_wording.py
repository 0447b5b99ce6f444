"""Wording: Italian agreement, no English in Italian pages, no raw keys in English pages."""

import re

from babel.messages.pofile import read_po

from marketplace.accounts.tables import Role
from marketplace.web.i18n import LOCALE_DIR, gettext_for
from tests.conftest import csrf_token, make_user, sign_in
from tests.matching.network import build_network, stock

_KEY = re.compile(r"[a-z]+(_[a-z0-9]+)+")


def _ids(language: str) -> set[str]:
    with (LOCALE_DIR / f"{language}.po").open("rb") as file:
        return {m.id for m in read_po(file, locale=language) if m.id and m.string}


def test_every_message_key_has_its_english():
    keys = {m for m in _ids("it") if _KEY.fullmatch(m)}
    assert keys - _ids("en") == set()


def test_formatted_domain_messages_are_translated_by_their_pattern():
    it = gettext_for("it")
    assert it("the supplier has 3 available, 5 asked") == "il fornitore ne ha 3 disponibili, ne sono stati chiesti 5"
    assert it("no transfer 42") == "nessun trasferimento 42"
    assert it("Not Found") == "Pagina non trovata"
    assert it("something nobody translated 7") == "something nobody translated 7"
    assert gettext_for("en")("status_received") == "received"


async def test_transfer_pages_agree_in_gender_and_name_no_raw_keys(client):
    await build_network()
    await stock("MZ", "03L 115 562", 5, "9.90")
    await make_user("banco@mi.example", Role.dealer_staff, "MI")
    await sign_in(client, "banco@mi.example")
    token = await csrf_token(client, "/search")
    made = await client.post("/transfers/request", data={"supplier": "MZ", "part_number": "03L 115 562", "quantity": "1",
                                                         "_csrf_token": token})
    detail = await client.get(made.headers["location"])
    assert re.search(r"Trasferimento 1 <span[^>]*>richiesto</span>", detail.text)
    assert "user:" not in detail.text and "banco@mi.example" in detail.text
    missing = await client.get("/transfers/999")
    assert missing.status_code == 404 and "nessun trasferimento 999" in missing.text and "Not Found" not in missing.text
    nowhere = await client.get("/no-such-page")
    assert nowhere.status_code == 404 and "Not Found" not in nowhere.text
    client.cookies.set("lang", "en")
    english = await client.get(made.headers["location"])
    assert "status_" not in english.text and ">requested</span>" in english.text
    inbox = await client.get("/transfers", params={"direction": "outgoing"})
    assert "status_" not in inbox.text
