"""Mutation testing of the pure engine (`src/orderwf/engine/`), the order model it plans on
(`src/orderwf/orders.py`) and `src/orderwf/money.py` against the unit tests alone
(`tests/unit`). See CONTRIBUTING.md.

    python tools/mutate.py                      # every module, a table of scores
    python tools/mutate.py engine/refunds.py    # one module (path under src/orderwf/)
    python tools/mutate.py --list money.py      # the mutants, not run

Each mutant is one small change of the source, made with the `ast` module: an arithmetic
operator swapped (+ -, * /, // /, % //, | &), a comparison moved across its boundary (< <=,
> >=, == !=, is / is not, in / not in), `and` / `or` swapped, a `not` or a unary minus
dropped, an integer constant plus one, True / False swapped, a string compared against
changed, and `return X` made `return None`. A mutant is *killed* when a unit test fails (or
hangs) with it, and *survives* otherwise.

Two ways to run one mutant, the second the arbiter:

- fast: one pytest session runs the unit tests once, recording which test runs which line of
  the modules; then for each mutant it forks, swaps the mutated function's code object in
  place (every reference to the function sees the mutant) and runs only the tests that run
  that line, stopping at the first failure.
- slow: the source tree copied to a temporary folder with the mutant written in, and
  `pytest tests/unit -x -q` run on it in a new process. Used for mutants in module-level code
  (class bodies, dataclass options, constants), for a mutant whose code cannot be swapped,
  and to confirm every mutant that survives the fast way: no mutant is reported as surviving
  on the fast way's word alone.

Equivalent mutants (no test could ever tell them from the original) are listed, each with
why, in tools/mutate-equivalent.toml; they count neither as killed nor as survivors. An entry
that no longer matches a mutant is reported, so the list cannot go stale silently.
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import CodeType, FunctionType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "orderwf"
EQUIVALENT = Path(__file__).with_name("mutate-equivalent.toml")
DEFAULT_MODULES = ("money.py", "orders.py", "engine/")
TESTS = "tests/unit"

_BINOPS: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.FloorDiv,
    ast.BitOr: ast.BitAnd,
    ast.BitAnd: ast.BitOr,
}
_CMPOPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}


# -- mutants ---------------------------------------------------------------------------------


@dataclass
class Mutant:
    module: str  # path under src/orderwf/, e.g. "engine/refunds.py"
    line: int
    qualname: str  # innermost def or class ("<module>" at top level)
    swap: str | None  # the top-level def whose code object carries it; None: module-level code
    before: str
    after: str
    source: str  # the whole mutated module
    key: str = ""  # "qualname: before → after", unique in its module
    status: str = ""  # killed | timeout | survived | equivalent | uncovered-survived
    how: str = ""  # fast | slow
    seconds: float = 0.0
    why: str = ""  # the equivalence's reason
    killer: str = ""  # the test that failed first

    @property
    def name(self) -> str:
        return f"{self.module}:{self.line} {self.key}"


def _short(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    half = (width - 1) // 2
    return f"{text[:half]}…{text[-half:]}"


class _Sites(ast.NodeVisitor):
    """Every mutation site of a module: (node, replacement node, scope path)."""

    def __init__(self) -> None:
        self.sites: list[tuple[ast.AST, ast.AST, list[ast.AST]]] = []
        self.scope: list[ast.AST] = []

    def add(self, node: ast.AST, new: ast.AST) -> None:
        self.sites.append((node, new, list(self.scope)))

    # scopes; annotations are never visited
    def _scoped(self, node: ast.AST) -> None:
        self.scope.append(node)
        body = node.body  # type: ignore[attr-defined]
        for decorator in getattr(node, "decorator_list", []):
            self.visit(decorator)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for default in [*node.args.defaults, *node.args.kw_defaults]:
                if default is not None:
                    self.scope.pop()
                    self.visit(default)  # evaluated when the def runs
                    self.scope.append(node)
        if isinstance(node, ast.ClassDef):
            for base in [*node.bases, *node.keywords]:
                self.visit(base)
        if body and _is_docstring(body[0]):
            body = body[1:]
        for statement in body:
            self.visit(statement)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _scoped

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)

    def visit_Assert(self, node: ast.Assert) -> None:
        pass  # assertions state what the code already relies on

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                self.visit(value.value)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        swap = _BINOPS.get(type(node.op))
        if swap is not None:
            self.add(node, ast.BinOp(node.left, swap(), node.right))
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        swap = _BINOPS.get(type(node.op))
        if swap is not None:
            self.add(node, ast.AugAssign(node.target, swap(), node.value))
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        for i, op in enumerate(node.ops):
            swap = _CMPOPS.get(type(op))
            if swap is not None:
                ops = [*node.ops[:i], swap(), *node.ops[i + 1 :]]
                self.add(node, ast.Compare(node.left, ops, node.comparators))
        for i, operand in enumerate([node.left, *node.comparators]):
            if isinstance(operand, ast.Constant) and isinstance(operand.value, str):
                changed = ast.Constant(f"XX{operand.value}XX")
                operands = [node.left, *node.comparators]
                operands[i] = changed
                self.add(node, ast.Compare(operands[0], node.ops, operands[1:]))
        self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        self.add(node, ast.BoolOp(other, node.values))
        self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if isinstance(node.op, ast.Not | ast.USub):
            self.add(node, node.operand)
        operand = node.operand
        if isinstance(operand, ast.Constant) and type(operand.value) is int:
            # ast places the 1 of `-1` where the whole `-1` is: tweak the literal as one
            self.add(node, ast.UnaryOp(node.op, ast.Constant(operand.value + 1)))
        else:
            self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, bool):
            self.add(node, ast.Constant(not node.value))
        elif isinstance(node.value, int):
            self.add(node, ast.Constant(node.value + 1))

    def visit_Return(self, node: ast.Return) -> None:
        value = node.value
        if value is not None and not (isinstance(value, ast.Constant) and value.value is None):
            self.add(node, ast.Return(ast.Constant(None)))
        self.generic_visit(node)


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


_Where = tuple[ast.AST, str, int | None]  # parent, field, index in the field's list


def _parents(tree: ast.AST) -> dict[int, _Where]:
    where: dict[int, _Where] = {}
    for node in ast.walk(tree):
        for name, value in ast.iter_fields(node):
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, ast.AST):
                        where[id(item)] = (node, name, i)
            elif isinstance(value, ast.AST):
                where[id(value)] = (node, name, None)
    return where


def _with(where: dict[int, _Where], old: ast.AST, new: ast.AST, read: Callable[[], str]) -> str:
    """`read()` while `new` stands in the tree where `old` is (then `old` again)."""
    parent, name, index = where[id(old)]

    def put(node: ast.AST) -> None:
        if index is None:
            setattr(parent, name, node)
        else:
            getattr(parent, name)[index] = node

    put(new)
    try:
        return read()
    finally:
        put(old)


def _splice(source: str, node: ast.AST, text: str) -> str:
    """`source` with `node`'s text replaced by `text`."""
    lines = source.splitlines(keepends=True)

    def offset(line: int, col: int) -> int:  # ast's columns count UTF-8 bytes
        return sum(len(x) for x in lines[: line - 1]) + len(lines[line - 1].encode()[:col].decode())

    start = offset(_pos(node, "lineno"), _pos(node, "col_offset"))
    end = offset(_pos(node, "end_lineno"), _pos(node, "end_col_offset"))
    return source[:start] + text + source[end:]


