"""Delivery over TLS against the real SMTP server process: `smtps://` (TLS from the first
byte) and `?starttls=true`, with a certificate from a throwaway CA (trustme) that the client
trusts through `SSL_CERT_FILE`, as a shop's own CA would be; and what happens when the
certificate is not trusted or the server wants STARTTLS and the URL does not ask for it."""

from __future__ import annotations

from pathlib import Path

import pytest
import trustme
from smtp_fixtures import NOW, SmtpServer, engine, queue, rows, smtp_factory
from sqlalchemy import Engine

from orderwf.service.outbox import send_pending

__all__ = ["engine", "smtp_factory"]

pytestmark = pytest.mark.smtp


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """(the server's key and certificate chain, the CA's certificate), both PEM files."""
    ca = trustme.CA()
    server_pem = tmp_path / "server.pem"
    ca_pem = tmp_path / "ca.pem"
    ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(server_pem))
    ca.cert_pem.write_to_path(str(ca_pem))
    return server_pem, ca_pem


@pytest.fixture
def trusted(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """The throwaway CA trusted by `ssl.create_default_context()` for the test; the server's
    PEM file."""
    server_pem, ca_pem = certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_pem))
    return server_pem


@pytest.mark.parametrize(
    ("mode", "url"),
    [
        ("--tls", "smtps://127.0.0.1:{port}"),
        ("--starttls", "smtp://127.0.0.1:{port}?starttls=true"),
    ],
    ids=["smtps", "starttls"],
)
def test_delivers_over_tls(
    engine: Engine, smtp_factory: SmtpServer, trusted: Path, mode: str, url: str
) -> None:
    smtp = smtp_factory.start(mode, str(trusted))
    ids = queue(engine, 2)

    report = send_pending(engine, url.format(port=smtp.port), now=NOW)

    assert (report.sent, report.deferred, report.failed, report.connections) == (2, 0, 0, 1)
    assert smtp.message_ids() == ids
    assert [r["tls"] for r in smtp.received()] == [True, True]


def test_a_server_that_requires_starttls_keeps_the_messages_of_a_plain_url(
    engine: Engine, smtp_factory: SmtpServer, trusted: Path
) -> None:
    smtp = smtp_factory.start("--starttls", str(trusted))
    queue(engine, 2)

    report = send_pending(engine, smtp.url, now=NOW)

    # A session-level refusal: every message waits for a fixed URL, none fails for good.
    assert (report.sent, report.deferred, report.failed) == (0, 2, 0)
    assert report.connect_error == (
        f"the SMTP server smtp://127.0.0.1:{smtp.port} wants STARTTLS or a login before sending "
        "(530 Must issue a STARTTLS command first): add ?starttls=true or a user to the SMTP URL"
    )
    assert {(r.status, r.attempts, r.last_error) for r in rows(engine)} == {
        ("pending", 1, report.connect_error)
    }
    assert smtp.received() == []


def test_an_untrusted_certificate_is_a_clear_error_and_sends_nothing(
    engine: Engine, smtp_factory: SmtpServer, certificate: tuple[Path, Path]
) -> None:
    server_pem, _ = certificate  # the CA is not trusted here
    smtp = smtp_factory.start("--tls", str(server_pem))
    queue(engine, 1)

    report = send_pending(engine, f"smtps://127.0.0.1:{smtp.port}", now=NOW)

    assert (report.sent, report.deferred) == (0, 1)
    assert report.connect_error == (
        f"TLS with the SMTP server 127.0.0.1:{smtp.port} failed (CERTIFICATE_VERIFY_FAILED)"
    )
    assert smtp.received() == []
