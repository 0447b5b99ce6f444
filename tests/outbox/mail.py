"""Orders to write messages about, mailers that fail or listen, and reading what was sent."""

from __future__ import annotations

from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

from marketplace.accounts.tables import Role, User
from marketplace.pickup.tables import CustomerOrder
from tests.conftest import make_user
from tests.matching.network import stock
from tests.pickup.test_orders import order


class FailingMailer:
    def __init__(self) -> None:
        self.tries = 0

    async def send(self, message: EmailMessage) -> None:
        self.tries += 1
        raise ConnectionRefusedError("the mail server is down")


async def place(client, point: int, quantity: int = 1) -> dict:
    """An order of oil filters at ``point`` (Milano's dealer holds them), with its token."""
    response = await order(client, point, [{"part_number": "03L115562", "quantity": quantity}])
    assert response.status_code == 201, response.text
    body = response.json()
    row = await CustomerOrder.select(CustomerOrder.token).where(CustomerOrder.id == body["id"]).first()
    body["token"] = row["token"]
    return body


async def milano_staff() -> None:
    """Two people at MI who get store messages, one who left, and a manager who does not."""
    await make_user("counter@mi.example", Role.dealer_staff, "MI")
    await make_user("owner@mi.example", Role.dealer_admin, "MI")
    await make_user("left@mi.example", Role.dealer_staff, "MI")
    await User.update({User.active: False}).where(User.email == "left@mi.example")
    await make_user("director@network.example", Role.network_manager)


async def stocked() -> None:
    await stock("MI", "03L 115 562", 10)


def sent(folder: Path) -> list[EmailMessage]:
    """The messages in a mail folder, oldest first."""
    return [message_from_bytes(path.read_bytes(), policy=default_policy) for path in sorted(folder.glob("*.eml"))]


def body(message: EmailMessage) -> str:
    """The plain text, with the no-break spaces money is written with made plain."""
    return message.get_body(preferencelist=("plain",)).get_content().replace("\xa0", " ")
