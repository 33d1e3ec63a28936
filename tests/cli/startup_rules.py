"""Start-up: what a command imports, and every import that waits inside a function, with what
the wait buys. Test data, not part of the package: `tests/cli/test_startup.py` reads it (it
lived in `src/orderwf/startup.py` until 2026-12-05, shipped in every wheel for one test).

**The rule.** A module imports what it uses at module level. The command registry
(`cli.app.COMMANDS`, Click's lazily loading group) makes that cheap: a run imports the module
of the command it runs and nothing else, and a command imports its use case (`service/`,
`scenario/`, `live`, `moves`) inside its body, so `service/`, `store/`, `mail/` and `scenario/`
modules load only for the command that uses them, and import at module level.

A function-local import is kept only where a light path measured below needs it, and is listed
here:

- **The command modules of `cli/`** import, at module level, only what `orderwf --help` loads
  anyway (typer, `cli.app`, `cli.common`, `errors`, the standard library): `--help` imports
  every one of them, since Click asks each command for its short help. A command's service,
  `views`, `render`, `rich` and the like are imported in its body. What that buys: `--help`
  with every command module's imports at module level would import the whole stack, +418 ms
  CPU (the services, `scenario/`, `views`, rich; measured below).
- **`DEFERRED`**: each other function-local import, by module and what it imports, with the
  light path it keeps light and its cost there.

`LIGHT` says which libraries and packages each light command never imports; the test runs each
in a new process and fails when one does, when a function-local import is neither a `cli/`
deferral nor in `DEFERRED`, and when an entry of `DEFERRED` names no import any more.
`docs/performance.md` ("Start-up") has the commands' figures before and after the imports
moved to module level, from `bench/startup.py`.

Figures: CPU time of the import in a new process once the path's own modules are loaded,
median of 7, on the shared 2-CPU machine (`-X importtime` agrees within a few ms)."""

from __future__ import annotations

from typing import NamedTuple


class Deferral(NamedTuple):
    module: str  # the module whose function imports
    imports: str  # what it imports: a module, or a package and everything under it
    buys: str  # the light path that never loads it, and the cost it saves there
    owner_note: str = ""  # a deferral that buys nothing measured: who should hoist it


