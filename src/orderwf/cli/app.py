"""The root Typer app: global options, the command groups, and the one error handler
(known error → its exit code with one sentence on stderr; a bug → 3; Ctrl-C → 130)."""

from __future__ import annotations

import gc
import getpass
import importlib
import os
import traceback
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from orderwf import __version__
from orderwf.errors import OrderwfError

if TYPE_CHECKING:
    from orderwf.project import Project
    from orderwf.workflows import Workflows

# Click's usage error, from wherever this Typer takes Click (recent ones bundle their own copy).
_UsageError: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError"
)


class _Group(TyperGroup):
    """The root group. Its commands load on demand from `COMMANDS` (Click's "Lazily Loading
    Subcommands": `list_commands` and `get_command`), and every command runs under the one
    error handler, so `CliRunner` sees what users see."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = self.commands.get(cmd_name)
        if command is None and cmd_name in COMMANDS:
            importlib.import_module(COMMANDS[cmd_name])  # registers its commands on `app`
            command = self.commands[cmd_name] = _build(cmd_name)
        return command

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in COMMANDS:  # a typo: Typer suggests among the built ones
            for name in COMMANDS:
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except _UsageError as e:
            _usage_error(ctx, e)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except _UsageError as e:  # a command's arguments or options
            _usage_error(ctx, e)
        except OrderwfError as e:
            typer.echo(f"error: {e.message}", err=True)
            for reason in e.reasons if len(e.reasons) > 1 else ():
                if reason != e.message:  # the headline may lead its own list of reasons
                    typer.echo(f"  - {reason}", err=True)
            ctx.exit(e.exit_code)
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            ctx.exit(130)
        except Exception as e:  # the one place that catches everything: a bug
            if type(e).__module__.partition(".")[0] in ("click", "typer"):
                raise  # Click's own control flow: usage errors, --help, exit
            if _debug(ctx):
                traceback.print_exc()
            typer.echo(
                f"internal error: {type(e).__name__}: {e}. This is a bug in orderwf; "
                "please report it with the command you ran (add --debug for details).",
                err=True,
            )
            ctx.exit(3)
        return None


def _usage_error(ctx: Any, e: Any) -> NoReturn:
    """Click's usage error as one sentence on stderr (SPEC §5), not its usage block; the
    help Click shows for a bare group (`NoArgsIsHelpError`) stays as it is."""
    if type(e).__name__ == "NoArgsIsHelpError":
        raise e
    message = e.format_message().rstrip(".")
    if e.ctx is not None:
        where = e.ctx.command_path
    else:  # an option's usage, told by Click's parser without its context: the command's
        where = " ".join(filter(None, [ctx.command_path, ctx.invoked_subcommand]))
    typer.echo(f"error: {message[:1].lower()}{message[1:]} (see '{where} --help')", err=True)
    raise typer.Exit(2)


def _debug(ctx: Any) -> bool:
    obj = ctx.find_root().obj
    return bool(getattr(obj, "debug", False) or os.environ.get("ORDERWF_DEBUG"))


# Every top-level command and the module that defines it (on `app`, when imported). A run
# imports only the module of the command it runs: Typer inspects the signature of every
# command it builds, so building them all would cost every run (~150 ms). `orderwf --help`
# lists them in this order. A new command is one line here.
COMMANDS: dict[str, str] = {
    "validate": "orderwf.cli.validate",
    "graph": "orderwf.cli.validate",
    "init": "orderwf.cli.validate",
    "test": "orderwf.cli.scenarios",
    "actions": "orderwf.cli.actions",
    "apply": "orderwf.cli.actions",
    "tick": "orderwf.cli.actions",
    "refund": "orderwf.cli.actions",
    "note": "orderwf.cli.actions",
    "demo": "orderwf.cli.demo",
    "order": "orderwf.cli.orders",
    "email": "orderwf.cli.orders",
    "product": "orderwf.cli.products",
    "db": "orderwf.cli.products",
    "outbox": "orderwf.cli.outbox",
    "info": "orderwf.cli.shop",
    "workflow": "orderwf.cli.shop",
    "migrate": "orderwf.cli.shop",
}

app = typer.Typer(
    cls=_Group,
    name="orderwf",
    help="Run an online shop's order workflow from YAML.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@dataclass
class Options:
    """The global options, resolved once and passed to every command. The project file is
    found and read on first use: `init`, `--version` and the like never look for it."""

    db_option: str | None
    workflow: str | None
    actor: str
    debug: bool = False
    lock_timeout: float = 10.0
    project_option: str | None = None

    @cached_property
    def project(self) -> Project | None:
        from orderwf import project

        return project.find(self.project_option)

    @property
    def db(self) -> str:
        """`--db`, else `ORDERWF_DB`, else the project's `database`, else the default."""
        from orderwf.project import settings_database

        return settings_database(self.db_option, self.project)

    @cached_property
    def workflows(self) -> Workflows:
        from orderwf.workflows import Workflows

        return Workflows(self.project, self.workflow)


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "operator"


