"""The root group loads only the module of the command being run (`COMMANDS`), and runs it with
the cycle collector paused unless the command loops over many orders."""

import gc
import importlib
import subprocess
import sys

import pytest
import typer
import typer.core
import typer.main
from syrupy.assertion import SnapshotAssertion
from typer.testing import CliRunner

from orderwf.cli import app as app_module
from orderwf.cli.app import COMMANDS, app
from shop import Shop


def test_every_command_a_module_registers_is_in_the_registry() -> None:
    for module in set(COMMANDS.values()):
        importlib.import_module(module)
    built = typer.main.get_command(app)
    assert isinstance(built, typer.core.TyperGroup)
    assert set(built.commands) == set(COMMANDS)
    for name, command in built.commands.items():
        callbacks = [command.callback]
        if isinstance(command, typer.core.TyperGroup):
            callbacks = [sub.callback for sub in command.commands.values()]
        assert {c.__module__ for c in callbacks if c} == {COMMANDS[name]}, name


_LOADED = """
import sys
from orderwf.cli.app import main
sys.argv[0] = "orderwf"
try:
    main()
except SystemExit:
    pass
print(sorted(m for m in sys.modules if m.startswith("orderwf.cli.")))
"""


@pytest.mark.parametrize(
    ("argv", "loaded"),
    [
        (["--actor", "ann", "validate", "--help"], ["validate"]),
        (["--db", "sqlite:///nowhere.db", "order", "show", "--help"], ["common", "orders"]),
        (["--version"], []),
        (["--help"], sorted({m.rpartition(".")[2] for m in COMMANDS.values()} | {"common"})),
    ],
)
def test_a_run_imports_only_the_module_of_its_command(argv: list[str], loaded: list[str]) -> None:
    """`get_command` loads the one module a run needs (a fresh process: this one has loaded
    them all)."""
    out = subprocess.run(
        [sys.executable, "-c", _LOADED, *argv], capture_output=True, text=True, check=True
    ).stdout
    assert out.splitlines()[-1] == repr(
        sorted({"orderwf.cli.app", *(f"orderwf.cli.{m}" for m in loaded)})
    )


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
        (
            ["valdate"],
            "no such command 'valdate'. Did you mean 'validate'? (see 'orderwf --help')",
        ),
        (["--db"], "option '--db' requires an argument (see 'orderwf --help')"),
        # Click's parser tells an option's misuse without the command's context: the help
        # named is still the command's (its group's, under a group).
        (
            ["apply", "--status", "pending", "process", "--param"],
            "option '--param' requires an argument (see 'orderwf apply --help')",
        ),
        (
            ["order", "list", "--limit"],
            "option '--limit' requires an argument (see 'orderwf order --help')",
        ),
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


def test_the_root_help_lists_every_command_in_registry_order(snapshot: SnapshotAssertion) -> None:
    result = CliRunner().invoke(app, ["--help"], terminal_width=100)
    assert result.exit_code == 0
    assert result.stdout == snapshot
