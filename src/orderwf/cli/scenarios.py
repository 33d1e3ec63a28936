"""`orderwf test`: run a shop's workflow scenarios in memory (SPEC §10), measure what they cover,
or explore the workflow for paths that break an invariant. No database: nothing here imports
SQLModel or SQLAlchemy."""

from __future__ import annotations

import enum
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from orderwf.cli.app import app, options
from orderwf.errors import UsageError, WorkflowError

if TYPE_CHECKING:
    from orderwf.scenario.load import Loaded, Workflows


class Format(enum.StrEnum):
    text = "text"
    json = "json"
    github = "github"


def _findings(loaded: list[Loaded], fmt: Format) -> None:
    """Print the findings of the scenario files and stop with exit 2, if there are any."""
    from orderwf.scenario import report

    found = [f for item in loaded for f in item.findings]
    if not found:
        return
    out, summary = report.scenario_findings(found, len(loaded), fmt.value)
    typer.echo(out, nl=False)
    if fmt is Format.text:
        typer.echo(summary, err=True)
    raise typer.Exit(2)


def _invalid_workflows(paths: list[Path], fmt: Format) -> None:
    """A workflow that does not validate: its findings, exit 1, nothing run."""
    from orderwf.scenario import report

    typer.echo(report.workflow_findings(paths, fmt.value), nl=False)
    typer.echo(
        f"error: {len(set(paths))} workflow{'s' if len(set(paths)) != 1 else ''} used by the "
        "scenarios did not validate; nothing was run",
        err=True,
    )
    raise typer.Exit(1)


def _load(paths: list[Path] | None, workflows: Workflows, *, required: bool) -> list[Loaded]:
    from orderwf.scenario import load, report

    default = load.folder(workflows.project)
    if not paths and not default.is_dir():
        if not required:
            return []
        raise UsageError(
            f"no scenarios: {report.display_path(default)}/ does not exist "
            "(give scenario files or folders, see docs/testing.md)"
        )
    where = paths or [default]
    files = load.scenario_files(where)
    if not files and required:
        raise UsageError(f"no scenario files (*.yaml) in {', '.join(map(str, where))}")
    return [load.load(path, workflows) for path in files]


def _explore(
    loaded: list[Loaded], workflows: Workflows, depth: int, save: Path | None, fmt: Format
) -> None:
    """Explore each workflow the scenarios use (the default one when there are none)."""
    from orderwf.scenario import explore
    from orderwf.scenario.report import display_path

    chosen: dict[str, Path] = {}
    for item in loaded:
        if item.workflow is not None and item.workflow_path is not None:
            chosen.setdefault(item.workflow.name, item.workflow_path)
    if not chosen:
        name = workflows.default_name
        if name is not None and name in workflows.paths:
            chosen = {name: workflows.paths[name]}
        elif workflows.default_path is not None:
            chosen = {"": workflows.default_path}  # no name: its findings say why
        else:
            raise UsageError(
                "no workflow to explore: there are no scenarios and no default workflow "
                '(give --workflow NAME, or default = "NAME" under [shop] in orderwf.toml)'
            )
    reports = []
    failed = False
    for name, path in chosen.items():
        try:
            workflow = workflows.load(name) if name else None
        except WorkflowError:
            workflow = None
        if workflow is None:
            _invalid_workflows([path], fmt)
            return
        result = explore.explore(workflow, depth)
        saved = {}
        if save is not None and result.violations:
            try:
                saved = explore.save(result, save)
            except OSError as e:
                raise UsageError(f"cannot write scenarios in {save}: {e.strerror}") from None
        failed = failed or bool(result.violations)
        if fmt is Format.json:
            reports.append(explore.as_json(result, display_path(path), saved))
        else:
            typer.echo(explore.report(result, display_path(path), saved), nl=False)
    if fmt is Format.json:
        typer.echo(json.dumps({"explore": reports}, indent=2, ensure_ascii=False))
    if failed:
        raise typer.Exit(1)


@app.command("test")
def run_scenarios(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Scenario files or folders (default: scenarios/).", show_default=False),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,
    junit_xml: Annotated[
        Path | None,
        typer.Option("--junit-xml", help="Also write JUnit XML (one testcase per scenario)."),
    ] = None,
    coverage: Annotated[
        bool, typer.Option("--coverage", help="Report what the scenarios exercised.")
    ] = False,
    fail_under: Annotated[
        float | None,
        typer.Option(
            "--fail-under",
            min=0,
            max=100,
            metavar="PCT",
            help="With --coverage: exit 1 when a workflow's transition coverage is below PCT.",
        ),
    ] = None,
    explore: Annotated[
        bool,
        typer.Option(
            "--explore",
            help="Generate paths through each workflow the scenarios use and check the "
            "invariants after every step (instead of running the scenarios).",
        ),
    ] = False,
    depth: Annotated[
        int, typer.Option("--depth", min=1, max=20, help="With --explore: longest path.")
    ] = 6,
    save: Annotated[
        Path | None,
        typer.Option(
            "--save", metavar="DIR", help="With --explore: write each violation as a scenario."
        ),
    ] = None,
) -> None:
    """Run workflow scenarios in memory, through the same engine and templates as apply.

    Each step of each scenario is checked against what the scenario expects, and against the
    invariants (money, stock, emails). --coverage reports what they exercised; --explore
    generates paths instead (docs/testing.md).

    Exit status: 0 all passed, 1 a scenario failed (or a workflow does not validate),
    2 a scenario file with findings."""
    from orderwf.scenario import coverage as cov
    from orderwf.scenario import load, report, run
    from orderwf.scenario.report import display_path

    if fail_under is not None and not coverage:
        raise UsageError("--fail-under needs --coverage")
    if save is not None and not explore:
        raise UsageError("--save needs --explore")
    if explore and (coverage or junit_xml is not None):
        raise UsageError("--explore runs no scenarios: it takes no --coverage or --junit-xml")
    started = time.perf_counter()
    workflows = load.Workflows(options(ctx).project, options(ctx).workflow)
    loaded = _load(paths, workflows, required=not explore)
    _findings(loaded, fmt)
    broken = [item.workflow_path for item in loaded if item.workflow_error is not None]
    if broken:
        _invalid_workflows([p for p in broken if p is not None], fmt)
    if explore:
        _explore(loaded, workflows, depth, save, fmt)
        return
    observer = cov.Coverage() if coverage else None
    results = []
    paths_of: dict[str, str] = {}
    for item in loaded:
        assert item.scenario is not None
        assert item.workflow is not None
        results.append(run.run(item.scenario, item.workflow, observer))
        if item.workflow_path is not None:
            paths_of[item.workflow.name] = display_path(item.workflow_path)
    seconds = time.perf_counter() - started
    if fmt is Format.json:
        extra = {"coverage": cov.as_json(observer)} if observer is not None else None
        typer.echo(report.results_json(results, extra), nl=False)
    elif fmt is Format.github:
        typer.echo(report.github(results), nl=False)
    else:
        typer.echo(report.text(results), nl=False)
        if observer is not None:
            typer.echo(cov.text(observer, paths_of), nl=False)
        typer.echo(report.summary(results, seconds), err=True)
    low = list(cov.under(observer, fail_under)) if observer and fail_under is not None else []
    for sentence in low:
        typer.echo(f"error: {sentence}", err=True)
    if junit_xml is not None:
        try:
            junit_xml.write_text(report.junit(results, seconds), encoding="utf-8")
        except OSError as e:
            raise UsageError(f"cannot write {junit_xml}: {e.strerror}") from None
    if low or any(r.outcome != "passed" for r in results):
        raise typer.Exit(1)
