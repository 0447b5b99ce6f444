"""A dealer's notification address, each user's preferences, the in-app notifications and how far
each user has read them. Written only by this domain; constraints in migrations/notifications."""

from piccolo.columns import JSONB, BigInt, Boolean, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from marketplace.accounts.tables import User
from marketplace.network.tables import Dealer


class NotificationAddress(Table):
    """Where a dealer's notifications go whoever is on duty: the shop's shared mailbox."""

    dealer = ForeignKey(references=Dealer, unique=True, on_delete=OnDelete.cascade)
    email = Varchar(length=254)
    updated_at = Timestamptz(default=TimestamptzNow())


class NotificationPreference(Table):
    user = ForeignKey(references=User, unique=True, on_delete=OnDelete.cascade)
    # The kinds this user is mailed (kinds.KINDS); no row means every kind, at once.
    kinds = JSONB(default=[])
    # Low-priority kinds in one mail a day instead of one each.
    digest = Boolean(default=False)


class Notification(Table):
    dealer = ForeignKey(references=Dealer, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=40)
    subject_id = BigInt()  # the transfer, order or need it is about
    link = Text()
    summary = JSONB(default={})  # what the list shows (part number, quantity, other dealer...)
    created_at = Timestamptz(default=TimestamptzNow())


class NotificationRead(Table):
    """Everything of the user's dealer up to this notification id has been seen."""

    user = ForeignKey(references=User, unique=True, on_delete=OnDelete.cascade)
    read_up_to = Integer(default=0)
