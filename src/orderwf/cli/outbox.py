"""`orderwf outbox list | send | retry`: the email outbox and its delivery (SPEC §5, §6).

`send` exits 0 when every message it tried was delivered (or there was nothing to send) and 1
when any message was deferred or failed, so a cron job or CI step notices a delivery problem."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from orderwf.cli import common

if TYPE_CHECKING:
    from orderwf.service.outbox import MessageInfo, SendReport

outbox_app = common.group("outbox", "The email outbox and its delivery.")


class Status(StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"


@outbox_app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[Status | None, typer.Option(help="Only messages in this status.")] = None,
    as_json: common.JsonOpt = False,
) -> None:
    """List the outbox, oldest first, with the last error of each message."""
    from orderwf.service.outbox import list_messages

    messages = list_messages(common.db(ctx, reads_only=True), status.value if status else None)
    if as_json:
        typer.echo(json.dumps([m.as_json() for m in messages], indent=2, ensure_ascii=False))
    else:
        _print_table(messages)


@outbox_app.command()
def send(
    ctx: typer.Context,
    smtp: Annotated[
        str | None,
        typer.Option(
            help="SMTP server URL (env ORDERWF_SMTP_URL, else the project's; default "
            "smtp://localhost:25).",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Send at most N messages.")] = None,
    max_attempts: Annotated[
        int, typer.Option(min=1, help="Tries before a message is marked failed.")
    ] = 5,
    retry_now: Annotated[
        bool, typer.Option("--retry-now", help="Ignore the backoff wait of deferred messages.")
    ] = False,
) -> None:
    """Deliver the due pending messages over one SMTP connection."""
    from orderwf.service.outbox import SendStopped, check_send, send_pending

    url = common.smtp_url(ctx, smtp)
    # A malformed URL is a usage error before the database is opened.
    check_send(url, limit=limit, max_attempts=max_attempts)
    db = common.db(ctx)
    common.long_running()
    try:
        report = send_pending(db, url, limit=limit, max_attempts=max_attempts, retry_now=retry_now)
    except SendStopped as stopped:  # what was done, then why it stopped
        _print_report(stopped.report)
        raise
    _print_report(report)
    if not report.ok:
        ctx.exit(1)


@outbox_app.command()
def retry(
    ctx: typer.Context,
    message_id: Annotated[int, typer.Argument(metavar="ID", help="The outbox message id.")],
) -> None:
    """Put a failed message back in the queue (a pending one is made due now)."""
    from orderwf.service.outbox import retry as retry_message

    message = retry_message(common.db(ctx), message_id)
    typer.echo(
        f"message {message.id} ({message.email} to {message.to or 'no recipient'}) is pending; "
        "`orderwf outbox send` will deliver it"
    )


def _print_report(report: SendReport) -> None:
    plural = "" if report.connections == 1 else "s"
    typer.echo(
        f"sent {report.sent}, deferred {report.deferred}, failed {report.failed} "
        f"({report.connections} SMTP connection{plural})"
    )
    if report.connect_error:
        count = report.deferred + report.failed
        typer.echo(
            f"error: {report.connect_error}; {_messages(count)} kept in the outbox for a later try",
            err=True,
        )
    if report.interrupted:
        typer.echo(
            f"error: {report.interrupted}; the unsent messages stay pending for the next run",
            err=True,
        )
    connection_errors = {report.connect_error, report.interrupted}
    for message_id, error in report.errors:
        if error not in connection_errors:
            typer.echo(f"message {message_id}: {error}", err=True)


def _messages(count: int) -> str:
    return f"{count} message" + ("" if count == 1 else "s")


def _print_table(messages: list[MessageInfo]) -> None:
    """A table, then the last error of each message not sent (errors are too long for a
    column)."""
    from rich.console import Console
    from rich.table import Table

    if not messages:
        typer.echo("The outbox is empty.")
        return
    table = Table("ID", "Order", "Email", "To", "Subject", "Status", "Tries", "Next try / sent")
    for m in messages:
        when = m.sent_at if m.status == "sent" else m.next_attempt_at
        table.add_row(
            str(m.id),
            f"#{m.order_id}" if m.order_id is not None else "",
            m.email,
            m.to or "(none)",
            m.subject,
            m.status,
            str(m.attempts),
            when.strftime("%Y-%m-%d %H:%M") if when and m.status != "failed" else "",
        )
    out = Console(file=sys.stdout, highlight=False)
    out.print(table)
    for m in messages:
        if m.last_error and m.status != "sent":
            out.print(f"message {m.id} ({m.status}): {m.last_error}", markup=False)
