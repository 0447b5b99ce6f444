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


def test_the_new_domains_errors_read_in_italian():
    it = gettext_for("it")
    assert it("transfer 12 has no transport document: it has not shipped") == (
        "il trasferimento 12 non ha documento di trasporto: non è stato spedito")
    assert it("a webhook URL must use https://") == "un URL di webhook deve usare https://"
    assert it("choose at least one event") == "scegli almeno un evento"
    assert it("a PDF, PNG or JPEG file") == "un file PDF, PNG o JPEG"
    assert it("say what the contribution is for") == "indica a cosa serve il contributo"
    assert it("nothing changed") == "nessuna modifica"
    assert it("a note of at most 2000 characters") == "una nota di al massimo 2000 caratteri"
    assert it("from 1 to 9999") == "da 1 a 9999"
    assert it("no dealer D0042") == "nessun concessionario D0042"


NEW_DOMAINS = ("incentives", "agents", "vehicles", "notifications", "webhooks", "pulse", "matching/urgent_needs.py",
               "matching/ddt.py", "matching/counter.py", "pickup/acceptance.py", "network/closures.py")


def test_every_error_raised_in_the_new_domains_has_its_italian():
    """Each Invalid/NotFound/Conflict/Forbidden message written there reads in Italian on a page."""
    import ast
    from pathlib import Path

    import marketplace

    it = gettext_for("it")
    untranslated = []
    root = Path(marketplace.__file__).parent
    for path in root.rglob("*.py"):
        if not str(path.relative_to(root)).startswith(NEW_DOMAINS):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            name = getattr(node, "func", None)
            if not (isinstance(node, ast.Call) and getattr(name, "id", getattr(name, "attr", None)) in (
                    "Invalid", "NotFound", "Conflict", "Forbidden") and node.args):
                continue
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                sample = arg.value
            elif isinstance(arg, ast.JoinedStr):
                sample = "".join(v.value if isinstance(v, ast.Constant) else "7" for v in arg.values)
            else:
                continue
            if it(sample) == sample:
                untranslated.append(f"{path.name}:{node.lineno} {sample}")
    assert untranslated == []


def test_every_key_pages_use_has_its_english():
    """Keys written in templates and code (``_("urgent_open")``), the families built there
    (``_("urgent_" + n.status)``) and the tiers (``_(tier)``) all read in English on English pages."""
    from pathlib import Path

    import marketplace
    from marketplace.network.tables import Tier

    root = Path(marketplace.__file__).parent
    english, italian = _ids("en"), _ids("it")
    literal = re.compile(r"""_\(\s*["']([a-z][a-z0-9]*(?:_[a-z0-9]+)+)["']\s*[,)]""")
    built = re.compile(r"""_\(\s*["']([a-z]+_)["']\s*[~+]""")
    sources = [*(root.parent / "templates").rglob("*.html"), *(root.parent / "templates").rglob("*.txt"), *root.rglob("*.py")]
    used, families = set(), set()
    for path in sources:
        text = path.read_text()
        used |= set(literal.findall(text))
        families |= set(built.findall(text))
    assert used - english == set()
    for family in families:
        members = {m for m in italian if m.startswith(family)}
        assert members, family  # a family nobody translated would show raw keys in both languages
        assert members - english == set(), family
    assert {t.value for t in Tier} - english == set()
