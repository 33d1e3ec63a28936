"""The transactional outbox (SPEC §6) as use cases over the store's table: list it, send what
is due, retry a failure. Sending itself (SMTP, the message, backoff) is `mail/`.

`send_pending` claims due messages in small batches with a lease (`claimed_by`,
`claimed_until`) written in a write transaction: `BEGIN IMMEDIATE` on SQLite, `SELECT … FOR
UPDATE SKIP LOCKED` on PostgreSQL. So two `outbox send` processes at once never claim the same
message, and a process that dies leaves its batch to whoever comes after the lease ends. All
batches of one run go over one SMTP connection.

Each message's outcome is written as soon as the server has answered for it, before the next
message is sent, under the lease (only the worker holding a claim can settle it): a process
killed mid-batch, or a database connection lost mid-batch, re-sends at most the one message
whose 250 it had not recorded. If the outcome cannot be written, it is tried again on a fresh
connection (with backoff) before anything else is sent, and the run stops if that fails too."""

from __future__ import annotations

import contextlib
import os
import socket
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, or_, select, update

from orderwf.errors import NotFound, Refused, StoreError, UsageError
from orderwf.mail.outbox import LEASE, Outcome, Queued, SendReport, deliver
from orderwf.mail.smtp import Sender, parse_url
from orderwf.quantities import ID_LIMIT
from orderwf.store import faults
from orderwf.store.core import OUTBOX
from orderwf.store.db import read_transaction, transaction

if TYPE_CHECKING:
    from sqlalchemy import Engine, Row

__all__ = [
    "LEASE",
    "MessageInfo",
    "SendReport",
    "SendStopped",
    "check_send",
    "list_messages",
    "retry",
    "send_pending",
]

STATUSES = ("pending", "sent", "failed")
BATCH = 50
# Writing an outcome on a lost connection: tried again after these pauses (seconds).
RECORD_RETRIES = (0.2, 0.5, 1.0, 2.0)


@dataclass(frozen=True)
class MessageInfo:
    """One outbox message as `outbox list` shows it."""

    id: int
    order_id: int | None
    email: str
    to: str
    subject: str
    status: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    created_at: datetime | None
    sent_at: datetime | None
    message_id: str

    def as_json(self) -> dict[str, Any]:
        """SPEC §5: `{"id", "order_id", "email", "to", "subject", "status", "attempts"}`, and
        `last_error` (null when none), which the table prints under it: why a message failed
        or waits."""
        return {
            "id": self.id,
            "order_id": self.order_id,
            "email": self.email,
            "to": self.to,
            "subject": self.subject,
            "status": self.status,
            "attempts": self.attempts,
            "last_error": self.last_error,
        }


class SendStopped(StoreError):
    """The database could not be reached to claim or record messages: the run stopped.
    `report` is what it did until then."""

    def __init__(self, message: str, report: SendReport) -> None:
        super().__init__(message)
        self.report = report


def list_messages(db: Engine, status: str | None = None) -> list[MessageInfo]:
    """Every message (or those in `status`), oldest first."""
    if status is not None:
        _check_status(status)
    table = OUTBOX
    query = select(table).order_by(table.c.id)
    if status is not None:
        query = query.where(table.c.status == status)
    with read_transaction(db) as session:
        return [_info(row) for row in session.connection().execute(query)]


def retry(db: Engine, message_id: int, *, now: datetime | None = None) -> MessageInfo:
    """Put a failed message back to pending with a fresh count of attempts (a pending one is
    made due now). A sent message is refused: sending it again would be a duplicate."""
    if not 0 < message_id <= ID_LIMIT:  # no such id can be stored: the driver would overflow
        raise NotFound(f"there is no outbox message {message_id}")
    table = OUTBOX
    with transaction(db) as session:
        conn = session.connection()
        row = conn.execute(select(table).where(table.c.id == message_id)).first()
        if row is None:
            raise NotFound(f"there is no outbox message {message_id}")
        if row.status == "sent":
            raise Refused(
                f"outbox message {message_id} was already sent at {_iso(row.sent_at)}; "
                "sending it again would deliver a duplicate"
            )
        if not row.body_text and not row.body_html:
            raise Refused(
                f"outbox message {message_id} has no content ({row.last_error or 'empty body'}); "
                "fix its template and apply the action again"
            )
        values: dict[str, Any] = {"next_attempt_at": now or _utcnow()}
        if row.status == "failed":
            values |= {
                "status": "pending",
                "attempts": 0,
                "claimed_by": None,
                "claimed_until": None,
            }
        conn.execute(update(table).where(table.c.id == message_id).values(**values))
        updated = conn.execute(select(table).where(table.c.id == message_id)).one()
    return _info(updated)