DEFERRED: tuple[Deferral, ...] = (
    # -- kept: each keeps a measured light path light -------------------------------------
    Deferral(
        "orderwf.cli",
        "orderwf.cli.app",
        "every command: the cycle collector is paused before Typer and the app load, which "
        "a collector left running traversed 27 times, 3.6 ms (`orderwf --help` 4 ms less)",
    ),
    Deferral(
        "orderwf.l10n",
        "babel",
        "`--help`, a cached `validate`, and commands that render no template (`graph`, "
        "`info`): Babel and a locale's CLDR data, 20–40 ms (the import alone 4 ms; the data "
        "on first use). `tests/cli/test_validate.py` pins it",
    ),
    Deferral(
        "orderwf.store.db",
        "sqlmodel",
        "`info` in a shop folder with no database yet (it parses the database URL, so "
        "SQLAlchemy loads, and opens nothing): SQLModel and pydantic, 155 ms",
    ),
    Deferral(
        "orderwf.store.db",
        "alembic",
        "every command that opens a database already at the newest schema: Alembic, 105 ms, "
        "imported only to migrate",
    ),
    Deferral(
        "orderwf.service.shop",
        "orderwf.store.repo",
        "`info` in a shop folder with no database yet: the store's queries and tables "
        "(SQLModel), 190 ms",
    ),
    Deferral(
        "orderwf.service.validate",
        "orderwf.live",
        "`validate` without `--live`: the database stack, 410 ms",
    ),
    Deferral(
        "orderwf.service.orders",
        "orderwf.woo",
        "a cold `apply` (the same module creates orders): WooCommerce records and `html`, 6 ms",
    ),
    Deferral(
        "orderwf.service.orders",
        "orderwf.store.catalog",
        "a cold `apply`, which runs only Core statements on `store.core`'s tables: SQLModel, "
        "pydantic, SQLAlchemy's ORM and the eleven mapped classes of `store.tables`, which "
        "`catalog` and `imports` use to create an order, ~100 ms (docs/performance.md)",
    ),
    Deferral(
        "orderwf.service.orders",
        "orderwf.store.imports",
        "a cold `apply`, with `store.catalog` above: the ORM's order insert (of the ~100 ms)",
    ),
    Deferral(
        "orderwf.workflows",
        "orderwf.engine",
        "`info`, `validate` of a shop folder and every command that routes no new order: the "
        "engine's context and snapshots, 19 ms",
    ),
    Deferral(
        "orderwf.cli.validate",
        "orderwf.cli.common",
        "a cached `validate`: the shared options and output helpers of the other commands, 1.5 ms",
    ),
    Deferral(
        "orderwf.workflow.loader",
        "orderwf.workflow",
        "a `validate` the cache answers: the YAML reader (15 ms), the schema and the checks "
        "(57 ms), the model builder (39 ms), the project checks",
    ),
    Deferral(
        "orderwf.workflow.schema",
        "jsonschema",
        "a `validate` the cache answers, and every command that loads a cached workflow: "
        "jsonschema, 48 ms",
    ),
    Deferral(
        "orderwf.workflow.projectchecks",
        "orderwf.templating",
        "a shop folder without routes: Jinja2 and the sandbox, 37 ms",
    ),
    Deferral(
        "orderwf.store.driver",
        "sqlalchemy",
        "every SQLite command that reads a batch of orders: PostgreSQL's dialect (`ARRAY`, "
        "`= ANY`), 22 ms",
    ),
    Deferral(
        "orderwf.store.columns",
        "psycopg.adapt",
        "every command on SQLite: psycopg, 95 ms (imported when a PostgreSQL connection "
        "opens, which has loaded it)",
    ),
    Deferral(
        "orderwf.store.repo",
        "sqlalchemy.dialects",
        "every command on SQLite (or PostgreSQL): the other database's dialect, 22 ms",
    ),
    # -- buy little (2–3 ms), kept where that path is a light one --------------------------
    Deferral(
        "orderwf.addresses",
        "email",
        "little: `email.policy` costs 3 ms once a command has loaded its service",
        "addresses.py",
    ),
    Deferral(
        "orderwf.project",
        "tomllib",
        "little: 2 ms, only when a shop folder is found",
        "project.py",
    ),
    Deferral(
        "orderwf.workflow.checks",
        "orderwf.l10n",
        "little: 2 ms on a `validate` the cache does not answer (Babel itself waits in `l10n`)",
        "workflow/checks.py (issue 12 §1)",
    ),
)

# Libraries and packages each light command never imports (a new process; `info` in a folder
# fresh from `init`, its workflow already validated; `validate` answered by the cache).
_STACK = ("sqlalchemy", "sqlmodel", "pydantic", "alembic", "psycopg")
_ORM = (
    "sqlmodel",
    "pydantic",
    "sqlalchemy.orm",
    *(f"orderwf.store.{m}" for m in ("tables", "catalog", "imports")),
)
LIGHT: dict[str, tuple[str, ...]] = {
    "--help": (
        *_STACK,
        *("jinja2", "jsonschema", "babel", "yaml", "rich"),
        *("orderwf.service", "orderwf.store", "orderwf.views", "orderwf.engine"),
    ),
    "validate": (
        *_STACK,
        *("jinja2", "jsonschema", "babel", "yaml", "rich"),
        *("orderwf.store", "orderwf.engine", "orderwf.cli.common"),
    ),
    "info": (
        *("sqlmodel", "pydantic", "alembic", "psycopg", "jsonschema", "babel", "yaml", "rich"),
        *("orderwf.store.repo", "orderwf.store.tables", "orderwf.engine"),
    ),
    # An apply (single or bulk), `tick`, the lists and an order's page run Core statements on
    # `store.core`'s tables: no ORM (creating orders and products uses it).
    "operators": _ORM,
    "apply": (*_ORM, "alembic", "psycopg", "jsonschema", "yaml", "rich"),
}