def _pos(node: ast.AST, name: str) -> int:
    value = getattr(node, name)
    assert isinstance(value, int)
    return value


def mutants_of(module: str) -> list[Mutant]:
    path = PACKAGE / module
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    sites = _Sites()
    sites.visit(tree)
    where = _parents(tree)
    found: list[Mutant] = []
    seen: dict[str, int] = {}
    for node, new, scope in sites.sites:
        defs = [s for s in scope if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)]
        names = [s.name for s in scope]  # type: ignore[attr-defined]
        qualname = ".".join(names) or "<module>"
        swap = None
        if defs:
            outer = scope.index(defs[0])
            swap = ".".join(names[: outer + 1])
        new = ast.copy_location(copy.copy(new), node)  # `new` may be a node of the tree
        text = ast.unparse(new)
        mutated = _splice(source, node, text)
        expected = _with(where, node, new, lambda: ast.dump(tree))
        if ast.dump(ast.parse(mutated)) != expected:
            mutated = _splice(source, node, f"({text})")
            if ast.dump(ast.parse(mutated)) != expected:
                line = _pos(node, "lineno")
                raise RuntimeError(f"{module}:{line}: cannot write the mutant {text!r}")
        before = ast.get_source_segment(source, node) or ast.unparse(node)
        shown_before, shown_after = before, text
        if isinstance(node, ast.Constant):  # `1 → 2` says little: show the call or operation
            parent = where[id(node)][0]
            if isinstance(parent, ast.expr | ast.keyword) and len(ast.unparse(parent)) <= 70:
                shown_before = ast.get_source_segment(source, parent) or ast.unparse(parent)
                shown_after = _with(where, node, new, lambda p=parent: ast.unparse(p))
        key = f"{qualname}: {_short(shown_before)} → {_short(shown_after)}"
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key = f"{key} #{seen[key]}"
        found.append(
            Mutant(module, node.lineno, qualname, swap, before, text, mutated, key)  # type: ignore[attr-defined]
        )
    return found


