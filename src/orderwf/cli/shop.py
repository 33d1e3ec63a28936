"""The shop folder's commands: `info`, what a command run here uses (SPEC §8);
`workflow show NAME@HASH`, a version of a workflow the database has run, and `migrate`, which
moves orders out of renamed or removed statuses (SPEC §9)."""

from __future__ import annotations

from typing import Annotated

import typer

from orderwf.cli import common
from orderwf.cli.app import app, options
from orderwf.cli.common import JsonOpt
from orderwf.errors import UsageError


@app.command("info")
def info(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """What a command run here would use: project, database, workflows, routes, SMTP."""
    from orderwf.service import shop

    opts = options(ctx)
    workflows = common.workflows(ctx)
    workflows.all()  # every workflow file, checked, before the database is read
    # A shop folder fresh from `init` has no database yet: say so, and create none (SPEC §4).
    missing = shop.missing_database(opts.db)
    counts = {} if missing else shop.workflow_counts(common.db(ctx, reads_only=True))
    data = workflows.info(counts, database=opts.db, smtp=common.smtp_url(ctx, None))
    data["database_exists"] = missing is None
    if as_json:
        common.echo_json(data)
        return
    rows = data["workflows"]
    lines = [
        f"project    {data['project'] or 'none (built-in defaults)'}",
        f"database   {data['database']}"
        + ("" if missing is None else " (not created yet: the first command that writes does)"),
        f"default    {data['default']}",
        "workflows",
    ]
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        where = r["path"] or "(no file declares it)"
        digest = (r["hash"] or "")[:12].ljust(12)
        orders = f"{r['orders']} order{'s' if r['orders'] != 1 else ''}"
        lines.append(f"  {r['name'].ljust(width)}  {digest}  {orders.ljust(10)}  {where}")
    if data["routes"]:
        lines.append("routes")
        for n, route in enumerate(data["routes"], 1):
            lines.append(f"  {n}. {route['workflow']} if {route['if']}")
    lines.append(f"smtp       {data['smtp']}")
    lines.append(f"scenarios  {data['scenarios'] or 'none'}")
    typer.echo("\n".join(lines))


workflow_app = common.group("workflow", "Workflow versions the database has run.")


@workflow_app.command("show")
def workflow_show(
    ctx: typer.Context,
    version: Annotated[
        str, typer.Argument(metavar="NAME@HASH", help="As `order history` shows it.")
    ],
) -> None:
    """Print a stored version of a workflow file, as it was when orders ran under it."""
    from orderwf.service import shop

    ref = shop.version_ref(version)  # checked before the database is opened
    typer.echo(shop.workflow_version(common.db(ctx, reads_only=True), ref), nl=False)


@app.command("migrate")
def migrate(
    ctx: typer.Context,
    move: Annotated[
        list[str] | None,
        typer.Option(
            "--move", metavar="OLD=NEW", help="Move orders out of a removed status (repeatable)."
        ),
    ] = None,
    workflow: Annotated[
        str | None,
        typer.Option("--workflow", metavar="NAME", help="Only the orders of this workflow."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count the orders to move; change nothing.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Move orders out of renamed (renamed_from) or removed (--move) statuses, in batches.

    Each moved order gets one history row (action migrate) and nothing else: no note, no
    email, no stock move. A second run finds nothing to move."""
    from orderwf import moves

    extra: dict[str, str] = {}
    for text in move or ():
        old, new = moves.parse_move(text)
        if old in extra:
            raise UsageError(f"--move {old}=… is given twice")
        extra[old] = new
    workflows = common.workflows(ctx)
    selected = [workflows.named(workflow)] if workflow is not None else workflows.all()
    moves.planned(selected, extra)  # every refusal before the database is opened
    # Orders to move live in an existing database: a mistyped path must not create one.
    db = common.db(ctx, reads_only=True)
    common.long_running()
    report = moves.migrate(db, selected, extra, actor=common.actor(ctx), dry_run=dry_run)
    if as_json:
        common.echo_json(
            {
                "dry_run": dry_run,
                "moves": [
                    {"workflow": m.workflow, "from": m.old, "to": m.new, "orders": m.orders}
                    for m in report.moves
                ],
                "orders": report.orders,
            }
        )
        return
    if not report.moves:
        typer.echo(
            "Nothing to migrate: no status declares renamed_from (give --move OLD=NEW for a "
            "status that was removed)."
        )
        return
    verb = "would move" if dry_run else "moved"
    for m in report.moves:
        count = f"{m.orders} order{'s' if m.orders != 1 else ''}"
        typer.echo(f"{m.workflow}: {count} {verb} from {m.old!r} to {m.new!r}")
    if not dry_run:
        batches = f"{report.batches} batch{'es' if report.batches != 1 else ''}"
        typer.echo(f"{report.orders} order(s) moved in {batches}.")
