"""One cold `orderwf apply ID process` versus the SQLModel floor (`bench/floor_apply.py`, issue
15's) and the same floor on SQLAlchemy Core alone (`bench/floor_apply_core.py`: no SQLModel,
as orderwf's apply now imports none) on a 100,000-order SQLite database: each run a new process
on a different pending order, all interleaved, median of N runs each. Also `orderwf --help` and
a bare `python -c pass`.

    python bench/apply_cold.py [--orders 100000] [--runs 15] [--profile] [--empty-cache]
                               [--tree BEFORE/src]

`--tree SRC` (repeatable) adds a row `apply SRC`: the same apply with that source tree on
`PYTHONPATH` (`python -m orderwf`), in the same interleaved loop, for a before and after.

The caches a cold run has are those every user has after a first command (`init`, `validate`
or an `apply`), filled by the warm-up run: the validated workflow and its parsed data, Jinja2's
bytecode, Babel's loaded locale (`<cache>/babel`). `--empty-cache` gives every orderwf run an
empty cache folder of its own instead: a user's very first command.

`--profile` adds `python -X importtime` (the costliest imports) and cProfile (the costliest
functions) of one cold apply.
"""

from __future__ import annotations

import argparse
import pstats
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_db  # noqa: E402
from common import OUT, ROOT, env, median_ms, orderwf_cmd, run_measured, table  # noqa: E402

TARGET = 1.1  # issue 15: CPU time, apply ÷ floor


def pending_ids(path: Path, count: int) -> list[int]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT id FROM orders WHERE status = 'pending' ORDER BY id LIMIT ?", (count,)
        ).fetchall()
    return [r[0] for r in rows]


def measure(
    n_orders: int, runs: int, *, empty_cache: bool = False, trees: Sequence[str] = ()
) -> dict[str, float]:
    db = make_db.copy_sqlite(n_orders, OUT / "apply-cold.db")
    url = f"sqlite:///{db}"
    sides = 3 + len(trees)
    ids = pending_ids(db, sides * (runs + 2))
    floor_ids, owf_ids, core_ids = ids[0::sides], ids[1::sides], ids[2::sides]
    tree_ids = {tree: ids[3 + n :: sides] for n, tree in enumerate(trees)}
    floor = [sys.executable, "-m", "bench.floor_apply", url]  # from its .pyc, as orderwf
    core = [sys.executable, "-m", "bench.floor_apply_core", url]
    owf = [*orderwf_cmd(), "--db", url, "apply"]
    # Warm-up (page cache, the validated-workflow cache, .pyc files); not counted.
    run_measured([*floor, str(floor_ids.pop())])
    run_measured([*core, str(core_ids.pop())])
    run_measured([*owf, str(owf_ids.pop()), "process"])
    run_measured([*orderwf_cmd(), "--help"])

    def tree_apply(order_id: int) -> list[str]:  # run with a tree's `src` on PYTHONPATH
        return [sys.executable, "-m", "orderwf", "--db", url, "apply", str(order_id), "process"]

    for tree in trees:
        run_measured(tree_apply(tree_ids[tree].pop()), environ=env(tree))
    commands: dict[str, Callable[[int], list[str]]] = {
        "python": lambda i: [sys.executable, "-c", "pass"],
        "floor": lambda i: [*floor, str(floor_ids[i])],
        "core floor": lambda i: [*core, str(core_ids[i])],
        "apply": lambda i: [*owf, str(owf_ids[i]), "process"],
        "help": lambda i: [*orderwf_cmd(), "--help"],
    }
    for tree in trees:
        commands[f"apply {tree}"] = lambda i, t=tree: tree_apply(tree_ids[t][i])
    wall: dict[str, list[float]] = {k: [] for k in commands}
    cpu: dict[str, list[float]] = {k: [] for k in commands}
    for i in range(runs):
        for name, command in commands.items():
            environ = env(name.removeprefix("apply ")) if name.startswith("apply ") else env()
            empty = tempfile.mkdtemp(prefix="apply-cold-", dir=OUT) if empty_cache else None
            if empty is not None and "floor" not in name:
                environ["ORDERWF_CACHE_DIR"] = empty
            w, c = run_measured(command(i), environ=environ)
            if empty is not None:
                shutil.rmtree(empty)
            wall[name].append(w)
            cpu[name].append(c)
    figures = {k: median_ms(v) for k, v in wall.items()}
    figures.update({f"{k}_cpu": median_ms(v) for k, v in cpu.items()})
    return figures


