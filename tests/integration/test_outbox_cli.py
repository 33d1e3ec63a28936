"""`orderwf outbox list | send | retry` through the CLI, against a real SMTP server process."""

from __future__ import annotations

import json

import pytest
from click.testing import Result
from smtp_fixtures import SmtpServer, engine, free_port, queue, rows, smtp, smtp_factory
from sqlalchemy import Engine
from typer.testing import CliRunner

from orderwf.cli.app import get_app

# The fixtures are imported by name for pytest; listing them keeps linters from dropping them.
__all__ = ["engine", "smtp", "smtp_factory"]

pytestmark = pytest.mark.smtp


def orderwf(db_url: str, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(get_app(), ["--db", db_url, *args], env=env, catch_exceptions=False)


def test_send_prints_a_summary(db_url: str, engine: Engine, smtp: SmtpServer) -> None:
    queue(engine, 3)

    result = orderwf(db_url, "outbox", "send", "--smtp", smtp.url)

    assert result.exit_code == 0, result.output
    assert result.stdout == "sent 3, deferred 0, failed 0 (1 SMTP connection)\n"
    assert result.stderr == ""


def test_send_takes_the_url_from_the_environment(
    db_url: str, engine: Engine, smtp: SmtpServer
) -> None:
    queue(engine, 1)

    result = orderwf(db_url, "outbox", "send", env={"ORDERWF_SMTP_URL": smtp.url})

    assert result.stdout.startswith("sent 1,")


def test_nothing_to_send(db_url: str, engine: Engine, smtp: SmtpServer) -> None:
    result = orderwf(db_url, "outbox", "send", "--smtp", smtp.url)

    assert result.exit_code == 0
    assert result.stdout == "sent 0, deferred 0, failed 0 (0 SMTP connections)\n"
    assert smtp.sessions() == 0


def test_unreachable_server_is_one_sentence_and_keeps_the_messages(
    db_url: str, engine: Engine
) -> None:
    queue(engine, 2)
    port = free_port()

    result = orderwf(db_url, "outbox", "send", "--smtp", f"smtp://127.0.0.1:{port}")

    assert result.exit_code == 1
    assert result.stdout == "sent 0, deferred 2, failed 0 (1 SMTP connection)\n"
    assert result.stderr == (
        f"error: cannot connect to the SMTP server 127.0.0.1:{port} (connection refused); "
        "2 messages kept in the outbox for a later try\n"
    )
    assert {r.status for r in rows(engine)} == {"pending"}


def test_refused_login_is_one_sentence(
    db_url: str, engine: Engine, smtp_factory: SmtpServer
) -> None:
    smtp = smtp_factory.start("--auth", "shop:secret")
    queue(engine, 1)

    result = orderwf(db_url, "outbox", "send", "--smtp", f"smtp://shop:nope@127.0.0.1:{smtp.port}")

    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: the SMTP server 127.0.0.1:{smtp.port} refused")
    assert "nope" not in result.output
    assert len(result.stderr.splitlines()) == 1


def test_a_bad_url_is_a_usage_error(db_url: str, engine: Engine) -> None:
    result = orderwf(db_url, "outbox", "send", "--smtp", "http://user:pw@mail.example.com")

    assert result.exit_code == 2
    assert result.stderr == (
        "error: 'http://user:***@mail.example.com' is not an SMTP URL: expected e.g. "
        "smtp://localhost:1025 or smtps://user:password@mail.example.com:465\n"
    )


def test_list_json_is_the_spec_shape(db_url: str, engine: Engine) -> None:
    queue(engine, 1)
    queue(engine, 1, to="")

    result = orderwf(db_url, "outbox", "list", "--json")

    assert result.exit_code == 0
    assert json.loads(result.stdout) == [
        {"id": 1, "order_id": 1, "email": "customer_processing_order",
         "to": "Jöhn Doe <john.doe@example.com>",
         "subject": "Your Example Shop order #1 has been received", "status": "pending",
         "attempts": 0, "last_error": None},
        {"id": 2, "order_id": 1, "email": "customer_processing_order", "to": "",
         "subject": "Your Example Shop order #1 has been received", "status": "pending",
         "attempts": 0, "last_error": None},
    ]  # fmt: skip


def test_failed_after_max_attempts_then_listed_then_retried(
    db_url: str, engine: Engine, smtp_factory: SmtpServer
) -> None:
    queue(engine, 2)
    down = f"smtp://127.0.0.1:{smtp_factory.port}"  # not started yet
    send = ("outbox", "send", "--max-attempts", "2", "--retry-now", "--smtp")

    assert orderwf(db_url, *send, down).stdout.startswith("sent 0, deferred 2, failed 0")
    assert orderwf(db_url, *send, down).stdout.startswith("sent 0, deferred 0, failed 2")

    failed = json.loads(orderwf(db_url, "outbox", "list", "--status", "failed", "--json").stdout)
    assert [(m["id"], m["attempts"]) for m in failed] == [(1, 2), (2, 2)]
    assert orderwf(db_url, "outbox", "list", "--status", "pending", "--json").stdout == "[]\n"
    table = orderwf(db_url, "outbox", "list", "--status", "failed").stdout
    assert "cannot connect" in table

    result = orderwf(db_url, "outbox", "retry", "1")
    assert result.exit_code == 0
    assert result.stdout == (
        "message 1 (customer_processing_order to Jöhn Doe <john.doe@example.com>) is pending; "
        "`orderwf outbox send` will deliver it\n"
    )
    smtp = smtp_factory.start()
    result = orderwf(db_url, "outbox", "send", "--smtp", smtp.url)
    assert result.stdout == "sent 1, deferred 0, failed 0 (1 SMTP connection)\n"
    assert [(r.status, r.attempts) for r in rows(engine)] == [("sent", 1), ("failed", 2)]


def test_retry_refuses_what_it_cannot_retry(db_url: str, engine: Engine, smtp: SmtpServer) -> None:
    queue(engine, 1)
    orderwf(db_url, "outbox", "send", "--smtp", smtp.url)

    unknown = orderwf(db_url, "outbox", "retry", "99")
    assert (unknown.exit_code, unknown.stderr) == (1, "error: there is no outbox message 99\n")
    for huge in (str(2**31), str(2**64)):  # past any stored id: the driver would overflow
        beyond = orderwf(db_url, "outbox", "retry", huge)
        assert (beyond.exit_code, beyond.stderr) == (
            1,
            f"error: there is no outbox message {huge}\n",
        )
    sent = orderwf(db_url, "outbox", "retry", "1")
    assert sent.exit_code == 1
    assert sent.stderr.startswith("error: outbox message 1 was already sent at ")


def test_a_refused_recipient_is_reported_per_message(
    db_url: str, engine: Engine, smtp_factory: SmtpServer
) -> None:
    smtp = smtp_factory.start("--refuse", "gone@example.com")
    queue(engine, 1, to="gone@example.com")
    queue(engine, 1, to="")
    queue(engine, 1)

    result = orderwf(db_url, "outbox", "send", "--smtp", smtp.url)

    assert result.exit_code == 1
    assert result.stdout == "sent 1, deferred 0, failed 2 (1 SMTP connection)\n"
    assert result.stderr == (
        "message 1: the SMTP server refused the recipient "
        "(gone@example.com: 550 5.1.1 <gone@example.com>: mailbox unavailable)\n"
        "message 2: the message has no recipient address (the order has no billing email)\n"
    )
