"""The shop folder (SPEC §8): finding `orderwf.toml`, reading it with the standard library's
`tomllib`, and the settings it gives. Every relative path in it is relative to its folder.

This runs on every command's start-up, so it stays cheap: a walk up the parent folders looking
for one file name, and `tomllib` (a few hundred lines of pure Python) only when there is a file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orderwf.errors import UsageError

FILENAME = "orderwf.toml"
ENV = "ORDERWF_PROJECT"
DEFAULT_DATABASE = "sqlite:///orderwf.db"
DEFAULT_SMTP = "smtp://localhost:25"  # = mail.smtp.DEFAULT_URL (a test checks)
_SHOP_KEYS = ("database", "workflows", "default", "scenarios", "smtp")
_ROUTE_KEYS = ("workflow", "if")
_TABLES = ("shop", "route")
_AT = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")


@dataclass(frozen=True)
class Route:
    """One `[[route]]`: new orders whose `if` holds get `workflow`."""

    workflow: str
    cond: str
    line: int  # of its `[[route]]` header in orderwf.toml


@dataclass(frozen=True)
class Project:
    """What an `orderwf.toml` says, its paths made absolute."""

    file: Path
    database: str | None
    workflows: Path
    default: str | None
    scenarios: Path
    smtp: str | None
    routes: tuple[Route, ...] = ()

    @property
    def root(self) -> Path:
        return self.file.parent

    def line_of(self, key: str, table: str = "shop") -> int:
        """The line of `key = …` in the file (1 when it is not written there)."""
        return _line_of(self.file.read_text(encoding="utf-8"), key, table)


def locate(explicit: str | None = None, start: Path | None = None) -> Path | None:
    """The project file: `explicit` (`--project` or `ORDERWF_PROJECT`: a file or the folder
    holding one), else `orderwf.toml` in `start` (the current folder) or its nearest parent."""
    if explicit:
        path = Path(explicit).expanduser()
        file = path / FILENAME if path.is_dir() else path
        if not file.is_file():
            raise UsageError(
                f"project {explicit} does not exist (expected an {FILENAME} file or a folder "
                "holding one)"
            )
        return file.absolute()
    folder = (start or Path.cwd()).absolute()
    for candidate in (folder, *folder.parents):
        file = candidate / FILENAME
        if file.is_file():
            return file
    return None


def find(explicit: str | None = None) -> Project | None:
    """The project a command run here uses, or None: `--project`, `ORDERWF_PROJECT`, else the
    nearest `orderwf.toml`."""
    file = locate(explicit if explicit is not None else os.environ.get(ENV))
    return None if file is None else load(file)


def load(file: Path) -> Project:
    """Read and check an `orderwf.toml`; a problem is a `UsageError` naming file:line."""
    import tomllib

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"cannot read {file}: {getattr(e, 'strerror', None) or e}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        message = str(e)
        at = _AT.search(message)
        lines = text.splitlines() or [""]
        line, column = (int(at[1]), int(at[2])) if at and at[1] else (1, 1)
        if at and not at[1]:  # the end of the document
            line, column = len(lines), len(lines[-1]) + 1
        reason = _AT.sub("", message)
        raise UsageError(
            f"{file}:{line}:{column}: {reason[:1].lower()}{reason[1:]} (this is not valid TOML)"
        ) from None
    return _project(file, text, data)


def _project(file: Path, text: str, data: dict[str, Any]) -> Project:
    def fail(message: str, key: str, table: str = "shop") -> UsageError:
        return UsageError(f"{file}:{_line_of(text, key, table)}: {message}")

    unknown = [k for k in data if k not in _TABLES]
    if unknown:
        raise fail(
            f"unknown key {unknown[0]!r} (expected the tables [shop] and [[route]])", unknown[0], ""
        )
    shop = data.get("shop", {})
    if not isinstance(shop, dict):
        raise fail("'shop' should be a table: [shop]", "shop", "")
    unknown = [k for k in shop if k not in _SHOP_KEYS]
    if unknown:
        raise fail(
            f"unknown key {unknown[0]!r} in [shop] (expected {', '.join(_SHOP_KEYS)})", unknown[0]
        )
    for key in _SHOP_KEYS:
        if key in shop and not isinstance(shop[key], str):
            raise fail(f"[shop] {key} should be a string, not {shop[key]!r}", key)
    routes_data = data.get("route", [])
    if not isinstance(routes_data, list):
        raise fail("'route' should be an array of tables: [[route]]", "route", "")
    headers = [n for n, line in enumerate(text.splitlines(), 1) if _is_route_header(line)]
    routes = []
    for index, route in enumerate(routes_data):
        line = headers[index] if index < len(headers) else 1
        where = f"{file}:{line}: [[route]] number {index + 1}"
        unknown = [k for k in route if k not in _ROUTE_KEYS]
        if unknown:
            raise UsageError(f"{where} has an unknown key {unknown[0]!r} (expected workflow, if)")
        for key in _ROUTE_KEYS:
            if not isinstance(route.get(key), str) or not route[key].strip():
                raise UsageError(f'{where} needs {key} = "…" (a non-empty string)')
        routes.append(Route(route["workflow"], route["if"], line))
    root = file.parent
    database = shop.get("database")
    return Project(
        file=file,
        database=absolute_sqlite(database, root) if database else None,
        workflows=root / shop.get("workflows", "workflows"),
        default=shop.get("default"),
        scenarios=root / shop.get("scenarios", "scenarios"),
        smtp=shop.get("smtp"),
        routes=tuple(routes),
    )


def _is_route_header(line: str) -> bool:
    return line.strip().replace(" ", "").startswith("[[route]]")


def _line_of(text: str, key: str, table: str) -> int:
    """The line of `key` (a `key =` line inside `[table]`, or the header `[key]` when `table`
    is empty)."""
    current = ""
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            current = stripped.strip("[]").strip()
            if not table and current == key:
                return number
            continue
        name = stripped.split("=", 1)[0].strip().strip("\"'")
        if "=" in stripped and name == key and current == table:
            return number
    return 1


def absolute_sqlite(url: str, root: Path) -> str:
    """A SQLite URL's relative file made relative to `root` (the project's folder); any other
    URL as it is. Plain text work: SQLAlchemy is not imported on start-up."""
    prefix, sep, rest = url.partition(":///")
    if not sep or not prefix.startswith("sqlite") or rest.startswith("/"):
        return url
    path, q, query = rest.partition("?")
    if path in ("", ":memory:") or path.startswith("file:"):
        return url
    return f"{prefix}:///{(root / path).as_posix()}{q}{query}"


def settings_database(option: str | None, project: Project | None) -> str:
    """`--db`/`ORDERWF_DB` (Click resolves those two), else the project's, else the default."""
    if option:
        return option
    if project is not None and project.database:
        return project.database
    return DEFAULT_DATABASE


def settings_smtp(option: str | None, project: Project | None) -> str:
    """`--smtp`, else `ORDERWF_SMTP_URL`, else the project's `smtp`, else the default."""
    fallback = project.smtp if project is not None else None
    return option or os.environ.get("ORDERWF_SMTP_URL") or fallback or DEFAULT_SMTP