def check_send(smtp_url: str, *, limit: int | None = None, max_attempts: int = 5) -> None:
    """What `send_pending` checks before the database is opened: the limits, and the SMTP
    URL (a malformed one is a usage error)."""
    if limit is not None and limit < 1:
        raise UsageError(f"--limit must be at least 1, not {limit}")
    if max_attempts < 1:
        raise UsageError(f"--max-attempts must be at least 1, not {max_attempts}")
    parse_url(smtp_url)


def send_pending(
    db: Engine,
    smtp_url: str,
    *,
    limit: int | None = None,
    max_attempts: int = 5,
    retry_now: bool = False,
    now: datetime | None = None,
    env: Mapping[str, str] = os.environ,
) -> SendReport:
    """Send every due pending message (at most `limit`) over one SMTP connection.

    A message is due when its `next_attempt_at` has come (`retry_now`: whatever it is) and no
    live lease holds it. Each try that fails counts as an attempt: the message waits
    `backoff(attempts)`, or is failed once `max_attempts` is reached or when retrying cannot
    help (no recipient, a 5xx refusal). If the server cannot be reached, every due message
    records that try. If the connection drops mid-batch, the message in flight records it and
    the rest is released untouched for the next run."""
    if limit is not None and limit < 1:
        raise UsageError(f"--limit must be at least 1, not {limit}")
    if max_attempts < 1:
        raise UsageError(f"--max-attempts must be at least 1, not {max_attempts}")
    settings = parse_url(smtp_url, env)
    clock: Callable[[], datetime] = (lambda: now) if now is not None else _utcnow
    worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    report = SendReport()
    left = limit
    after = 0  # claim in id order, past the last batch: one run tries a message once at most
    with Sender(settings) as sender:
        try:
            while left is None or left > 0:
                size = min(BATCH, left or BATCH)
                claim = partial(_claim, db, worker, clock(), size, retry_now, after)
                batch = _stopping(report, claim)
                if not batch:
                    break
                after = batch[-1].id
                _send_batch(db, worker, batch, sender, report, clock, max_attempts)
                if report.interrupted:
                    break
                if left is not None:
                    left -= len(batch)
        finally:
            report.connections = sender.connections
    return report


def _send_batch(
    db: Engine,
    worker: str,
    batch: list[Queued],
    sender: Sender,
    report: SendReport,
    clock: Callable[[], datetime],
    max_attempts: int,
) -> None:
    """Send a claimed batch, writing each outcome before the next message goes out. Whatever
    stops it (a bug, Ctrl-C), the claims of the messages not tried are released."""
    settled: set[int] = set()

    def rest() -> list[Outcome]:
        return [Outcome(r.id, "released") for r in batch if r.id not in settled]

    try:
        for outcome in deliver(batch, sender, report, clock, max_attempts):
            if outcome.status == "released":
                continue  # released together below
            _stopping(report, partial(_record, db, worker, [outcome]), outcome)
            settled.add(outcome.id)
    except BaseException:
        if not report.database_lost:  # a bug or Ctrl-C: the next run need not wait the lease
            with contextlib.suppress(Exception):
                _settle(db, worker, rest())
        raise
    if rest():
        _stopping(report, partial(_settle, db, worker, rest()))


