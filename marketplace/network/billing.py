"""Billing data: who the monthly settlement pays and collects from, checked before it is kept.

A dealer's legal name, partita IVA, IBAN, SEPA B2B direct debit mandate and billing email; the
network's own legal name, partita IVA, IBAN, BIC and SEPA creditor identifier. Each check names
the field it refuses (a 422 on the page and over the API).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.eu import at_02
from stdnum.exceptions import ValidationError
from stdnum.it import iva

from marketplace.errors import Invalid, NotFound
from marketplace.network.tables import Dealer, NetworkSettings

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MANDATE = re.compile(r"^[A-Za-z0-9+?/:().,' -]{1,35}$")  # the SEPA character set of a mandate id


def check_vat(value: str, field: str = "vat_number") -> str:
    """A partita IVA (11 digits, check digit), 'IT' prefix and spaces allowed; '' when left empty."""
    if not value.strip():
        return ""
    try:
        return iva.validate(value)
    except ValidationError:
        raise Invalid("not a valid partita IVA (11 digits with a correct check digit)", field) from None


def check_iban(value: str, field: str = "iban") -> str:
    if not value.strip():
        return ""
    try:
        return IBAN(value).compact
    except SchwiftyException:
        raise Invalid("not a valid IBAN: check its length and check digits", field) from None


def check_bic(value: str, field: str = "bic") -> str:
    if not value.strip():
        return ""
    try:
        return str(BIC(value.strip().upper()))
    except SchwiftyException:
        raise Invalid("not a valid BIC (8 or 11 characters, e.g. BCITITMM)", field) from None


def check_creditor_id(value: str, field: str = "creditor_id") -> str:
    if not value.strip():
        return ""
    try:
        return at_02.validate(value)
    except ValidationError:
        raise Invalid("not a valid SEPA creditor identifier (e.g. IT66ZZZA1B2C3D4E5F6G7H8)", field) from None


def _text(value: str, field: str, most: int) -> str:
    value = " ".join(value.split())
    if len(value) > most:
        raise Invalid("too long", field)
    return value


def _email(value: str, field: str = "billing_email") -> str:
    value = value.strip()
    if value and (len(value) > 254 or not _EMAIL.match(value)):
        raise Invalid("not an email address", field)
    return value.lower()


def _mandate_date(signed: date | None, field: str = "sdd_mandate_signed_on") -> date | None:
    if signed is not None and signed > date.today():
        raise Invalid("a mandate is signed on a past date", field)
    return signed


@dataclass(frozen=True, slots=True)
class DealerBilling:
    legal_name: str = ""
    vat_number: str = ""
    iban: str = ""
    sdd_mandate_ref: str = ""
    sdd_mandate_signed_on: date | None = None
    billing_email: str = ""

    @classmethod
    def checked(cls, *, legal_name: str, vat_number: str, iban: str, sdd_mandate_ref: str,
                sdd_mandate_signed_on: date | None, billing_email: str) -> DealerBilling:
        """Checked field by field; the first bad one is refused by name."""
        mandate = _text(sdd_mandate_ref, "sdd_mandate_ref", 35)
        if mandate and not _MANDATE.match(mandate):
            raise Invalid("letters, digits, spaces and + ? / - : ( ) . , ' only", "sdd_mandate_ref")
        signed = _mandate_date(sdd_mandate_signed_on)
        if mandate and signed is None:
            raise Invalid("give the date the mandate was signed", "sdd_mandate_signed_on")
        if signed and not mandate:
            raise Invalid("give the mandate's reference", "sdd_mandate_ref")
        return cls(
            legal_name=_text(legal_name, "legal_name", 200), vat_number=check_vat(vat_number),
            iban=check_iban(iban), sdd_mandate_ref=mandate, sdd_mandate_signed_on=signed,
            billing_email=_email(billing_email),
        )

    def blockers(self, *, collected: bool) -> list[str]:
        """What keeps a bank line to or from this dealer out of a SEPA file."""
        missing = []
        if not self.legal_name:
            missing.append("legal_name")
        if not _iban_ok(self.iban):
            missing.append("iban")
        if collected and not (self.sdd_mandate_ref and self.sdd_mandate_signed_on):
            missing.append("sdd_mandate_ref")
        return missing


def _iban_ok(value: str) -> bool:
    try:
        return bool(value) and check_iban(value) == value
    except Invalid:
        return False


_DEALER_COLUMNS = (Dealer.legal_name, Dealer.vat_number, Dealer.iban, Dealer.sdd_mandate_ref,
                   Dealer.sdd_mandate_signed_on, Dealer.billing_email)


async def dealer_billing(code: str) -> DealerBilling:
    row = await Dealer.select(*_DEALER_COLUMNS).where(Dealer.code == code.strip().upper()).first()
    if row is None:
        raise NotFound(f"no dealer with code {code}", "code")
    return DealerBilling(**row)


async def billing_by_dealer_id(ids: list[int]) -> dict[int, tuple[str, str, DealerBilling]]:
    """Each dealer's code, name and billing data."""
    if not ids:
        return {}
    rows = await Dealer.select(Dealer.id, Dealer.code, Dealer.name, *_DEALER_COLUMNS).where(Dealer.id.is_in(ids))
    return {r.pop("id"): (r.pop("code"), r.pop("name"), DealerBilling(**r)) for r in rows}


async def update_dealer_billing(code: str, billing: DealerBilling) -> None:
    updated = await Dealer.update({
        Dealer.legal_name: billing.legal_name, Dealer.vat_number: billing.vat_number, Dealer.iban: billing.iban,
        Dealer.sdd_mandate_ref: billing.sdd_mandate_ref, Dealer.sdd_mandate_signed_on: billing.sdd_mandate_signed_on,
        Dealer.billing_email: billing.billing_email,
    }).where(Dealer.code == code.strip().upper()).returning(Dealer.id)
    if not updated:
        raise NotFound(f"no dealer with code {code}", "code")


@dataclass(frozen=True, slots=True)
class NetworkBilling:
    legal_name: str = ""
    vat_number: str = ""
    iban: str = ""
    bic: str = ""
    creditor_id: str = ""

    @classmethod
    def checked(cls, *, legal_name: str, vat_number: str, iban: str, bic: str, creditor_id: str) -> NetworkBilling:
        return cls(legal_name=_text(legal_name, "legal_name", 200), vat_number=check_vat(vat_number),
                   iban=check_iban(iban), bic=check_bic(bic), creditor_id=check_creditor_id(creditor_id))

    def blockers(self) -> list[str]:
        """What the SEPA files need of the network itself."""
        return [name for name in ("legal_name", "iban", "bic", "creditor_id") if not getattr(self, name)]


async def network_billing() -> NetworkBilling:
    row = await NetworkSettings.select(
        NetworkSettings.legal_name, NetworkSettings.vat_number, NetworkSettings.iban, NetworkSettings.bic,
        NetworkSettings.creditor_id).first()
    return NetworkBilling(**row) if row else NetworkBilling()


async def update_network_billing(billing: NetworkBilling) -> None:
    await NetworkSettings.update({
        NetworkSettings.legal_name: billing.legal_name, NetworkSettings.vat_number: billing.vat_number,
        NetworkSettings.iban: billing.iban, NetworkSettings.bic: billing.bic,
        NetworkSettings.creditor_id: billing.creditor_id,
    }, force=True)
