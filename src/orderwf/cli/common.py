"""What every command needs: the database engine, the workflow, JSON and rich output, and
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


def engine(ctx: typer.Context, *, reads_only: bool = False) -> Engine:
    """The database of `--db`, migrated; disposed of when the command ends. `reads_only`: a
    command that only reads (`order list`, `product list`, …) refuses a SQLite file that
    does not exist, naming it, and creates nothing (SPEC §4); one that writes creates it."""
    from orderwf.store import db

    opts = options(ctx)
    connected = db.connect(opts.db, lock_timeout=opts.lock_timeout, must_exist=reads_only)
    ctx.call_on_close(connected.dispose)
    return connected


def workflow(ctx: typer.Context) -> Workflow:
    from orderwf.workflow.loader import load_workflow

    return load_workflow(options(ctx).workflow)


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
