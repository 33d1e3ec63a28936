"""Fixtures for the outbox delivery tests: a real SMTP server process on a free port, a fresh
SQLite database, and outbox rows inserted directly (independent of the engine that queues
them). Test modules import the fixtures they use from here."""

from __future__ import annotations

import email
import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert

SERVER_SCRIPT = Path(__file__).with_name("smtp_server.py")
START_TIMEOUT = 15


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class SmtpServer:
    """One aiosmtpd process; `start` (again) after it died or was stopped reuses the spool."""

    spool: Path
    port: int = field(default_factory=free_port)
    options: list[str] = field(default_factory=list)
    proc: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self, *options: str) -> SmtpServer:
        self.stop()
        self.options = list(options)
        proc = subprocess.Popen(
            [
                sys.executable,
                str(SERVER_SCRIPT),
                "--port",
                str(self.port),
                "--spool",
                str(self.spool),
                *options,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.proc = proc
        assert proc.stdout is not None
        line = proc.stdout.readline()  # blocks until "ready", or "" if it died
        if line.strip() != "ready":
            self.stop()
            raise RuntimeError(f"the test SMTP server did not start on port {self.port}")
        return self

    def wait_dead(self, timeout: float = 10) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout)

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
        proc.wait(START_TIMEOUT)
        assert proc.stdout is not None
        proc.stdout.close()

    def received(self) -> list[dict[str, Any]]:
        """Every message received so far, across restarts, in arrival order."""
        return [json.loads(p.read_text()) for p in sorted(self.spool.glob("[0-9]*.json"))]

    def messages(self) -> list[EmailMessage]:
        parsed = []
        for record in self.received():
            wire = record["data"].replace("\r\n", "\n")  # as sent, in local line endings
            message = email.message_from_string(wire, policy=default_policy)
            assert isinstance(message, EmailMessage)
            parsed.append(message)
        return parsed

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.messages()]

    def sessions(self) -> int:
        log = self.spool / "sessions.log"
        return len(log.read_text().splitlines()) if log.exists() else 0


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    """A started SMTP server with default options (`smtp.start(...)` restarts it with others)."""
    server = SmtpServer(tmp_path / "spool")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_factory(tmp_path: Path) -> Iterator[SmtpServer]:
    """A server not started yet: the test chooses its options."""
    server = SmtpServer(tmp_path / "spool")
    yield server
    server.stop()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated database with order 1 (`db_url` is conftest's: SQLite, and PostgreSQL when a
    server is available)."""
    from orderwf.store.db import connect

    engine = connect(db_url)
    with engine.begin() as conn:
        conn.execute(
            insert(_table("orders")),
            {
                "id": 1,
                "number": "1",
                "status": "processing",
                "workflow": "woocommerce",
                "date_created": QUEUED,
                "billing": {},
                "shipping": {},
                "meta": {},
            },
        )
    yield engine
    engine.dispose()


QUEUED = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)  # when `queue` queues (in the past: due now)
NOW = QUEUED + timedelta(minutes=1)  # the clock given to `send_pending`


def queue(
    engine: Engine,
    count: int = 1,
    *,
    to: str = "Jöhn Doe <john.doe@example.com>",
    html: str | None = "<p>Thank you for your order, <b>John</b>.</p>",
    subject: str = "Your Example Shop order #{n} has been received",
    email_id: str = "customer_processing_order",
    created_at: datetime = QUEUED,
) -> list[str]:
    """Insert `count` pending messages for order 1; returns their Message-IDs in id order."""
    rows = []
    for n in range(1, count + 1):
        rows.append(
            {
                "order_id": 1,
                "email": email_id,
                "to_addr": to,
                "from_addr": "Example Shop <no-reply@example.com>",
                "subject": subject.format(n=n),
                "body_text": f"Thank you for your order, John ({n}).\n",
                "body_html": html,
                "message_id": make_msgid(idstring=f"t{n}", domain="shop.test"),
                "status": "pending",
                "attempts": 0,
                "created_at": created_at,
                "next_attempt_at": created_at,
            }
        )
    with engine.begin() as conn:
        conn.execute(insert(_table("outbox")), rows)
    return [r["message_id"] for r in rows]


def rows(engine: Engine) -> list[Any]:
    from sqlalchemy import select

    table = _table("outbox")
    with engine.connect() as conn:
        return list(conn.execute(select(table).order_by(table.c.id)))


def _table(name: str) -> Any:
    from orderwf.store import core

    return {"orders": core.ORDERS, "outbox": core.OUTBOX}[name]
