"""The start-up rule of `startup_rules.py` (next to this file): every function-local import of
`src/orderwf` is either a command module's (`cli/`) import of something `orderwf --help` does
not load, or a deferral listed in `startup.DEFERRED`; no entry there is stale; and each light
command, in a new process, imports none of what `startup.LIGHT` says it never imports."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import startup_rules as startup

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src"

_MODULES_AT_EXIT = """\
import atexit, sys
atexit.register(lambda: print(" ".join(sorted(sys.modules))))
sys.argv = ["orderwf", *sys.argv[1:]]
from orderwf.cli.app import main
main()
"""


def _modules_of(*args: str, cwd: Path = REPO) -> set[str]:
    """The modules `orderwf ARGS` (a new process) has imported when it exits."""
    proc = subprocess.run(
        [sys.executable, "-c", _MODULES_AT_EXIT, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return set(proc.stdout.splitlines()[-1].split())


@cache
def _help_modules() -> frozenset[str]:
    return frozenset(_modules_of("--help"))


def _module_name(path: Path) -> str:
    name = ".".join(path.relative_to(SRC).with_suffix("").parts)
    return name.removesuffix(".__init__")


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _local_imports(path: Path) -> Iterator[tuple[str, int]]:
    """(the module imported, line) of each import inside a function, outside `TYPE_CHECKING`:
    `from M import N` names `M.N` when that is a module, else `M`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for node in ast.walk(block)
    }
    seen: set[int] = set()
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(fn):
            if id(node) in type_only or id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield alias.name, node.lineno
            elif isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{path}:{node.lineno}: a relative import"
                assert node.module
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    yield (sub if _is_module(sub) else node.module), node.lineno


def _matches(entry: startup.Deferral, module: str, imported: str) -> bool:
    return entry.module == module and (
        imported == entry.imports or imported.startswith(entry.imports + ".")
    )


def _deferrals() -> Iterator[tuple[str, str, str]]:
    """(module, what it imports, where) of every function-local import of the package."""
    for path in sorted((SRC / "orderwf").rglob("*.py")):
        module = _module_name(path)
        for imported, line in _local_imports(path):
            yield module, imported, f"{path.relative_to(REPO)}:{line}"


def test_every_function_local_import_is_a_listed_deferral() -> None:
    help_loads = _help_modules()
    unlisted = []
    for module, imported, where in _deferrals():
        if module.startswith("orderwf.cli.") and imported not in help_loads:
            continue  # a command's own import: `--help` loads every command module
        if not any(_matches(entry, module, imported) for entry in startup.DEFERRED):
            unlisted.append(f"{where}: {module} imports {imported} inside a function")
    assert unlisted == [], (
        "import at module level, or list the deferral (with what it buys) in "
        "tests/cli/startup_rules.py:\n" + "\n".join(unlisted)
    )


def test_no_deferral_is_stale() -> None:
    found = list(_deferrals())
    stale = [
        entry
        for entry in startup.DEFERRED
        if not any(_matches(entry, module, imported) for module, imported, _ in found)
    ]
    assert stale == []


def test_every_deferral_says_what_it_buys() -> None:
    for entry in startup.DEFERRED:
        assert entry.buys.strip()
        assert entry.owner_note or " ms" in entry.buys, entry  # a kept one has its figure


def _never(loaded: set[str], unwanted: tuple[str, ...]) -> list[str]:
    return sorted(m for m in loaded if any(m == u or m.startswith(u + ".") for u in unwanted))


def test_help_imports_only_light_modules() -> None:
    assert _never(set(_help_modules()), startup.LIGHT["--help"]) == []


def test_a_cached_validate_imports_only_light_modules() -> None:
    assert _modules_of("validate", "workflows/woocommerce.yaml")  # fills the cache
    loaded = _modules_of("validate", "workflows/woocommerce.yaml")
    assert _never(loaded, startup.LIGHT["validate"]) == []


def test_info_in_a_fresh_shop_folder_imports_only_light_modules(tmp_path: Path) -> None:
    shop = tmp_path / "shop"
    assert _modules_of("init", str(shop))
    _modules_of("info", cwd=shop)  # validates the shop's workflow: fills the cache
    loaded = _modules_of("info", cwd=shop)
    assert "orderwf.store.db" in loaded  # it did look for the database
    assert _never(loaded, startup.LIGHT["info"]) == []


def test_the_operators_commands_import_no_orm(tmp_path: Path) -> None:
    """An apply, a bulk apply, `tick`, the lists and an order's page (a cold process each,
    the workflow validated, the database migrated) run Core statements on the generated
    `store.core` tables: SQLModel, pydantic and the ORM are never imported. Creating orders
    and products does use the ORM."""
    shop = tmp_path / "shop"
    assert _modules_of("init", str(shop))
    products = '[{"id": 1, "sku": "TS", "name": "T", "price": "10.00", "manage_stock": true, '
    (shop / "p.json").write_text(products + '"stock_quantity": 5}]', encoding="utf-8")
    assert "sqlmodel" in _modules_of("product", "import", "p.json", cwd=shop)
    for _ in range(2):
        new = _modules_of("order", "create", "--email=a@example.com", "--line=TS=1", cwd=shop)
        assert "sqlmodel" in new
    commands = [
        ("apply", "1", "process"),
        ("apply", "--status", "pending", "process"),
        ("tick",),
        ("order", "list"),
        ("order", "show", "2"),
        ("order", "history", "2"),
        ("outbox", "list"),
    ]
    for command in commands:
        loaded = _modules_of(*command, cwd=shop)
        assert "orderwf.store.core" in loaded, command  # it did open the database
        if command[0] == "apply":
            assert {"orderwf.engine.plan", "jinja2"} <= loaded  # it planned and rendered
            assert _never(loaded, startup.LIGHT["apply"]) == [], command
        assert _never(loaded, startup.LIGHT["operators"]) == [], command


_COLLECTIONS_OF_HELP = """\
import gc, sys
from orderwf.cli import main
assert "typer" not in sys.modules, "the entry point imported Typer before pausing the collector"
collections = []
gc.callbacks.append(lambda phase, info: phase == "start" and collections.append(info))
sys.argv = ["orderwf", "--help"]
try:
    main()
except SystemExit:
    pass
print(len(collections))
"""


def test_the_entry_point_pauses_the_collector_before_typer_loads() -> None:
    """The console script (`pyproject.toml`) is `orderwf.cli:main`, which pauses the cycle
    collector before Typer and the app are imported: `--help` runs without a collection."""
    import tomllib

    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert scripts["scripts"]["orderwf"] == "orderwf.cli:main"
    proc = subprocess.run(
        [sys.executable, "-c", _COLLECTIONS_OF_HELP],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines()[-1] == "0"
