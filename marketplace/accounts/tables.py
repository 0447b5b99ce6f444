"""Network users, API keys, login attempts and web sessions."""

from enum import Enum

from piccolo.columns import Boolean, ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from marketplace.network.tables import Dealer


class Role(str, Enum):
    dealer_staff = "dealer_staff"
    dealer_admin = "dealer_admin"
    network_manager = "network_manager"
    # An importer's employee coaching a list of dealers (marketplace/agents/); may act for them.
    zone_agent = "zone_agent"


DEALER_ROLES = frozenset({Role.dealer_staff, Role.dealer_admin})
#: Roles that belong to the network, not to a dealer.
NETWORK_ROLES = frozenset({Role.network_manager, Role.zone_agent})


class User(Table, tablename="network_user"):
    email = Varchar(length=254, unique=True, index=True)
    name = Varchar(length=200, default="")
    password_hash = Varchar(length=200)
    role = Varchar(length=20, choices=Role)
    # Staff belong to one dealer; managers belong to the network (no dealer).
    dealer = ForeignKey(references=Dealer, null=True, default=None)
    active = Boolean(default=True)
    language = Varchar(length=2, default="it")
    created_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)


class ApiKey(Table):
    # The public part of the key, shown in lists so a key can be recognised after creation.
    prefix = Varchar(length=16, unique=True)
    key_hash = Varchar(length=64, unique=True, index=True)
    name = Varchar(length=100, default="")
    role = Varchar(length=20, choices=Role)
    dealer = ForeignKey(references=Dealer, null=True, default=None)
    # A zone agent's key is the agent's own (the API knows which agent calls).
    user = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.cascade)
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)
    last_used_at = Timestamptz(null=True, default=None)


class LoginAttempt(Table):
    email = Varchar(length=254, index=True)
    ip = Varchar(length=64, index=True)
    succeeded = Boolean(default=False)
    at = Timestamptz(default=TimestamptzNow(), index=True)


class WebSession(Table):
    """A signed-in browser. The cookie holds a random token; only its hash is stored."""

    token_hash = Varchar(length=64, unique=True, index=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(index=True)
    # A zone agent's session acting for one of its dealers (marketplace/agents/); None otherwise.
    acting_for = ForeignKey(references=Dealer, null=True, default=None, on_delete=OnDelete.set_null)
