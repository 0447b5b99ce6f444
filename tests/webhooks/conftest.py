import pytest

from tests.pickup.test_orders import milano_point  # noqa: F401  (fixture)
from tests.webhooks.receiver import start_receiver


@pytest.fixture
def insecure(monkeypatch):
    """The local receiver is http:// on 127.0.0.1: allowed as in the demo."""
    monkeypatch.setenv("MARKETPLACE_WEBHOOKS_ALLOW_INSECURE", "1")


@pytest.fixture
def receiver():
    receiver = start_receiver()
    yield receiver
    receiver.close()
