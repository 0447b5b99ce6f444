"""An endpoint's signing secret and the Standard Webhooks headers that carry its signature.

The secret must sign every delivery, so a one-way hash (as API keys are kept) will not do: it
is *derived* instead, ``HMAC-SHA256(app secret key, "webhooks:" + salt)``, where the salt is a
random value stored on the endpoint. Neither a copy of the database (salts only) nor the app's
secret key alone gives a secret away; rotating a secret is a new salt. Changing the app's secret
key changes every endpoint's secret: the integrators must then be given new ones (rotate).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

from standardwebhooks import Webhook

from marketplace.settings import get_settings

PREFIX = "whsec_"


def new_salt() -> str:
    return secrets.token_urlsafe(24)


def secret_of(salt: str) -> str:
    """The endpoint's ``whsec_...`` secret, as shown once to whoever registers it."""
    key = hmac.new(get_settings().secret_key.encode(), f"webhooks:{salt}".encode(), hashlib.sha256).digest()
    return PREFIX + base64.b64encode(key).decode()


def headers(message_id: str, timestamp: datetime, body: str, salts: list[str]) -> dict[str, str]:
    """``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` (one ``v1,...`` per secret in use)."""
    signatures = " ".join(Webhook(secret_of(salt)).sign(message_id, timestamp, body) for salt in salts)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signatures,
        "content-type": "application/json",
        "user-agent": "marketplace-webhooks/1",
    }
