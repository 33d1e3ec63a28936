"""`orderwf validate`, `orderwf graph` and `orderwf init`: the commands about workflow files.
They never touch the database, so nothing here imports SQLModel or SQLAlchemy (STYLE 7)."""

from __future__ import annotations

import enum
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from orderwf.cli.app import app, options
from orderwf.errors import UsageError

if TYPE_CHECKING:
    from orderwf.workflow.model import Workflow


class Format(enum.StrEnum):
    text = "text"
    json = "json"
    github = "github"


class GraphFormat(enum.StrEnum):
    mermaid = "mermaid"
    dot = "dot"


@app.command()
def validate(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Workflow files or folders (default: workflows/).", show_default=False),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too.")] = False,
    cache: Annotated[
        bool, typer.Option("--cache/--no-cache", help="Reuse results of unchanged files.")
    ] = True,
    live: Annotated[
        bool,
        typer.Option("--live", help="Also check them against the orders in the database."),
    ] = False,
) -> None:
    """Check workflow files: YAML, JSON Schema, semantic checks and every email template.

    With --live, also against the database's orders: orders in statuses that are gone,
    orders of workflows no file declares, due timers whose action would be refused.

    Exit status: 0 clean, 1 findings that fail, 2 a path that does not exist."""
    # Imported here: `orderwf --help` must not pay for YAML and the workflow model.
    from orderwf.service import validate as checks

    project = options(ctx).project
    result = checks.validate(paths or [], project=project, use_cache=cache)
    if live:
        from orderwf.cli import common

        # The files first: the database is opened once they are checked.
        result = checks.live(common.db(ctx, reads_only=True), result, project=project)
    out = result.report(fmt.value)
    if out:
        typer.echo(out, nl=False)
    if fmt is Format.text:
        typer.echo(result.summary(), err=True)
    if result.fails(strict=strict):
        raise typer.Exit(1)


# -- graph -----------------------------------------------------------------------------------


def _edges(workflow: Workflow) -> tuple[dict[tuple[str, str], list[str]], list[str]]:
    """(from, to) → action ids, and the actions allowed from any status. An action from any
    status is one edge from an "any status" pseudo-node, not one edge per status."""
    edges: dict[tuple[str, str], list[str]] = {}
    anywhere: list[str] = []
    for action in workflow.actions.values():
        sources = ["*"] if action.sources is None else list(action.sources)
        if action.sources is None:
            anywhere.append(action.id)
        for target in action.targets:
            for source in sources:
                edges.setdefault((source, target.status), [])
                if action.id not in edges[(source, target.status)]:
                    edges[(source, target.status)].append(action.id)
    return edges, anywhere


def _full_refund_edges(workflow: Workflow) -> list[tuple[str, str]]:
    full = workflow.refunds.full_status
    if full is None:
        return []
    sources: list[str] = []
    for action in workflow.actions.values():
        if action.has_refund:
            for sid in action.sources or workflow.statuses:
                if sid != full and sid not in sources:
                    sources.append(sid)
    return [(sid, full) for sid in sources]


def _node(sid: str) -> str:
    return "ANY" if sid == "*" else "s_" + re.sub(r"[^A-Za-z0-9_]", "_", sid)


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;")


