"""Start-up of the light commands and of a cold apply, as new processes, for the table of
`orderwf/startup.py` (which imports each command still defers, and what that buys):

- `orderwf --help`;
- `orderwf validate workflows/woocommerce.yaml` with a warm validation cache;
- `orderwf info` in a fresh `orderwf init` folder;
- a cold `orderwf apply ID process` on a 2,000-order SQLite database (`make_db.py`);
- a cold `orderwf tick` (what cron runs; `--now` before every order, so none is due) and
  `orderwf order list` on the same database.

Each is run N times, interleaved, CPU time (user + system) and wall time, medians; with
`--against OTHER/src` the same commands run on another source tree, in the same rounds: before
and after a change. Each side imports its own tree (`PYTHONPATH`: this tree's `src` for "this",
so neither side picks up whatever copy the interpreter has installed) and has its own cache
folder (`XDG_CACHE_HOME`), fresh at the start and warmed by that side's own warm-up run.
`--modules` prints, per command, how many modules it imports and which of SQLAlchemy, Jinja2,
jsonschema, babel, yaml and rich it loads.

    python bench/startup.py [--runs 15] [--against /tmp/base/src] [--modules]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_db  # noqa: E402
from common import OUT, ROOT, env, median_ms, run_measured, table  # noqa: E402

HEAVY = ("sqlalchemy", "sqlmodel", "jinja2", "jsonschema", "babel", "yaml", "rich", "alembic")


def _pending(path: Path, count: int) -> list[int]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT id FROM orders WHERE status = 'pending' ORDER BY id LIMIT ?", (count,)
        ).fetchall()
    return [r[0] for r in rows]


def _environ(src: Path, cache: Path) -> dict[str, str]:
    """A child's environment: `src` first on the import path, `cache` its cache folder."""
    e = env(src)
    e["XDG_CACHE_HOME"] = str(cache)
    return e


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--against", type=Path, help="another source tree's src folder")
    parser.add_argument("--modules", action="store_true")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="orderwf-startup-"))
    try:
        measure(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def measure(args: argparse.Namespace, work: Path) -> None:
    """The runs, their caches and the shop under `work`; prints the table."""
    trees = {"this": ROOT / "src"}
    if args.against:
        trees = {"against": args.against.resolve(), "this": ROOT / "src"}
    caches = {tree: work / f"cache-{tree}" for tree in trees}
    db = make_db.copy_sqlite(args.orders, OUT / "startup.db")
    ids = _pending(db, len(trees) * (args.runs + 2))
    py = [sys.executable, "-m", "orderwf"]
    shop = work / "shop"
    subprocess.run(
        [*py, "init", str(shop)],
        env=_environ(trees["this"], work / "cache-init"),
        check=True,
        capture_output=True,
    )
    commands = {
        "orderwf --help": lambda: ([*py, "--help"], ROOT),
        "orderwf validate (warm cache)": lambda: (
            [*py, "validate", "workflows/woocommerce.yaml"],
            ROOT,
        ),
        "orderwf info (init folder)": lambda: ([*py, "info"], shop),
        "orderwf apply ID process (cold)": lambda: (
            [*py, "--db", f"sqlite:///{db}", "apply", str(ids.pop()), "process"],
            ROOT,
        ),
        # What cron runs every few minutes, mostly finding nothing due: here, as of a time
        # before every order (due now, it would cancel the pending orders the apply uses).
        "orderwf tick (cold)": lambda: (
            [*py, "--db", f"sqlite:///{db}", "tick", "--now", "2000-01-01T00:00:00"],
            ROOT,
        ),
        "orderwf order list (cold)": lambda: (
            [*py, "--db", f"sqlite:///{db}", "order", "list"],
            ROOT,
        ),
    }
    # warm-up: bytecode, the validation cache, the page cache
    for tree, src in trees.items():
        for make in commands.values():
            cmd, cwd = make()
            run_measured(cmd, cwd=cwd, environ=_environ(src, caches[tree]))
    if args.modules:
        for tree, src in trees.items():
            for name, make in commands.items():
                cmd, cwd = make()
                proc = subprocess.run(
                    [cmd[0], "-X", "importtime", *cmd[1:]],
                    cwd=cwd,
                    env=_environ(src, caches[tree]),
                    capture_output=True,
                    text=True,
                    check=True,
                )
                mods = [
                    ln.split("|")[-1].strip()
                    for ln in proc.stderr.splitlines()
                    if ln.startswith("import time:") and "|" in ln
                ][1:]
                top = {m.split(".")[0] for m in mods}
                print(
                    f"{tree:8} {name:34} {len(mods):5} modules  "
                    f"{' '.join(h for h in HEAVY if h in top) or '-'}"
                )
    cpu: dict[tuple[str, str], list[float]] = {}
    wall: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.runs):
        for name, make in commands.items():
            for tree, src in trees.items():
                cmd, cwd = make()
                w, c = run_measured(cmd, cwd=cwd, environ=_environ(src, caches[tree]))
                cpu.setdefault((name, tree), []).append(c)
                wall.setdefault((name, tree), []).append(w)
    headers = ["command"]
    for tree in trees:
        headers += [f"{tree} cpu ms", f"{tree} wall ms"]
    rows = []
    for name in commands:
        row: list[object] = [name]
        for tree in trees:
            row += [f"{median_ms(cpu[name, tree]):.0f}", f"{median_ms(wall[name, tree]):.0f}"]
        rows.append(row)
    print(f"median of {args.runs} interleaved runs")
    print(table(headers, rows))


if __name__ == "__main__":
    main()