def _stopping(report: SendReport, step: Callable[[], Any], in_flight: Outcome | None = None) -> Any:
    """Run a database step; if the database cannot be reached, stop the run with a sentence
    that says what was done (`SendStopped`)."""
    try:
        return step()
    except (faults.ConnectionLost, faults.Busy) as e:
        report.database_lost = e.message
        unrecorded = in_flight is not None and in_flight.status == "sent"
        sent = report.sent - unrecorded
        done = f"{sent:,} message{'' if sent == 1 else 's'} sent and recorded"
        if in_flight is not None and unrecorded:
            done += (
                f"; message {in_flight.id} was delivered but could not be recorded, so it may "
                "go out once more (with the same Message-ID)"
            )
        raise SendStopped(
            f"{e.message}: {done}; the others stay pending (those this run had claimed become "
            f"due again within {int(LEASE.total_seconds() // 60)} minutes); run `orderwf outbox "
            "send` again to finish",
            report,
        ) from None


def _record(db: Engine, worker: str, outcomes: list[Outcome]) -> None:
    """`_settle`, tried again on a fresh connection when the database connection is lost
    (the pool replaces a dead connection), with backoff; the last failure is raised."""
    for pause in (*RECORD_RETRIES, None):
        try:
            _settle(db, worker, outcomes)
            return
        except faults.ConnectionLost:
            if pause is None:
                raise
            time.sleep(pause)


def _claim(
    db: Engine, worker: str, now: datetime, size: int, retry_now: bool, after: int
) -> list[Queued]:
    table = OUTBOX
    due = [
        table.c.id > after,
        table.c.status == "pending",
        or_(table.c.claimed_until.is_(None), table.c.claimed_until < now),
    ]
    if not retry_now:
        due.append(or_(table.c.next_attempt_at.is_(None), table.c.next_attempt_at <= now))
    query = select(table).where(*due).order_by(table.c.id).limit(size)
    with transaction(db) as session:
        conn = session.connection()
        if conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = list(conn.execute(query))
        if rows:
            conn.execute(
                update(table)
                .where(table.c.id.in_([r.id for r in rows]))
                .values(claimed_by=worker, claimed_until=now + LEASE)
            )
    return [_queued(row) for row in rows]


def _settle(db: Engine, worker: str, outcomes: list[Outcome]) -> None:
    """Write the outcomes and drop the claims, only where this worker still holds them."""
    table = OUTBOX
    mine = (table.c.id == bindparam("o_id"), table.c.claimed_by == worker)
    released = [{"o_id": o.id} for o in outcomes if o.status == "released"]
    tried = [
        {
            "o_id": o.id,
            "o_status": o.status,
            "o_attempts": o.attempts,
            "o_next": o.next_attempt_at,
            "o_error": o.last_error,
            "o_sent": o.sent_at,
        }
        for o in outcomes
        if o.status != "released"
    ]
    with transaction(db) as session:
        conn = session.connection()
        if tried:
            conn.execute(
                update(table)
                .where(*mine)
                .values(
                    status=bindparam("o_status"),
                    attempts=bindparam("o_attempts"),
                    next_attempt_at=bindparam("o_next", type_=table.c.next_attempt_at.type),
                    last_error=bindparam("o_error"),
                    sent_at=bindparam("o_sent", type_=table.c.sent_at.type),
                    claimed_by=None,
                    claimed_until=None,
                ),
                tried,
            )
        if released:
            conn.execute(
                update(table).where(*mine).values(claimed_by=None, claimed_until=None), released
            )


def _queued(row: Row[Any]) -> Queued:
    return Queued(
        id=row.id,
        attempts=row.attempts,
        from_addr=row.from_addr,
        to_addr=row.to_addr,
        subject=row.subject,
        body_text=row.body_text,
        body_html=row.body_html,
        message_id=row.message_id,
        created_at=row.created_at,
    )


def _info(row: Row[Any]) -> MessageInfo:
    return MessageInfo(
        id=row.id,
        order_id=row.order_id,
        email=row.email,
        to=row.to_addr,
        subject=row.subject,
        status=row.status,
        attempts=row.attempts,
        last_error=row.last_error,
        next_attempt_at=row.next_attempt_at,
        created_at=row.created_at,
        sent_at=row.sent_at,
        message_id=row.message_id,
    )


def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise UsageError(f"unknown outbox status {status!r}: expected one of {', '.join(STATUSES)}")


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _iso(when: datetime | None) -> str:
    return when.isoformat(timespec="seconds") if when else "an unknown time"