def mermaid(workflow: Workflow) -> str:
    edges, anywhere = _edges(workflow)
    lines = ["flowchart LR", "  START(( )) --> " + _node(workflow.initial)]
    for status in workflow.statuses.values():
        shape = '(["{}"])' if status.final else '["{}"]'
        lines.append(f"  {_node(status.id)}{shape.format(_mermaid_text(status.label))}")
    if anywhere:
        lines.append(f'  ANY{{{{"any status: {_mermaid_text(", ".join(anywhere))}"}}}}')
    for (src, dst), names in edges.items():
        lines.append(f'  {_node(src)} -->|"{_mermaid_text(", ".join(names))}"| {_node(dst)}')
    for src, dst in _full_refund_edges(workflow):
        lines.append(f'  {_node(src)} -.->|"full refund"| {_node(dst)}')
    for status in workflow.statuses.values():
        if status.color:
            lines.append(f"  style {_node(status.id)} stroke:{status.color},stroke-width:2px")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot(workflow: Workflow) -> str:
    edges, anywhere = _edges(workflow)
    lines = [
        f"digraph {_dot_text(workflow.name)} {{",
        "  rankdir=LR;",
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
        '  START [shape=point, label=""];',
        f"  START -> {_dot_text(workflow.initial)};",
    ]
    for status in workflow.statuses.values():
        attrs = [f"label={_dot_text(status.label)}"]
        if status.final:
            attrs.append("peripheries=2")
        if status.color:
            attrs.append(f"color={_dot_text(status.color)}")
        lines.append(f"  {_dot_text(status.id)} [{', '.join(attrs)}];")
    if anywhere:
        label = "any status:\\n" + "\\n".join(anywhere)
        lines.append(f'  "*" [shape=note, label="{label}"];')
    for (src, dst), names in edges.items():
        lines.append(
            f"  {_dot_text(src)} -> {_dot_text(dst)} [label={_dot_text(', '.join(names))}];"
        )
    for src, dst in _full_refund_edges(workflow):
        lines.append(f'  {_dot_text(src)} -> {_dot_text(dst)} [label="full refund", style=dashed];')
    return "\n".join(lines) + "\n}\n"


@app.command()
def graph(
    ctx: typer.Context,
    fmt: Annotated[GraphFormat, typer.Option("--format", help="Diagram language.")] = (
        GraphFormat.mermaid
    ),
) -> None:
    """Print the status graph of the workflow: statuses as nodes, actions as edges."""
    from orderwf.cli import common

    workflow = common.workflow(ctx)
    typer.echo(mermaid(workflow) if fmt is GraphFormat.mermaid else dot(workflow), nl=False)


# -- init ------------------------------------------------------------------------------------

_PROJECT = """\
# orderwf.toml: this shop's settings. Paths are relative to this file.
[shop]
database  = "sqlite:///orderwf.db"     # ORDERWF_DB and --db override it
workflows = "workflows"                # every *.yaml in it is a workflow, each with its own `name`
default   = "shop"                     # the workflow a new order gets when no route matches
scenarios = "scenarios"                # `orderwf test` files
# smtp    = "smtp://localhost:1025"    # ORDERWF_SMTP_URL and --smtp override it

# Optional: the first route whose `if` holds picks the workflow of a new or imported order.
# [[route]]
# workflow = "digital"
# if = "order.lines | rejectattr('virtual') | list | length == 0"
"""

_PRE_COMMIT = """\
# pre-commit (https://pre-commit.com): `pre-commit install` once, then every commit that
# touches the workflow is checked first.
repos:
  - repo: local
    hooks:
      - id: orderwf-validate
        name: orderwf validate
        entry: orderwf validate
        language: system
        pass_filenames: false
        files: ^(orderwf\\.toml|workflows/|templates/|schemas/)
      - id: orderwf-test
        name: orderwf test
        entry: orderwf test
        language: system
        pass_filenames: false
        files: ^(orderwf\\.toml|workflows/|templates/|scenarios/)
"""

_SCENARIO = """\
# yaml-language-server: $schema=../schemas/scenario.schema.json
# An `orderwf test` scenario: an order, the steps applied to it, and what each must do.
workflow: shop
now: "2026-11-26T09:00:00Z"
products:
  - {sku: TS, name: T-shirt, price: "20.00", stock: 5}
order:
  status: pending
  email: jeanne@example.fr
  lines: [{sku: TS, quantity: 2}]
  shipping: "4.90"
steps:
  - apply: pay
    expect:
      status: processing
      stock: {TS: 3}
      emails: [new_order, customer_processing_order]
  - apply: complete
    params: {tracking_number: 6A12345678901}
    expect:
      status: completed
      emails: [{id: customer_completed_order, to: jeanne@example.fr, contains: 6A12345678901}]
      tracking: [6A12345678901]
  - refund: {lines: {TS: 1}, restock: true, reason: Damaged}
    expect: {total_refunded: "20.00", stock: {TS: 4}, emails: [customer_refunded_order]}
  - apply: hold
    refused: not allowed
"""