def report(figures: dict[str, float], n_orders: int, runs: int, trees: Sequence[str] = ()) -> str:
    names = {
        "python": "python -c pass",
        "floor": "floor (sqlmodel, same reads and writes)",
        "core floor": "the same floor on Core alone (no SQLModel)",
        "apply": "orderwf apply ID process",
        **{f"apply {t}": f"apply, {t} on PYTHONPATH" for t in trees},
        "help": "orderwf --help",
    }
    rows = [
        [
            label,
            f"{figures[k]:.0f}",
            f"{figures[k] / figures['floor']:.2f}",
            f"{figures[k + '_cpu']:.0f}",
            f"{figures[k + '_cpu'] / figures['floor_cpu']:.2f}",
        ]
        for k, label in names.items()
    ]
    ratio = figures["apply"] / figures["floor"]
    ratio_cpu = figures["apply_cpu"] / figures["floor_cpu"]
    verdict = "meets" if ratio_cpu <= TARGET else "MISSES"
    core_cpu = figures["apply_cpu"] / figures["core floor_cpu"]
    return (
        f"cold apply on {n_orders:,} orders, median of {runs} interleaved runs\n"
        + table(["process", "wall ms", "× floor", "cpu ms", "× floor"], rows)
        + f"\napply / floor = {ratio:.2f} wall, {ratio_cpu:.2f} cpu "
        f"({verdict} the ≤ {TARGET}× CPU target)"
        + f"\napply / the floor on Core alone = {core_cpu:.2f} cpu"
    )


def profile(n_orders: int, top: int = 25) -> str:
    db = make_db.copy_sqlite(n_orders, OUT / "apply-profile.db")
    url = f"sqlite:///{db}"
    ids = pending_ids(db, 3)
    base = ["--db", url, "apply"]
    # importtime: self and cumulative microseconds per module
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "orderwf", *base, str(ids[0]), "process"],
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
        check=True,
    )
    imports = []
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if m:
            imports.append((int(m.group(2)), int(m.group(1)), len(m.group(3)), m.group(4)))
    total_us = sum(i[1] for i in imports)
    top_level = sorted((i for i in imports if i[2] <= 1), reverse=True)[:top]
    lines = [f"-X importtime: {total_us / 1000:.0f} ms in imports; top-level by cumulative:"]
    lines += [f"  {cum / 1000:7.1f} ms  {name}" for cum, _s, _d, name in top_level]
    heavy = sorted(imports, key=lambda i: i[1], reverse=True)[:15]
    lines.append("modules by self time:")
    lines += [f"  {s / 1000:7.1f} ms  {name}" for _c, s, _d, name in heavy]
    # cProfile of the whole process
    prof = OUT / "apply.prof"
    subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "orderwf", *base, str(ids[1]),
         "process"],
        cwd=ROOT, env=env(), capture_output=True, text=True, check=True,
    )  # fmt: skip
    stats = pstats.Stats(str(prof))
    rows = []
    for (file, line, func), (_cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append((ct, tt, nc, f"{_short(file)}:{line}({func})"))
    lines.append(f"cProfile: top {top} by cumulative time (ms cum / ms self / calls)")
    for ct, tt, nc, where in sorted(rows, reverse=True)[:top]:
        lines.append(f"  {ct * 1000:7.1f} {tt * 1000:7.1f} {nc:7d}  {where}")
    lines.append("cProfile: orderwf functions by cumulative time (ms cum / ms self / calls)")
    mine = [r for r in rows if r[3].startswith("orderwf/") and "(<module>)" not in r[3]]
    for ct, tt, nc, where in sorted(mine, reverse=True)[:top]:
        lines.append(f"  {ct * 1000:7.1f} {tt * 1000:7.1f} {nc:7d}  {where}")
    jinja = sum(r[0] for r in rows if r[3].endswith("(compile)") and "jinja2/environment" in r[3])
    lines.append(f"  jinja2 Environment.compile, cumulative: {jinja * 1000:.1f} ms")
    lines.append(f"cProfile: top {top} non-import functions by self time")
    own = [r for r in rows if "<frozen" not in r[3] and "importlib" not in r[3]]
    for ct, tt, nc, where in sorted(own, key=lambda r: r[1], reverse=True)[:top]:
        lines.append(f"  {tt * 1000:7.1f} {ct * 1000:7.1f} {nc:7d}  {where}")
    return "\n".join(lines)


def _short(file: str) -> str:
    for marker in ("site-packages/", "src/", "lib/python3.11/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--empty-cache", action="store_true", help="a first command's caches")
    parser.add_argument("--tree", action="append", default=[], help="another source tree")
    args = parser.parse_args(argv)
    figures = measure(args.orders, args.runs, empty_cache=args.empty_cache, trees=args.tree)
    print(report(figures, args.orders, args.runs, args.tree))
    if args.profile:
        print()
        print(profile(args.orders))
    return 0


if __name__ == "__main__":
    sys.exit(main())
