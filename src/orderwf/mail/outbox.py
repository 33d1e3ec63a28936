"""Delivering queued messages (SPEC §6), apart from where they are queued: a claimed batch
sent over one SMTP connection, each message's outcome as it is known (sent, deferred with
backoff, failed, or released untried), and the message built from its queued fields. The
service (`service/outbox.py`) claims batches from the store and writes each outcome before the
next message goes out."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from orderwf.mail.smtp import Outgoing, Sender, SmtpFailure

# How long a claim on a batch lasts; a batch stops being sent this long before its lease
# ends (`LEASE_MARGIN`), so it is never sent by two workers.
LEASE = timedelta(minutes=5)
LEASE_MARGIN = timedelta(minutes=1)
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)


@dataclass(frozen=True)
class Queued:
    """A message as the outbox holds it, claimed for sending."""

    id: int
    attempts: int
    from_addr: str
    to_addr: str
    subject: str
    body_text: str
    body_html: str | None
    message_id: str
    created_at: datetime | None

    def outgoing(self) -> Outgoing:
        return Outgoing(
            from_addr=self.from_addr,
            to_addr=self.to_addr,
            subject=self.subject,
            text=self.body_text,
            html=self.body_html,
            message_id=self.message_id,
            date=self.created_at or datetime.now(UTC),
        )


@dataclass
class SendReport:
    """What one `send_pending` run did. `errors` holds (message id, error) for every message
    deferred or failed in this run."""

    sent: int = 0
    deferred: int = 0
    failed: int = 0
    connections: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    connect_error: str | None = None  # the server could not be reached or refused the login
    interrupted: str | None = None  # the connection was lost mid-batch; the rest waits
    database_lost: str | None = None  # the database could not be reached: the run stopped

    @property
    def ok(self) -> bool:
        return not (self.deferred or self.failed)


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try: 30 s × 2^(attempts − 1), at most 1 h."""
    if attempts < 1:
        return timedelta(0)
    delay: timedelta = FIRST_DELAY * 2 ** min(attempts - 1, 20)
    return min(delay, MAX_DELAY)


@dataclass(frozen=True)
class Outcome:
    id: int
    status: str  # sent | pending | failed; "released" for a message not tried
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    sent_at: datetime | None = None


def deliver(
    batch: Iterable[Queued],
    sender: Sender,
    report: SendReport,
    clock: Callable[[], datetime],
    max_attempts: int,
) -> Iterator[Outcome]:
    """Send a claimed batch, one outcome per message as the server answers (counted in
    `report`); once the connection is lost, or the lease is about to end, the rest are
    released untried."""
    deadline = time.monotonic() + (LEASE - LEASE_MARGIN).total_seconds()
    for message in batch:
        if report.interrupted or time.monotonic() > deadline:
            yield Outcome(message.id, "released")
            continue
        outgoing = message.outgoing()
        try:
            if report.connect_error:
                outgoing.envelope()  # a message without recipient fails as such
                raise SmtpFailure(report.connect_error, kind="unreachable", at_connect=True)
            refused = sender.send(outgoing)
        except SmtpFailure as failure:
            if failure.at_connect:
                report.connect_error = failure.message
            elif failure.connection_lost:
                report.interrupted = failure.message
            outcome = failed_try(message, failure, clock(), max_attempts)
            report.errors.append((message.id, failure.message))
            if outcome.status == "failed":
                report.failed += 1
            else:
                report.deferred += 1
            yield outcome
            continue
        report.sent += 1
        partial = "; ".join(f"{addr} refused ({code})" for addr, (code, _) in refused.items())
        yield Outcome(message.id, "sent", message.attempts + 1, None, partial or None, clock())


def failed_try(message: Queued, failure: SmtpFailure, now: datetime, max_attempts: int) -> Outcome:
    """A try that failed: failed for good (a permanent refusal, the last attempt), else
    pending again after `backoff`."""
    attempts = message.attempts + 1
    if failure.permanent or attempts >= max_attempts:
        return Outcome(message.id, "failed", attempts, None, failure.message)
    return Outcome(message.id, "pending", attempts, now + backoff(attempts), failure.message)