_README = """\
# {name}

The order workflow of this shop, run by [orderwf](https://pypi.org/project/orderwf/). Every
`orderwf` command run in this folder (or below it) uses the files here: `orderwf.toml` says
where they are.

| path | what it is |
|---|---|
| `orderwf.toml` | the settings: database, workflows folder, default workflow, routes, SMTP |
| `workflows/shop.yaml` | the workflow: statuses, actions, emails and timers (name `shop`) |
| `templates/emails/` | the email templates (`<email id>.txt.j2` and `<email id>.html.j2`) |
| `schemas/workflow.schema.json` | lets your editor complete and check the workflow file |
| `schemas/scenario.schema.json` | the same for the scenario files |
| `scenarios/` | `orderwf test` scenarios: what the workflow must do, step by step |
| `.pre-commit-config.yaml` | runs `orderwf validate` and `orderwf test` before each commit |

Everyday use:

    orderwf validate          # check the workflows after an edit
    orderwf test              # run the scenarios
    orderwf info              # what a command here uses: database, workflows, routes
    orderwf order import orders.json
    orderwf apply 727 complete -p tracking_number=6A12345678901

Before deploying an edit to a workflow that has live orders, run `orderwf validate --live`
against a copy of the database; `orderwf migrate` moves orders out of renamed statuses.
"""


def _starter(directory: Path, locale: str) -> dict[Path, bytes]:
    """Every file `init` writes, by destination."""
    from orderwf import languages, resources

    start = languages.starter(locale)
    files = {
        directory / "orderwf.toml": _PROJECT.encode(),
        directory / "workflows" / "shop.yaml": start.workflow_text(name="shop").encode(),
        directory / "schemas" / "workflow.schema.json": resources.schema_path().read_bytes(),
        directory / "schemas" / "scenario.schema.json": (
            resources.scenario_schema_path().read_bytes()
        ),
        directory / "scenarios" / "ship-then-refund.yaml": _SCENARIO.encode(),
        directory / ".pre-commit-config.yaml": _PRE_COMMIT.encode(),
        directory / "README.md": _README.format(name=directory.resolve().name).encode(),
    }
    templates = start.templates
    for part in sorted(templates.glob("*.j2")):
        files[directory / "templates" / "emails" / part.name] = part.read_bytes()
    return files


@app.command()
def init(
    directory: Annotated[
        Path, typer.Argument(help="Folder of the new shop (created if needed).")
    ] = Path("."),
    locale: Annotated[
        str,
        typer.Option(
            "--locale",
            help="The shop's language: en_US, fr_FR or de_DE (texts, emails, dates, money).",
        ),
    ] = "en_US",
) -> None:
    """Start a shop folder: orderwf.toml, workflows/shop.yaml, templates, scenarios.

    Also the JSON Schema (for editors), a pre-commit config and a README."""
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory} is a file, not a folder; nothing was written")
    files = _starter(directory, locale)
    existing = [path for path in files if path.exists()]
    if existing:
        raise UsageError(
            f"{len(existing)} of the files init writes already exist "
            f"(first: {existing[0]}); nothing was written"
        )
    for path, content in files.items():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        except OSError as e:
            raise UsageError(f"cannot write {path}: {e.strerror}") from None
    typer.echo(f"wrote {len(files)} files in {directory}")
    typer.echo(f"next: cd {directory} && orderwf validate")
