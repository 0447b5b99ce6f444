"""Valid billing data for the demo and the tests: Italian IBANs with correct check digits (and
CIN), partite IVA with a correct check digit, SEPA mandate references, the network's own data."""

from __future__ import annotations

from datetime import date

from schwifty import IBAN
from stdnum import luhn
from stdnum.eu import at_02

#: ABI + CAB of a few Italian banks' branches (real codes, fictitious accounts).
_BRANCHES = ("0306909606", "0200801633", "0503401633", "0542811101", "0326801600", "0760101600")


def demo_vat(n: int) -> str:
    """A partita IVA: 7 digits, a provincial office code (015, Milano), the Luhn check digit."""
    body = f"{n % 10_000_000:07d}015"
    if body.startswith("0000000"):
        body = "1" + body[1:]
    return body + luhn.calc_check_digit(body)


def demo_iban(n: int) -> str:
    return IBAN.generate("IT", bank_code=_BRANCHES[n % len(_BRANCHES)], account_code=f"{n:012d}").compact


def demo_creditor_id(vat: str) -> str:
    """The Italian SEPA creditor identifier: IT, check digits, ZZZ, the partita IVA (as code)."""
    check = at_02.calc_check_digits(f"ITxxZZZ{vat}")
    return f"IT{check}ZZZ{vat}"


def dealer_billing_values(n: int, code: str, name: str) -> dict:
    return {
        "legal_name": f"{name} S.r.l.", "vat_number": demo_vat(1_000 + n), "iban": demo_iban(1_000 + n),
        "sdd_mandate_ref": f"RICAMBI-{code}", "sdd_mandate_signed_on": date(2025, 1, 15),
        "billing_email": f"amministrazione@{code.lower()}.example",
    }


NETWORK_VAT = demo_vat(4_242_424)
NETWORK_BILLING = {
    "legal_name": "Rete Ricambi Italia S.p.A.", "vat_number": NETWORK_VAT, "iban": demo_iban(99),
    "bic": "BCITITMM", "creditor_id": demo_creditor_id(NETWORK_VAT),
}