def _lock_timeout(value: float) -> float:
    if not 0 <= value <= 86400:  # NaN too
        raise typer.BadParameter(f"{value} is not a number of seconds from 0 to 86400")
    return value


def _version(value: bool) -> None:
    if value:
        typer.echo(f"orderwf {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    lock_timeout: Annotated[
        float,
        typer.Option(
            envvar="ORDERWF_LOCK_TIMEOUT",
            metavar="SECONDS",
            callback=_lock_timeout,
            help="Seconds to wait for an order (or SQLite's write lock) that someone else holds.",
        ),
    ] = 10.0,
    project: Annotated[
        str | None,
        typer.Option(
            envvar="ORDERWF_PROJECT",
            metavar="PATH",
            help="The shop folder or its orderwf.toml (default: the nearest one).",
            show_default=False,
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            envvar="ORDERWF_DB",
            metavar="URL",
            help="Database URL (default: the project's, else sqlite:///orderwf.db).",
            show_default=False,
        ),
    ] = None,
    workflow: Annotated[
        str | None,
        typer.Option(
            envvar="ORDERWF_WORKFLOW",
            metavar="NAME|PATH",
            help="Workflow name or file (default: the project's routes and default; without "
            "a project workflows/woocommerce.yaml here, else the built-in).",
            show_default=False,
        ),
    ] = None,
    actor: Annotated[
        str | None, typer.Option(envvar="ORDERWF_ACTOR", help="Who is acting (default: login).")
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the traceback of an internal error.")
    ] = False,
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = None,
) -> None:
    ctx.obj = Options(
        db_option=db,
        workflow=workflow,
        actor=actor or _default_actor(),
        debug=debug,
        lock_timeout=lock_timeout,
        project_option=project,
    )


def options(ctx: typer.Context) -> Options:
    obj = ctx.find_root().obj
    assert isinstance(obj, Options)
    return obj


def _build(name: str) -> Any:
    """The Click command (or group) of `name`, from what its module registered on `app`, built
    as Typer builds the commands of a group."""
    short, markup = app.pretty_exceptions_short, app.rich_markup_mode
    for command in app.registered_commands:
        callback = command.callback
        named = command.name or (callback and typer.main.get_command_name(callback.__name__))
        if named == name:
            return typer.main.get_command_from_info(
                command, pretty_exceptions_short=short, rich_markup_mode=markup
            )
    for group in app.registered_groups:
        if group.name == name:
            return typer.main.get_group_from_info(
                group,
                pretty_exceptions_short=short,
                suggest_commands=app.suggest_commands,
                rich_markup_mode=markup,
            )
    raise LookupError(f"{COMMANDS[name]} registers no command {name!r} on the app")


def main() -> None:
    """Entry point of the console script.

    A command starts by importing typer, SQLAlchemy, pydantic and Jinja2: about a million
    objects that live as long as the process, which the cycle collector would traverse again
    and again while they load, and once more at exit (a quarter of a cold `apply`, measured:
    docs/performance.md). So a command runs with collection paused; one that loops over many
    orders or messages resumes it (`common.long_running`), and refcounting frees everything
    else as usual. The console script's `orderwf.cli.main` pauses it earlier still, before
    Typer is imported."""
    gc.disable()
    try:
        app()
    finally:
        # Frozen first: the first collection after `enable` would otherwise traverse every
        # object the command allocated, at exit, for nothing.
        resume_collector()


def resume_collector() -> None:
    """Freeze what is allocated so far, then let the cycle collector run again."""
    gc.freeze()
    gc.enable()


def get_app() -> typer.Typer:
    """The app (what tests invoke through `CliRunner`): its commands load as they run."""
    return app
