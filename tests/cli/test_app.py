"""The entry point registers only the module of the command being run."""

import pytest
import typer
import typer.core
import typer.main

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
