"""The command line: a Typer app, one module per command group. Command modules import only
what `--help` needs; the database stack is imported inside the commands that use it."""

from __future__ import annotations

import gc


def main() -> None:
    """Entry point of the console script (and of `python -m orderwf`): the cycle collector is
    paused before Typer and the app are imported, then `app.main` runs the command. Paused
    only in `app.main`, a cold command collected 27 times (3.6 ms) while Typer and Click
    loaded, objects that live as long as the process (docs/performance.md, "cold2")."""
    gc.disable()
    from orderwf.cli.app import main as run

    run()
