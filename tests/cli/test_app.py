"""The entry point registers only the module of the command being run, and runs it with the
cycle collector paused unless the command loops over many orders."""

import gc
import sys

import pytest
import typer
import typer.core
import typer.main
from helpers import Shop

from orderwf.cli import app as app_module
from orderwf.cli.app import _COMMAND_MODULES, _MODULE_OF, command_module, get_app


@pytest.mark.parametrize(
    ("argv", "module"),
    [
        (["apply", "727", "pay"], "orderwf.cli.actions"),
        (["--db", "sqlite:///x.db", "--actor", "ann", "refund", "1"], "orderwf.cli.actions"),
        (["order", "show", "1"], "orderwf.cli.orders"),
        (["--db=sqlite:///x.db", "validate"], "orderwf.cli.validate"),
        (["--workflow", "apply", "outbox", "send"], "orderwf.cli.outbox"),
        (["--debug", "product", "list"], "orderwf.cli.products"),
        (["--help"], None),
        ([], None),
        (["valdate"], None),
    ],
)
def test_command_module_finds_the_command_past_the_global_options(
    argv: list[str], module: str | None
) -> None:
    assert command_module(argv) == module


def test_every_registered_command_has_its_module() -> None:
    cli = typer.main.get_command(get_app())
    assert isinstance(cli, typer.core.TyperGroup)
    assert set(cli.commands) == set(_MODULE_OF)
    assert set(_MODULE_OF.values()) == set(_COMMAND_MODULES)


def _main_counting_collections(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[object, int]:
    """Run the console script's `main` in this process; its exit code and how many times the
    cycle collector ran while the command ran. The young generation's threshold is 1 meanwhile,
    so whenever the collector is on, the next allocation runs it."""
    collections: list[int] = []
    running = [False]
    command = typer.Typer.__call__

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and running[0]:
            collections.append(info["generation"])

    def run_command(self: typer.Typer, *args: object, **kwargs: object) -> object:
        running[0] = True
        try:
            return command(self, *args, **kwargs)
        finally:
            running[0] = False

    monkeypatch.setattr(sys, "argv", ["orderwf", *argv])
    monkeypatch.setattr(typer.Typer, "__call__", run_command)
    gc.callbacks.append(count)
    threshold = gc.get_threshold()
    gc.set_threshold(1, *threshold[1:])
    try:
        with pytest.raises(SystemExit) as exited:
            app_module.main()
    finally:
        gc.set_threshold(*threshold)
        gc.callbacks.remove(count)
        gc.unfreeze()
    assert gc.isenabled()  # given back to whoever called main
    return exited.value.code, len(collections)


def test_a_single_apply_runs_with_the_cycle_collector_paused(
    seeded: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, collections = _main_counting_collections(
        ["--db", seeded.url, "--actor", "alice", "apply", "727", "hold"], monkeypatch
    )
    assert (code, collections) == (0, 0)
    assert seeded.order(727)["status"] == "on-hold"


def test_a_bulk_apply_resumes_the_cycle_collector(
    seeded: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, collections = _main_counting_collections(
        ["--db", seeded.url, "--actor", "alice", "apply", "--ids", "727", "hold"], monkeypatch
    )
    assert code == 0
    assert collections > 0
    assert seeded.order(727)["status"] == "on-hold"


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["apply"], "missing argument '[ID] ACTION' (see 'orderwf apply --help')"),
        (["--bogus"], "no such option: --bogus (see 'orderwf --help')"),
        (
            ["order", "show", "abc"],
            "invalid value for 'ID': 'abc' is not a valid int (see 'orderwf order show --help')",
        ),
        (["order", "nosuch"], "no such command 'nosuch' (see 'orderwf order --help')"),
        (["--db"], "option '--db' requires an argument (see 'orderwf --help')"),
    ],
)
def test_a_usage_error_is_one_sentence_on_stderr(shop: Shop, args: list[str], line: str) -> None:
    result = shop.run(*args)
    assert result.exit_code == 2
    assert result.stderr == f"error: {line}\n"
    assert result.stdout == ""
    assert not shop.db_path.exists()  # nothing was opened, so nothing was created


def test_a_bare_group_still_shows_its_help(shop: Shop) -> None:
    result = shop.run("order")
    assert result.exit_code == 2  # Click's own convention for help shown instead of a command
    assert result.stderr.startswith("Usage: orderwf order [OPTIONS] COMMAND [ARGS]...\n")
    assert "  show     One order: lines, totals, refunds, notes, tracking." in result.stderr
