"""`send_pending` against a real SMTP server process: one connection per batch, the MIME
structure, retries with backoff, refusals, login, and messages that cannot be sent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from smtp_fixtures import (
    NOW,
    QUEUED,
    SmtpServer,
    engine,
    free_port,
    queue,
    rows,
    smtp,
    smtp_factory,
)
from sqlalchemy import Engine

from orderwf.service.outbox import send_pending

# The fixtures are imported by name for pytest; listing them keeps linters from dropping them.
__all__ = ["engine", "smtp", "smtp_factory"]

pytestmark = pytest.mark.smtp


def test_a_batch_goes_over_one_connection(engine: Engine, smtp: SmtpServer) -> None:
    ids = queue(engine, 12)

    report = send_pending(engine, smtp.url, now=NOW)

    assert (report.sent, report.deferred, report.failed) == (12, 0, 0)
    assert report.connections == 1
    assert smtp.sessions() == 1
    assert smtp.message_ids() == ids
    assert not any(r["tls"] for r in smtp.received())  # a plain URL: no TLS
    assert {r.status for r in rows(engine)} == {"sent"}
    assert all(r.attempts == 1 and r.sent_at == NOW and r.claimed_by is None for r in rows(engine))


def test_message_is_multipart_with_its_headers_and_stored_message_id(
    engine: Engine, smtp: SmtpServer
) -> None:
    [message_id] = queue(engine, subject="Votre commande n°{n} est reçue")

    send_pending(engine, smtp.url, now=NOW)

    [record] = smtp.received()
    assert record["mail_from"] == "no-reply@example.com"
    assert record["rcpt_tos"] == ["john.doe@example.com"]
    [message] = smtp.messages()
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    text, html = message.iter_parts()
    assert text.get_content() == "Thank you for your order, John (1).\n"
    assert html.get_content() == "<p>Thank you for your order, <b>John</b>.</p>\n"
    assert message["Message-ID"] == message_id
    assert message["From"] == "Example Shop <no-reply@example.com>"
    assert message["To"] == "Jöhn Doe <john.doe@example.com>"
    assert message["Subject"] == "Votre commande n°1 est reçue"
    assert message["Date"].datetime == QUEUED


def test_text_only_message_is_plain_text(engine: Engine, smtp: SmtpServer) -> None:
    queue(engine, html=None)

    send_pending(engine, smtp.url, now=NOW)

    [message] = smtp.messages()
    assert message.get_content_type() == "text/plain"
    assert message.get_content() == "Thank you for your order, John (1).\n"


def test_unreachable_server_defers_every_message_with_backoff(engine: Engine) -> None:
    queue(engine, 3)
    url = f"smtp://127.0.0.1:{free_port()}"

    report = send_pending(engine, url, now=NOW)

    assert (report.sent, report.deferred, report.failed) == (0, 3, 0)
    assert report.connections == 1  # tried once, not once per message
    assert report.connect_error is not None
    assert "connection refused" in report.connect_error
    for row in rows(engine):
        assert (row.status, row.attempts) == ("pending", 1)
        assert row.next_attempt_at == NOW + timedelta(seconds=30)
        assert row.last_error == report.connect_error

    # Not due yet: nothing is tried.
    early = send_pending(engine, url, now=NOW + timedelta(seconds=29))
    assert (early.sent, early.deferred, early.failed, early.connections) == (0, 0, 0, 0)

    later = NOW + timedelta(seconds=30)
    send_pending(engine, url, now=later)
    assert {(r.attempts, r.next_attempt_at) for r in rows(engine)} == {
        (2, later + timedelta(seconds=60))
    }


def test_max_attempts_then_failed(engine: Engine) -> None:
    queue(engine, 2)
    url = f"smtp://127.0.0.1:{free_port()}"

    for _ in range(2):
        report = send_pending(engine, url, max_attempts=3, retry_now=True, now=NOW)
        assert report.deferred == 2
    report = send_pending(engine, url, max_attempts=3, retry_now=True, now=NOW)

    assert (report.deferred, report.failed) == (0, 2)
    assert {(r.status, r.attempts) for r in rows(engine)} == {("failed", 3)}
    assert all("connection refused" in r.last_error for r in rows(engine))
    assert send_pending(engine, url, retry_now=True, now=NOW).connections == 0


def test_a_refused_recipient_fails_alone(engine: Engine, smtp_factory: SmtpServer) -> None:
    smtp = smtp_factory.start("--refuse", "gone@example.com")
    queue(engine, 1)
    queue(engine, 1, to="gone@example.com")
    queue(engine, 1)

    report = send_pending(engine, smtp.url, now=NOW)

    assert (report.sent, report.deferred, report.failed) == (2, 0, 1)
    assert report.connections == 1
    assert [r.status for r in rows(engine)] == ["sent", "failed", "sent"]
    assert rows(engine)[1].last_error == (
        "the SMTP server refused the recipient "
        "(gone@example.com: 550 5.1.1 <gone@example.com>: mailbox unavailable)"
    )
    assert len(smtp.received()) == 2


def test_login_from_the_url(engine: Engine, smtp_factory: SmtpServer) -> None:
    smtp = smtp_factory.start("--auth", "shop:s3cr:et")
    queue(engine, 2)

    report = send_pending(engine, f"smtp://shop:s3cr%3Aet@127.0.0.1:{smtp.port}", now=NOW, env={})

    assert (report.sent, report.connections) == (2, 1)


def test_login_from_the_environment(engine: Engine, smtp_factory: SmtpServer) -> None:
    smtp = smtp_factory.start("--auth", "shop:secret")
    queue(engine, 1)
    env = {"ORDERWF_SMTP_USER": "shop", "ORDERWF_SMTP_PASSWORD": "secret"}

    assert send_pending(engine, smtp.url, now=NOW, env=env).sent == 1


def test_a_refused_login_keeps_the_messages(engine: Engine, smtp_factory: SmtpServer) -> None:
    smtp = smtp_factory.start("--auth", "shop:secret")
    queue(engine, 2)

    report = send_pending(engine, f"smtp://shop:wrong@127.0.0.1:{smtp.port}", now=NOW, env={})

    assert (report.sent, report.deferred) == (0, 2)
    assert report.connect_error == (
        f"the SMTP server 127.0.0.1:{smtp.port} refused the login of 'shop' "
        "(535 5.7.8 Authentication credentials invalid): check the user and password"
    )
    assert {(r.status, r.attempts) for r in rows(engine)} == {("pending", 1)}
    assert smtp.received() == []


def test_no_recipient_fails_with_a_clear_error(engine: Engine, smtp: SmtpServer) -> None:
    queue(engine, 1, to="")

    report = send_pending(engine, smtp.url, now=NOW)

    assert (report.sent, report.failed, report.connections) == (0, 1, 0)
    [row] = rows(engine)
    assert row.status == "failed"
    assert row.last_error == "the message has no recipient address (the order has no billing email)"


def test_no_recipient_fails_even_when_the_server_is_down(engine: Engine) -> None:
    queue(engine, 1, to="")
    queue(engine, 1)

    report = send_pending(engine, f"smtp://127.0.0.1:{free_port()}", now=NOW)

    assert [(r.status, r.attempts) for r in rows(engine)] == [("failed", 1), ("pending", 1)]
    assert "no recipient" in rows(engine)[0].last_error
    assert (report.failed, report.deferred) == (1, 1)


@pytest.mark.parametrize(
    ("to", "subject", "what"),
    [
        ("john@example.com\r\nBcc: eve@example.com", "Your order", "recipient"),
        ("john@example.com", "Your order\nBcc: eve@example.com", "subject"),
    ],
)
def test_a_header_with_a_line_break_fails_alone_and_adds_no_recipient(
    engine: Engine, smtp: SmtpServer, to: str, subject: str, what: str
) -> None:
    """An address or subject built from order data cannot smuggle a header or a recipient in;
    the rest of the batch is sent and settled as usual."""
    [good_before] = queue(engine, 1)
    queue(engine, 1, to=to, subject=subject)
    [good_after] = queue(engine, 1)

    report = send_pending(engine, smtp.url, now=NOW)

    assert (report.sent, report.failed) == (2, 1)
    assert [r.status for r in rows(engine)] == ["sent", "failed", "sent"]
    assert rows(engine)[1].last_error.startswith(f"the message's {what} ")
    assert "line break" in rows(engine)[1].last_error
    assert smtp.message_ids() == [good_before, good_after]
    assert all(r.claimed_by is None for r in rows(engine))


def test_limit(engine: Engine, smtp: SmtpServer) -> None:
    queue(engine, 5)

    assert send_pending(engine, smtp.url, limit=3, now=NOW).sent == 3
    assert [r.status for r in rows(engine)] == ["sent"] * 3 + ["pending"] * 2
