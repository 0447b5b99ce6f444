"""What a dealer is notified of: the kinds, their priority, and where each one's link leads.

Low-priority kinds may go to a daily digest instead of a mail each (a user's preference); the
others are mailed at once to the dealer's notification address and to each user who wants them.
"""

from __future__ import annotations

from marketplace.settings import get_settings

#: kind -> (Italian label, English label); the order is the preferences page's.
KINDS: dict[str, tuple[str, str]] = {
    "transfer.requested": ("Nuova richiesta di trasferimento", "New transfer request"),
    "transfer.expiring": ("Richiesta in scadenza tra un'ora", "Request expiring within the hour"),
    "transfer.offered": ("Offerta da confermare", "Offer to confirm"),
    "transfer.shipped": ("Spedizione in arrivo", "Shipment on its way"),
    "urgent_need": ("Richiesta urgente nel tuo raggio", "Urgent need in your area"),
    "order.new": ("Nuovo ordine online da preparare", "New online order to prepare"),
    "order.offered": ("Ordine online da accettare", "Online order to accept"),
}
LOW_PRIORITY = frozenset({"transfer.offered", "transfer.shipped"})

#: Outbox topic -> kind, for the topics this domain mails (``order.new`` is pickup's mail: this
#: domain only adds its notification and the dealer's address, see wiring.py).
TOPIC_KINDS = {
    "transfer.requested": "transfer.requested",
    "transfer.expiring": "transfer.expiring",
    "transfer.offered": "transfer.offered",
    "transfer.shipped": "transfer.shipped",
    "notification.urgent_need": "urgent_need",
    "order.new": "order.new",
    # The routing branch's offer of an online order's lines to a source dealer ({order_id, dealer_id}).
    "order.offered": "order.offered",
}


def path_of(kind: str, subject_id: int) -> str:
    """The page that opens the item, on this site."""
    if kind.startswith("transfer."):
        return f"/transfers/{subject_id}"
    if kind == "order.new":
        return f"/pickup/orders/{subject_id}"
    if kind == "order.offered":  # the source dealer accepts on its offers page, not the store's counter
        return f"/pickup/offers#order-{subject_id}"
    return f"/urgent#need-{subject_id}"  # the urgent needs page, at that need


def link_of(path: str) -> str:
    return f"{get_settings().base_url}{path}"