def modules(selected: list[str]) -> list[str]:
    found = []
    for name in selected or DEFAULT_MODULES:
        path = PACKAGE / name
        if path.is_dir():
            found += sorted(
                str(p.relative_to(PACKAGE)) for p in path.glob("*.py") if p.name != "__init__.py"
            )
        elif path.is_file():
            found.append(str(path.relative_to(PACKAGE)))
        else:
            sys.exit(f"mutate: {name!r} is not a file or folder under src/orderwf/")
    return found


def equivalents() -> dict[str, dict[str, str]]:
    with EQUIVALENT.open("rb") as f:
        data = tomllib.load(f)
    return {module: dict(entries) for module, entries in data.items()}


# -- the fast way: one pytest session, a fork per mutant ---------------------------------------


def _code_of(code: CodeType, qualname: str) -> CodeType | None:
    if code.co_qualname == qualname:
        return code
    for const in code.co_consts:
        if isinstance(const, CodeType):
            found = _code_of(const, qualname)
            if found is not None:
                return found
    return None


def _live_function(module: Any, qualname: str) -> FunctionType | None:
    obj: Any = module
    for part in qualname.split("."):
        obj = (vars(obj) if isinstance(obj, type) else obj.__dict__).get(part)
        if obj is None:
            return None
    for attr in ("fget", "__func__", "func"):
        obj = getattr(obj, attr, obj)
    if isinstance(obj, FunctionType) and obj.__code__.co_qualname == qualname:
        return obj
    return None


def _swap(mutant: Mutant) -> bool:
    """Put the mutant's code into the live function; False when it cannot be done."""
    import importlib

    assert mutant.swap is not None
    name = "orderwf." + mutant.module.removesuffix(".py").replace("/", ".")
    live = _live_function(importlib.import_module(name), mutant.swap)
    if live is None:
        return False
    compiled = compile(mutant.source, str(PACKAGE / mutant.module), "exec")
    code = _code_of(compiled, mutant.swap)
    if code is None or len(code.co_freevars) != len(live.__code__.co_freevars):
        return False
    live.__code__ = code
    return True


