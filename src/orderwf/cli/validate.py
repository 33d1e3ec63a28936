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
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Workflow files or folders (default: workflows/).", show_default=False),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too.")] = False,
    cache: Annotated[
        bool, typer.Option("--cache/--no-cache", help="Reuse results of unchanged files.")
    ] = True,
) -> None:
    """Check workflow files: YAML, JSON Schema, semantic checks and every email template.

    Exit status: 0 clean, 1 findings that fail, 2 a path that does not exist."""
    # Imported here: `orderwf --help` must not pay for YAML and the workflow model.
    from orderwf.workflow import findings as fnd
    from orderwf.workflow import loader

    files = loader.workflow_files(paths or [loader.DEFAULT_FOLDER])
    found = loader.validate_files(files, use_cache=cache)
    out = fnd.report(found, fmt.value)
    if out:
        typer.echo(out, nl=False)
    if fmt is Format.text:
        typer.echo(fnd.summary(found, len(files)), err=True)
    if any(f.is_error or strict for f in found):
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
    from orderwf.workflow import loader

    workflow = loader.load_workflow(options(ctx).workflow)
    typer.echo(mermaid(workflow) if fmt is GraphFormat.mermaid else dot(workflow), nl=False)


# -- init ------------------------------------------------------------------------------------

_README = """\
# {name}

The order workflow of this shop, run by [orderwf](https://pypi.org/project/orderwf/).

- `workflows/shop.yaml`: statuses, actions, emails and timers. Edit it, then check it:

      orderwf validate

- `templates/emails/`: the email templates (`<email id>.txt.j2` and `<email id>.html.j2`).
- `schemas/workflow.schema.json`: lets your editor complete and check the workflow file.

See the status graph with `orderwf --workflow workflows/shop.yaml graph`.
"""


def _starter(directory: Path, locale: str) -> dict[Path, bytes]:
    """Every file `init` writes, by destination."""
    from orderwf import languages, resources

    start = languages.starter(locale)
    files = {
        directory / "workflows" / "shop.yaml": start.workflow_text(name="shop").encode(),
        directory / "schemas" / "workflow.schema.json": resources.schema_path().read_bytes(),
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
    """Write a starter shop: workflows/shop.yaml, its email templates and a README."""
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
