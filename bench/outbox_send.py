"""Bench: `orderwf outbox send` of 1,000 queued messages to a local aiosmtpd process.

    python bench/outbox_send.py [--messages 1000]

Queues the messages in a fresh SQLite database (rows inserted directly, each with a text and an
HTML part of a realistic size), starts the test SMTP server (tests/integration/smtp_server.py)
in its own process, runs `python -m orderwf outbox send` as a user would and prints messages
per second and the number of SMTP connections the server saw. Also times the send loop in
process, without the interpreter start-up."""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration"))

from smtp_fixtures import SmtpServer  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from orderwf.service.outbox import send_pending  # noqa: E402
from orderwf.store import core  # noqa: E402
from orderwf.store.db import connect  # noqa: E402

TEXT = "Hi John,\n\nWe have received your order #{n}. " + "Item line and totals.\n" * 25
HTML = "<html><body><p>Hi John,</p>" + "<tr><td>Item</td><td>3.00 EUR</td></tr>" * 40


def fill(url: str, count: int) -> None:
    now = datetime.now(UTC)
    engine = connect(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(core.ORDERS),
                {"id": 1, "number": "1", "status": "processing", "workflow": "woocommerce",
                 "date_created": now, "billing": {}, "shipping": {}, "meta": {}},
            )  # fmt: skip
            conn.execute(
                insert(core.OUTBOX),
                [
                    {"order_id": 1, "email": "customer_processing_order",
                     "to_addr": f"Customer {n} <customer{n}@example.com>",
                     "from_addr": "Example Shop <no-reply@example.com>",
                     "subject": f"Your Example Shop order #{n} has been received",
                     "body_text": TEXT.format(n=n), "body_html": HTML,
                     "message_id": f"<bench.{n}@example.com>", "status": "pending",
                     "created_at": now, "next_attempt_at": now}
                    for n in range(count)
                ],
            )  # fmt: skip
    finally:
        engine.dispose()


def run_cli(url: str, smtp: SmtpServer, count: int) -> None:
    command = [sys.executable, "-m", "orderwf", "--db", url, "outbox", "send", "--smtp", smtp.url]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    received = len(smtp.received())
    print(f"CLI      {done.stdout.strip()} in {elapsed:.2f} s (process start included)")
    print(f"         {count / elapsed:.0f} messages/s; server received {received}, "
          f"SMTP connections seen by the server: {smtp.sessions()}")  # fmt: skip


def run_inline(url: str, smtp: SmtpServer, count: int) -> None:
    engine = connect(url)
    try:
        start = time.perf_counter()
        report = send_pending(engine, smtp.url)
        elapsed = time.perf_counter() - start
    finally:
        engine.dispose()
    print(f"in-proc  sent {report.sent} in {elapsed:.2f} s: {count / elapsed:.0f} messages/s, "
          f"{report.connections} SMTP connection(s)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    count = parser.parse_args().messages
    with tempfile.TemporaryDirectory(prefix="orderwf-bench-") as tmp:
        for label, runner in (("cli", run_cli), ("inline", run_inline)):
            url = f"sqlite:///{tmp}/{label}.db"
            fill(url, count)
            smtp = SmtpServer(Path(tmp) / f"spool-{label}").start()
            try:
                runner(url, smtp, count)
            finally:
                smtp.stop()


if __name__ == "__main__":
    main()