class _Tracer:
    """Which test runs which line of the modules under mutation (sys.settrace)."""

    def __init__(self, files: set[str]) -> None:
        self.files = files
        self.lines: set[tuple[str, int]] = set()

    def __call__(self, frame: Any, event: str, arg: Any) -> Any:
        if frame.f_code.co_filename in self.files:
            self.lines.add((frame.f_code.co_filename, frame.f_lineno))
            return self.local
        return None

    def local(self, frame: Any, event: str, arg: Any) -> Any:
        self.lines.add((frame.f_code.co_filename, frame.f_lineno))
        return self.local


class FastRunner:
    """A pytest plugin: runs the unit tests once under the tracer, then every fast mutant."""

    def __init__(self, mutants: list[Mutant], timeout: float, progress: Any) -> None:
        self.mutants = mutants
        self.timeout = timeout
        self.progress = progress
        self.covering: dict[tuple[str, int], list[int]] = {}
        self.durations: list[float] = []
        self.failed = False
        # per module file: test file → lines of the module it runs (for the slow way's order)
        self.weights: dict[str, dict[str, int]] = {}

    def first_files(self, mutant: Mutant) -> list[str]:
        weights = self.weights.get(str(PACKAGE / mutant.module), {})
        return sorted(weights, key=lambda f: -weights[f])

    def pytest_runtestloop(self, session: Any) -> bool:
        from _pytest.runner import runtestprotocol

        items = session.items
        files = {str(PACKAGE / m.module) for m in self.mutants}
        for i, item in enumerate(items):
            tracer = _Tracer(files)
            start = time.perf_counter()
            sys.settrace(tracer)
            try:
                # the last item's session and module fixtures stay up for the forked children
                nextitem = items[i + 1] if i + 1 < len(items) else item.parent
                reports = runtestprotocol(item, nextitem=nextitem)
            finally:
                sys.settrace(None)
            self.durations.append(time.perf_counter() - start)
            if any(r.failed for r in reports):
                self.failed = True
                self.progress(f"the unit tests fail without any mutant: {item.nodeid}")
                return True
            test_file = str(Path(item.path).relative_to(ROOT))
            for where in tracer.lines:
                self.covering.setdefault(where, []).append(i)
                weights = self.weights.setdefault(where[0], {})
                weights[test_file] = weights.get(test_file, 0) + 1
        if self._child(items, list(range(len(items))), None)[0] != "survived":
            self.failed = True
            self.progress("the unit tests fail in a forked child without any mutant")
            return True
        for n, mutant in enumerate(self.mutants, 1):
            where = (str(PACKAGE / mutant.module), mutant.line)
            selected = sorted(self.covering.get(where, []), key=lambda i: self.durations[i])
            if not selected:
                mutant.status, mutant.how = "uncovered", "fast"
                continue
            start = time.perf_counter()
            mutant.status, mutant.killer = self._child(items, selected, mutant)
            mutant.how, mutant.seconds = "fast", time.perf_counter() - start
            self.progress(f"[{n}/{len(self.mutants)}] {mutant.status:9} {mutant.name}")
            if mutant.killer:
                self.progress(f"        by {mutant.killer}")
        session._setupstate.teardown_exact(None)
        return True

    def _child(
        self, items: list[Any], selected: list[int], mutant: Mutant | None
    ) -> tuple[str, str]:
        """(killed | survived | timeout | unswappable, the test that failed)."""
        from _pytest.runner import runtestprotocol

        budget = self.timeout + 5 * sum(self.durations[i] for i in selected)
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read)
            code, killer = 0, ""
            try:
                if mutant is not None and not _swap(mutant):
                    os._exit(3)
                items[0].session._setupstate.teardown_exact(items[selected[0]])
                for k, i in enumerate(selected):
                    nextitem = items[selected[k + 1]] if k + 1 < len(selected) else items[i]
                    reports = runtestprotocol(items[i], nextitem=nextitem, log=False)
                    failed = [r for r in reports if r.failed]
                    if failed:
                        killer = items[i].nodeid
                        _debug(f"{killer}: {failed[0].longreprtext}")
                        code = 1
                        break
            except BaseException as e:
                killer = repr(e)
                code = 1
            os.write(write, killer.encode()[:4000])
            os._exit(code)
        os.close(write)
        deadline = time.monotonic() + budget
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                os.close(read)
                return "timeout", ""
            time.sleep(0.01)
        with os.fdopen(read, "rb") as pipe:
            killer = pipe.read().decode(errors="replace")
        code = os.waitstatus_to_exitcode(status)
        if code == 3:
            return "unswappable", ""
        return ("killed" if code else "survived"), killer


