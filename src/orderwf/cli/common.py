"""What every command needs: the database, the workflow, JSON and rich output, and
`-p NAME=VALUE` parsing. The database stack and the workflow loader are imported lazily."""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from orderwf.cli.app import app, options, resume_collector
from orderwf.errors import UsageError

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
OrderIdArg = Annotated[int, typer.Argument(metavar="ID")]

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy import Engine

    from orderwf.workflow.model import Workflow
    from orderwf.workflows import Workflows


def group(name: str, help: str) -> typer.Typer:
    """A command group (`orderwf NAME …`) on the root app; bare `orderwf NAME` shows its help."""
    sub = typer.Typer(help=help, no_args_is_help=True)
    app.add_typer(sub, name=name)
    return sub


def long_running() -> None:
    """Resume the cycle collector (`app.main` pauses it for start-up) for a command that loops
    over many orders, rows or messages. What start-up loaded is frozen first, so collections
    never traverse it again; the loop's own cycles are collected as it goes."""
    if not gc.isenabled():
        resume_collector()


def db(ctx: typer.Context, *, reads_only: bool = False) -> Engine:
    """The database of `--db`, migrated; disposed of when the command ends. `reads_only`: a
    command that only reads (`order list`, `product list`, …) refuses a SQLite file that
    does not exist, naming it, and creates nothing (SPEC §4); one that writes creates it."""
    from orderwf.service import shop

    opts = options(ctx)
    connected = shop.connect(opts.db, lock_timeout=opts.lock_timeout, must_exist=reads_only)
    ctx.call_on_close(connected.dispose)
    return connected


def smtp_url(ctx: typer.Context, option: str | None) -> str:
    """`--smtp`, else `ORDERWF_SMTP_URL`, else the project's `smtp`, else the default."""
    from orderwf.project import settings_smtp

    return settings_smtp(option, options(ctx).project)


def workflows(ctx: typer.Context) -> Workflows:
    """The workflows of this run: the project's folder, `--workflow`, the default (§8)."""
    return options(ctx).workflows


def workflow(ctx: typer.Context) -> Workflow:
    """The one workflow of a command about a workflow rather than an order (`graph`, the
    currency of products): `--workflow`, else the project's default, else the built-in."""
    return workflows(ctx).default()


def workflow_first(ctx: typer.Context) -> None:
    """Load the workflow before the database is opened when it is known without an order
    (no project, or `--workflow`): an invalid file then leaves no database behind."""
    found = workflows(ctx)
    if found.project is None or found.forced is not None:
        found.default()


def order_workflow(ctx: typer.Context, db: Engine, order_id: int) -> Workflow:
    """The workflow an existing order recorded (SPEC §8). Without a project there is one
    workflow in use (the engine refuses an order of another name), so no query is needed."""
    from orderwf.service import orders

    found = workflows(ctx)
    if found.project is None:
        return found.default()
    return found.by_name(orders.workflow_of(db, order_id), f"order #{order_id}")


def require_status(ctx: typer.Context, status: str) -> str:
    """The status id `--status S` names in some workflow in use (a usage error otherwise)."""
    return workflows(ctx).require_status(status)


def actor(ctx: typer.Context) -> str:
    return options(ctx).actor


def echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def console() -> Console:
    from rich.console import Console

    return Console(file=sys.stdout, highlight=False, soft_wrap=False)


def parse_params(pairs: Iterable[str]) -> dict[str, Any]:
    """`-p NAME=VALUE` (repeatable; a repeated name gives a list)."""
    params: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"param {pair!r} is not NAME=VALUE")
        name = name.strip()
        if name in params:
            previous = params[name]
            params[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            params[name] = value
    return params


def id_list(ids: list[int], limit: int = 20) -> str:
    """`#1, #2, #3`; past `limit` ids, the first ones and how many more (an import of a
    million orders prints one line)."""
    if not ids:
        return "none"
    shown = ", ".join(f"#{i}" for i in ids[:limit])
    return shown if len(ids) <= limit else f"{shown} and {len(ids) - limit:,} more"
