"""`outbox send` interrupted mid-batch, by a kill -9 of the sender or by the loss of its
database connection, re-sends at most the one message whose 250 it had not recorded (issue 11
§2, issue 17 §1). A slow real SMTP server holds the 250 of one message while the test strikes;
the deliveries are then counted per Message-ID."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from smtp_fixtures import NOW, SmtpServer, engine, queue, rows, smtp, smtp_factory
from sqlalchemy import Engine, text

from orderwf.service.outbox import LEASE, send_pending
from shop import libpq_dsn

# The fixtures are imported by name for pytest; listing them keeps linters from dropping them.
__all__ = ["engine", "smtp", "smtp_factory"]

pytestmark = pytest.mark.smtp
ROOT = Path(__file__).resolve().parents[2]
HELD = 4  # the server holds the 250 of this message


def _sender(db_url: str, smtp_url: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERWF_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "orderwf", "--db", db_url, "outbox", "send"]
    return subprocess.Popen(
        [*command, "--smtp", smtp_url],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(server: SmtpServer, count: int, sender: subprocess.Popen[str]) -> None:
    """Until the server has stored `count` messages (the sender is then waiting for the 250
    of the last one)."""
    deadline = datetime.now(UTC) + timedelta(seconds=60)  # against a hang, not a measure
    while len(server.received()) < count:
        if sender.poll() is not None:
            pytest.fail(f"the sender ended early: {sender.communicate()}")
        if datetime.now(UTC) > deadline:
            sender.kill()
            pytest.fail(f"the server never got {count} messages: {sender.communicate()}")
        time.sleep(0.05)


def _held_sender(db_url: str, server: SmtpServer, release: Path) -> subprocess.Popen[str]:
    """`outbox send` against a server that holds the 250 of message HELD until `release`
    exists: returned once the sender waits for it."""
    server.start("--hold-in-data", str(HELD), str(release))
    sender = _sender(db_url, server.url)
    _wait_for(server, HELD, sender)
    return sender


@pytest.fixture
def release(tmp_path: Path) -> Iterator[Path]:
    """The file whose creation lets the held 250 go (created at teardown in any case)."""
    path = tmp_path / "release"
    yield path
    path.touch()


def _after_the_lease() -> datetime:
    return datetime.now(UTC) + LEASE + timedelta(minutes=1)


def test_a_killed_sender_resends_only_the_message_in_flight(
    db_url: str, engine: Engine, smtp_factory: SmtpServer, release: Path
) -> None:
    ids = queue(engine, 10)
    sender = _held_sender(db_url, smtp_factory, release)

    sender.kill()  # kill -9: no cleanup of any kind
    sender.communicate()
    release.touch()

    # Each message delivered before the one in flight was recorded at once.
    assert [r.status for r in rows(engine)] == ["sent"] * (HELD - 1) + ["pending"] * 7
    again = send_pending(engine, smtp_factory.url, now=_after_the_lease())
    assert (again.sent, again.deferred, again.failed) == (10 - HELD + 1, 0, 0)
    received = Counter(smtp_factory.message_ids())
    assert set(received) == set(ids)
    assert {mid: n for mid, n in received.items() if n > 1} == {ids[HELD - 1]: 2}


def _terminate_backends(engine: Engine) -> int:
    """Kill every other server process connected to the test database."""
    with engine.connect() as conn:
        killed = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
        conn.commit()
    return int(killed)


def _allow_connections(admin_url: str, db_url: str, allowed: bool) -> None:
    """From another database: a database cannot refuse connections to itself."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = make_url(db_url).database
    dsn = libpq_dsn(admin_url)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allowed).lower()}')


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_connection_killed_mid_batch_is_replaced_and_nothing_is_sent_twice(
    db_url: str, engine: Engine, smtp_factory: SmtpServer, release: Path
) -> None:
    ids = queue(engine, 10)
    sender = _held_sender(db_url, smtp_factory, release)

    assert _terminate_backends(engine) >= 1  # the sender's pooled connection
    release.touch()
    out, err = sender.communicate(timeout=120)

    assert (sender.returncode, out, err) == (
        0,
        "sent 10, deferred 0, failed 0 (1 SMTP connection)\n",
        "",
    )
    assert {r.status for r in rows(engine)} == {"sent"}
    assert sorted(Counter(smtp_factory.message_ids()).items()) == sorted((i, 1) for i in ids)


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_database_that_stays_away_stops_the_run_with_one_sentence(
    pg_url: str, db_url: str, engine: Engine, smtp_factory: SmtpServer, release: Path
) -> None:
    ids = queue(engine, 10)
    sender = _held_sender(db_url, smtp_factory, release)

    _allow_connections(pg_url, db_url, False)
    try:
        _terminate_backends(engine)
        release.touch()
        out, err = sender.communicate(timeout=120)
    finally:
        _allow_connections(pg_url, db_url, True)

    assert sender.returncode == 1
    assert out == "sent 4, deferred 0, failed 0 (1 SMTP connection)\n"
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: the connection to the database postgresql+psycopg://")
    assert lines[0].endswith(
        ": 3 messages sent and recorded; message 4 was delivered but could not be recorded, so "
        "it may go out once more (with the same Message-ID); the others stay pending (those "
        "this run had claimed become due again within 5 minutes); run `orderwf outbox send` "
        "again to finish"
    )
    again = send_pending(engine, smtp_factory.url, now=_after_the_lease())
    assert again.sent == 7
    received = Counter(smtp_factory.message_ids())
    assert set(received) == set(ids)
    assert {mid: n for mid, n in received.items() if n > 1} == {ids[HELD - 1]: 2}