def _debug(text: str) -> None:
    """Why a forked child saw a test fail, when MUTATE_DEBUG names a file."""
    if os.environ.get("MUTATE_DEBUG"):
        with open(os.environ["MUTATE_DEBUG"], "a", encoding="utf-8") as f:
            f.write(text + "\n")


def run_fast(mutants: list[Mutant], timeout: float, progress: Any) -> FastRunner | None:
    import pytest

    runner = FastRunner(mutants, timeout, progress)
    os.chdir(ROOT)
    code = pytest.main([TESTS, "-q", "-p", "no:cacheprovider"], plugins=[runner])
    return None if runner.failed or code != pytest.ExitCode.OK else runner


# -- the slow way: a copy of the source, a new pytest process -------------------------------


class SlowRunner:
    """The arbiter: the repository's source, tests and data copied to a temporary folder, the
    mutant written into the copy, and `pytest tests/unit -x -q` run there in a new process."""

    COPIED = (
        "src",
        "tests",
        "schemas",
        "workflows",
        "templates",
        "scenarios",
        "docs",
        "tools",  # a unit test loads tools/precompile_templates.py
        "bench",  # and one bench/floor_email.py
        "pyproject.toml",
        "README.md",
    )

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.tmp = Path(tempfile.mkdtemp(prefix="orderwf-mutate-"))
        skip = shutil.ignore_patterns("__pycache__", ".hypothesis", "out")  # bench/out: its DBs
        for name in self.COPIED:
            if (ROOT / name).is_dir():
                shutil.copytree(ROOT / name, self.tmp / name, ignore=skip)
            else:
                shutil.copy2(ROOT / name, self.tmp / name)
        self.env = {
            **os.environ,
            "PYTHONPATH": str(self.tmp / "src"),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        where = subprocess.run(
            [sys.executable, "-c", "import orderwf; print(orderwf.__file__)"],
            env=self.env,
            cwd=self.tmp,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if not where.startswith(str(self.tmp)):
            raise SystemExit(f"mutate: the copy is not what Python imports ({where})")

    def run(self, mutant: Mutant | None, first: Sequence[str] = ()) -> tuple[str, str]:
        """(killed | timeout | survived, the test that failed). `first`: test files to run
        before the rest of tests/unit (those that run the mutated module most), so `-x`
        stops sooner. Without a mutant: checks the copy passes, and sets the timeout to
        three times what that took (the machine may be busy)."""
        start = time.monotonic()
        target = self.tmp / "src" / "orderwf" / (mutant.module if mutant else "__init__.py")
        if mutant is not None:
            target.write_text(mutant.source, encoding="utf-8")
        rest = sorted(str(p.relative_to(self.tmp)) for p in (self.tmp / TESTS).rglob("test_*.py"))
        files = [*(f for f in first if f in rest), *(f for f in rest if f not in first)]
        command = [sys.executable, "-m", "pytest", *files, "-x", "-q", "-p", "no:cacheprovider"]
        try:
            done = subprocess.run(
                command,
                cwd=self.tmp,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                timeout=self.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return "timeout", ""
        finally:
            if mutant is not None:
                shutil.copyfile(PACKAGE / mutant.module, target)
        output = done.stdout.decode(errors="replace")
        pytest_failed = 1  # pytest's exit code when tests ran and some failed
        if mutant is None:
            if done.returncode != 0:
                raise SystemExit(
                    f"mutate: the unit tests fail in the copy without any mutant:\n{output[-3000:]}"
                )
            self.timeout = max(self.timeout, 3 * (time.monotonic() - start))
        if done.returncode == 0:
            return "survived", ""
        if done.returncode != pytest_failed:
            raise SystemExit(f"mutate: pytest could not run ({done.returncode}):\n{output[-3000:]}")
        failed = [x for x in output.splitlines() if x.startswith(("FAILED ", "ERROR "))]
        return "killed", (failed[0].split(" ", 1)[1].split(" - ")[0] if failed else "")

    def close(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


# -- the campaign ----------------------------------------------------------------------------


def _table(mutants: list[Mutant]) -> Iterator[str]:
    by_module: dict[str, list[Mutant]] = {}
    for m in mutants:
        by_module.setdefault(m.module, []).append(m)
    yield f"{'module':24} {'mutants':>7} {'equiv.':>6} {'killed':>6} {'survived':>8} {'score':>6}"
    total = [0, 0, 0, 0]
    for module, ms in by_module.items():
        equivalent = sum(m.status == "equivalent" for m in ms)
        killed = sum(m.status in ("killed", "timeout") for m in ms)
        survived = len(ms) - equivalent - killed
        row = [len(ms), equivalent, killed, survived]
        total = [a + b for a, b in zip(total, row, strict=True)]
        yield _row(module, row)
    if len(by_module) > 1:
        yield _row("all", total)


def _row(name: str, row: list[int]) -> str:
    n, equivalent, killed, survived = row
    score = f"{100 * killed / (n - equivalent):.1f}%" if n > equivalent else "-"
    return f"{name:24} {n:7} {equivalent:6} {killed:6} {survived:8} {score:>6}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="paths under src/orderwf/ (default: all)")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--slow", action="store_true", help="run every mutant the slow way")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per slow run")
    parser.add_argument("--json", type=Path, help="write every mutant's result here")
    args = parser.parse_args(argv)

    selected = modules(args.modules)
    known = equivalents()
    mutants = [m for module in selected for m in mutants_of(module)]
    keys = {(m.module, m.key) for m in mutants}
    stale = [
        f"{module}: {key}"
        for module, entries in known.items()
        for key in entries
        if (module in selected) and (module, key) not in keys
    ]
    for m in mutants:
        why = known.get(m.module, {}).get(m.key)
        if why is not None:
            m.status, m.why = "equivalent", why
    if args.list:
        for m in mutants:
            print(f"{m.name}{'  (equivalent)' if m.status else ''}")
        print(f"{len(mutants)} mutants")
        return 0

    started = time.perf_counter()

    def progress(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    todo = [m for m in mutants if not m.status]
    fast = [m for m in todo if m.swap is not None and not args.slow]
    runner = run_fast(fast, args.timeout, progress) if fast else None
    if fast and runner is None:
        return 2
    rest = [m for m in todo if m.status not in ("killed", "timeout")]
    if rest:
        slow = SlowRunner(args.timeout)
        try:
            slow.run(None)
            for m in rest:
                m.how = "slow"
                begin = time.perf_counter()
                m.status, m.killer = slow.run(m, runner.first_files(m) if runner else [])
                m.seconds = time.perf_counter() - begin
                progress(f"[slow] {m.status:9} {m.name}")
                if m.killer:
                    progress(f"        by {m.killer}")
        finally:
            slow.close()

    minutes = (time.perf_counter() - started) / 60
    print()
    for line in _table(mutants):
        print(line)
    survivors = [m for m in mutants if m.status == "survived"]
    print(f"\n{len(mutants)} mutants in {minutes:.1f} min; {len(survivors)} survived")
    for m in survivors:
        print(f"  survived: {m.name}")
    for entry in stale:
        print(f"  stale entry in {EQUIVALENT.name} (no such mutant): {entry}")
    if args.json:
        rows = [{k: v for k, v in vars(m).items() if k not in ("source",)} for m in mutants]
        args.json.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n")
    return 1 if survivors or stale else 0


if __name__ == "__main__":
    sys.exit(main())
