"""The two mailers and the settings that choose between them."""

import asyncio
from dataclasses import replace
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest

from marketplace.outbox.mailers import MailFolder, SmtpMailer, configured_mailer
from marketplace.settings import _mail_settings, get_settings


def _message() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Marketplace ricambi <noreply@example.com>"
    message["To"] = "Mario Rossi <mario@example.com>"
    message["Subject"] = "Ordine 7 pronto / Order 7 ready"
    message["X-Outbox-Id"] = "7"
    message.set_content("Il tuo ordine è pronto: 24,00 €\n")
    return message


class FakeSmtpServer:
    """Just enough SMTP (no TLS, no login) to see what smtplib hands over."""

    def __init__(self) -> None:
        self.envelopes: list[dict] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 fake ESMTP\r\n")
        envelope: dict = {"rcpt": []}
        while line := await reader.readline():
            command = line[:4].upper()
            if command in (b"EHLO", b"HELO"):
                writer.write(b"250-fake\r\n250 8BITMIME\r\n")
            elif command == b"MAIL":
                envelope["from"] = line.decode().strip()
                writer.write(b"250 ok\r\n")
            elif command == b"RCPT":
                envelope["rcpt"].append(line.decode().strip())
                writer.write(b"250 ok\r\n")
            elif command == b"DATA":
                writer.write(b"354 go on\r\n")
                await writer.drain()
                data = []
                while (chunk := await reader.readline()) != b".\r\n":
                    data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                envelope["data"] = b"".join(data)
                self.envelopes.append(envelope)
                envelope = {"rcpt": []}
                writer.write(b"250 queued\r\n")
            elif command == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            else:
                writer.write(b"250 ok\r\n")
            await writer.drain()
        writer.close()


async def test_smtp_sends_through_the_server_without_blocking():
    fake = FakeSmtpServer()
    server = await asyncio.start_server(fake.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    settings = replace(get_settings().mail, smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none")
    try:
        mailer = configured_mailer(settings)
        assert isinstance(mailer, SmtpMailer)
        await mailer.send(_message())
    finally:
        server.close()
        await server.wait_closed()
    [envelope] = fake.envelopes
    assert "mario@example.com" in envelope["rcpt"][0] and "noreply@example.com" in envelope["from"]
    received = message_from_bytes(envelope["data"], policy=default_policy)
    assert received["Subject"] == "Ordine 7 pronto / Order 7 ready"
    assert "24,00 €" in received.get_content()


async def test_an_smtp_server_that_does_not_answer_is_an_error_to_retry():
    server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    mailer = SmtpMailer(replace(get_settings().mail, smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none"))
    with pytest.raises(OSError):
        await mailer.send(_message())


async def test_the_folder_writes_one_readable_eml_per_message(tmp_path):
    folder = MailFolder(tmp_path / "mail")
    await folder.send(_message())
    await folder.send(_message())
    files = sorted((tmp_path / "mail").iterdir())
    assert len(files) == 2 and all(f.suffix == ".eml" and f.name.endswith("-00000007.eml") for f in files)
    assert message_from_bytes(files[0].read_bytes(), policy=default_policy).get_content().startswith("Il tuo ordine")


def test_the_folder_is_the_default_and_smtp_needs_a_host(monkeypatch, tmp_path):
    for name in ("MARKETPLACE_SMTP_HOST", "MARKETPLACE_SMTP_PORT", "MARKETPLACE_SMTP_TLS", "MARKETPLACE_MAIL_DIR"):
        monkeypatch.delenv(name, raising=False)
    settings = _mail_settings(tmp_path)
    assert settings.folder == tmp_path / "mail" and settings.smtp_host is None
    assert isinstance(configured_mailer(settings), MailFolder)
    monkeypatch.setenv("MARKETPLACE_SMTP_HOST", "smtp.example.com")
    monkeypatch.setenv("MARKETPLACE_SMTP_TLS", "ssl")
    settings = _mail_settings(tmp_path)
    assert (settings.smtp_host, settings.smtp_port) == ("smtp.example.com", 465)
    monkeypatch.setenv("MARKETPLACE_SMTP_TLS", "maybe")
    with pytest.raises(ValueError):
        _mail_settings(tmp_path)