def test_a_non_ascii_recipient_without_smtputf8_fails_alone(
    engine: Engine, smtp_factory: SmtpServer
) -> None:
    queue(engine, 1)
    queue(engine, 1, to="Jöhn <jöhn@example.com>")
    queue(engine, 1)
    smtp_factory.start("--no-smtputf8")

    report = send_pending(engine, smtp_factory.url, now=NOW)

    assert (report.sent, report.deferred, report.failed, report.connections) == (2, 0, 1, 1)
    assert report.interrupted is None
    assert [(r.status, r.attempts) for r in rows(engine)] == [
        ("sent", 1),
        ("failed", 1),
        ("sent", 1),
    ]
    assert rows(engine)[1].last_error == (
        f"the address 'jöhn@example.com' has non-ASCII characters and the SMTP server "
        f"smtp://127.0.0.1:{smtp_factory.port} does not offer SMTPUTF8, so it cannot take this "
        "message"
    )


def test_a_non_ascii_recipient_goes_over_smtputf8_when_offered(
    engine: Engine, smtp: SmtpServer
) -> None:
    queue(engine, 1, to="Jöhn <jöhn@example.com>")

    report = send_pending(engine, smtp.url, now=NOW)

    assert report.sent == 1
    [received] = smtp.received()
    assert received["rcpt_tos"] == ["jöhn@example.com"]


def test_a_message_goes_only_to_the_recipients_it_names(engine: Engine, smtp: SmtpServer) -> None:
    # Stored before addresses were checked at create and import: refused at send, as a whole.
    queue(engine, 1, to="victim@example.com>, attacker@evil.example, <x")
    queue(engine, 1, to="Jane <jane@example.com>, shop@example.com")

    report = send_pending(engine, smtp.url, now=NOW)

    assert (report.sent, report.failed) == (1, 1)
    assert rows(engine)[0].last_error == (
        "the message has no valid recipient address in 'victim@example.com>, "
        "attacker@evil.example, <x': expected one address (or a comma-separated list of them) "
        "and nothing else"
    )
    assert [r["rcpt_tos"] for r in smtp.received()] == [["jane@example.com", "shop@example.com"]]


def test_an_unexpected_failure_releases_the_claims(
    engine: Engine, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue(engine, 5)
    calls = 0
    real_send = __import__("orderwf.mail.smtp", fromlist=["Sender"]).Sender.send

    def send_then_break(self, outgoing):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("a bug")  # what no real server can cause: a bug in orderwf
        return real_send(self, outgoing)

    monkeypatch.setattr("orderwf.mail.smtp.Sender.send", send_then_break)
    with pytest.raises(RuntimeError, match="a bug"):
        send_pending(engine, smtp.url, now=NOW)

    assert [(r.status, r.claimed_by) for r in rows(engine)] == [("sent", None)] * 2 + [
        ("pending", None)
    ] * 3
    monkeypatch.undo()
    assert send_pending(engine, smtp.url, now=NOW).sent == 3  # no lease to wait for


@pytest.mark.parametrize(
    ("query", "code", "said"),
    [
        ("", 1, "error: cannot connect to the SMTP server 127.0.0.1:{port} (connection refused)"),
        ("?timeout=nan", 2, "error: 'smtp://shop:***@127.0.0.1:{port}?timeout=nan': timeout must"),
        ("?timeout=-1", 2, "error: 'smtp://shop:***@127.0.0.1:{port}?timeout=-1': timeout must"),
        ("?tls=yes", 2, "error: 'smtp://shop:***@127.0.0.1:{port}?tls=yes' has unknown param"),
    ],
)
def test_a_bad_or_unreachable_smtp_url_never_shows_its_password(
    db_url: str, engine: Engine, query: str, code: int, said: str
) -> None:
    from smtp_fixtures import free_port
    from typer.testing import CliRunner

    from orderwf.cli.app import get_app

    queue(engine, 1)
    port = free_port()  # nothing listens there
    url = f"smtp://shop:Sekr3tPW@127.0.0.1:{port}{query}"

    result = CliRunner().invoke(get_app(), ["--db", db_url, "outbox", "send", "--smtp", url])

    assert result.exit_code == code
    assert "Sekr3tPW" not in result.output
    assert result.stderr.startswith(said.format(port=port))
    assert [(r.status, r.claimed_by) for r in rows(engine)] == [("pending", None)]
