"""CSV files for an Italian accountant: semicolons, decimal commas, Italian headers, names and
partite IVA, dates as dd/mm/yyyy, UTF-8 with a BOM (so a spreadsheet reads the accents)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from marketplace.network.billing import network_billing
from marketplace.settlement.ledger import NETWORK
from marketplace.settlement.periods import ROME
from marketplace.settlement.statement_view import KIND_LABELS, METHOD_LABELS, StatementView, account_labels

BOM = "\ufeff"


def amount_it(amount: Decimal) -> str:
    """1234.5 -> "1234,50": no thousands separator, so a spreadsheet reads it as a number."""
    return f"{amount:.2f}".replace(".", ",")


def _writer(out: io.StringIO):
    return csv.writer(out, delimiter=";", lineterminator="\r\n")


async def payments_csv(settlement: dict) -> str:
    labels = await account_labels(settlement)
    vat = {s["account"]: s.get("vat_number") or "" for s in settlement["statements"]}
    vat[NETWORK] = (await network_billing()).vat_number
    out = io.StringIO()
    writer = _writer(out)
    writer.writerow(["Pagatore", "Partita IVA pagatore", "Beneficiario", "Partita IVA beneficiario", "Modalità",
                     "Importo (EUR)"])
    for p in settlement["payments"]:
        writer.writerow([labels.get(p["payer"], p["payer"]), vat.get(p["payer"], ""), labels.get(p["payee"], p["payee"]),
                         vat.get(p["payee"], ""), METHOD_LABELS.get(p["method"], p["method"]), amount_it(p["amount"])])
    return BOM + out.getvalue()


def statement_csv(view: StatementView) -> str:
    out = io.StringIO()
    writer = _writer(out)
    writer.writerow(["Estratto conto", view.period])
    writer.writerow(["Intestatario", view.label])
    writer.writerow(["Ragione sociale", view.legal_name])
    writer.writerow(["Partita IVA", view.vat_number])
    writer.writerow([])
    writer.writerow(["Data", "Transazione", "Descrizione", "Voce", "Importo (EUR)", "Rettifica"])
    for line in view.lines:
        writer.writerow([line.booked_at.astimezone(ROME).strftime("%d/%m/%Y"), line.source, line.description,
                         line.kind_label, amount_it(line.amount), "sì" if line.adjustment else ""])
    writer.writerow([])
    writer.writerow(["Saldo iniziale", amount_it(view.opening)])
    for kind, amount in view.movements.items():
        writer.writerow([KIND_LABELS.get(kind, kind), amount_it(amount)])
    writer.writerow(["Pagamenti registrati nel mese", amount_it(view.payments_booked)])
    writer.writerow(["Saldo finale", amount_it(view.closing)])
    for payment in view.settlement:
        direction = "da ricevere da" if payment.amount > 0 else "da pagare a"
        writer.writerow([f"{payment.method_label} {direction} {payment.counterpart}", amount_it(payment.amount)])
    writer.writerow(["Riportato al mese successivo", amount_it(view.carried)])
    return BOM + out.getvalue()
