"""The shop folder's figures (issue 13), each measured once on a shared machine:

1. finding the project: what `orderwf.project.find()` (the walk up the parents and reading
   `orderwf.toml` with `tomllib`) costs a cold process, from a folder five levels below it;
2. `orderwf validate` of a folder of 20 workflows against a folder of one, cold (an empty
   validation cache) and warm, as CPU-time ratios of interleaved pairs;
3. `orderwf migrate` of the orders of a status renamed with `renamed_from`, in process, on the
   100,000-order SQLite database of `make_db.py` (70,000 orders move).

    python bench/shop_folder.py [--repeat 5] [--orders 100000]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OUT, ROOT, WORKFLOW, env, orderwf_cmd, run_measured  # noqa: E402

# What finding the project adds to a command: the child first imports what every command
# imports anyway (the CLI's root module, with typer), then times the walk up the folders,
# `tomllib`'s import and the parse.
FIND = (
    "import time; import orderwf.cli.app; from orderwf import project; "
    "t = time.perf_counter(); c = time.process_time(); p = project.find(); "
    "print(time.perf_counter() - t, time.process_time() - c, p is not None)"
)


def discovery(shop: Path, repeat: int) -> list[tuple[float, float]]:
    """(wall, CPU) seconds of `project.find()` in cold processes five folders below it."""
    deep = shop / "a" / "b" / "c" / "d" / "e"
    deep.mkdir(parents=True, exist_ok=True)
    samples = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", FIND], cwd=deep, env=env(), capture_output=True, text=True
        ).stdout.split()
        assert out[2] == "True", out
        samples.append((float(out[0]), float(out[1])))
    return samples


def folder_of(n: int, root: Path) -> Path:
    """A shop folder whose workflows/ holds `n` copies of the default workflow, each its own
    name, sharing templates/emails."""
    shop = root / f"shop-{n}"
    subprocess.run([*orderwf_cmd(), "init", str(shop)], env=env(), check=True, capture_output=True)
    text = (shop / "workflows/shop.yaml").read_text()
    (shop / "workflows/shop.yaml").unlink()
    for i in range(n):
        named = re.sub(r"^name: shop$", f"name: shop{i:02d}", text, count=1, flags=re.M)
        (shop / "workflows" / f"shop{i:02d}.yaml").write_text(named)
    toml = shop / "orderwf.toml"
    toml.write_text(toml.read_text().replace('"shop"', '"shop00"'))
    return shop


def validate_pairs(root: Path, repeat: int, *, cold: bool) -> list[tuple[float, float]]:
    one, twenty = folder_of(1, root), folder_of(20, root)
    pairs = []
    for i in range(repeat):
        cpu = []
        for shop in (one, twenty):
            e = env()
            cache = root / f"cache-{shop.name}-{i if cold else 'warm'}"
            e["ORDERWF_CACHE_DIR"] = str(cache)
            if not cold and not cache.exists():
                run_measured([*orderwf_cmd(), "validate"], cwd=shop, environ=e)  # fills it
            cpu.append(run_measured([*orderwf_cmd(), "validate"], cwd=shop, environ=e)[1])
        pairs.append((cpu[0], cpu[1]))
    return pairs


def migrate(orders: int, root: Path) -> tuple[int, float, float]:
    sys.path.insert(0, str(ROOT / "src"))
    from make_db import build_sqlite

    from orderwf import moves
    from orderwf.store import db
    from orderwf.workflow.loader import load_workflow

    source = build_sqlite(orders)
    path = root / "migrate.db"
    shutil.copy(source, path)
    text = WORKFLOW.read_text().replace("pending", "awaiting")
    text = re.sub(r"^  awaiting:\s*\{", "  awaiting: {renamed_from: [pending], ", text, flags=re.M)
    templates = WORKFLOW.parent.parent / "templates" / "emails"
    text = text.replace("templates: ../templates/emails", f"templates: {templates}")
    renamed = root / "woocommerce.yaml"
    renamed.write_text(text)
    wf = load_workflow(renamed)
    engine = db.connect(f"sqlite:///{path}")
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        report = moves.migrate(engine, [wf], actor="bench")
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        again = moves.migrate(engine, [wf], actor="bench")
        assert again.orders == 0
    finally:
        engine.dispose()
    return report.orders, wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument(
        "--parts", default="discovery,validate,migrate", help="Which figures, comma-separated."
    )
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="orderwf-shop-", dir=OUT) as tmp:
        root = Path(tmp)
        found = discovery(folder_of(1, root / "d"), args.repeat) if "discovery" in parts else []
        wall = [w for w, _ in found]
        cpu = [c for _, c in found]
        print(
            ""
            if not found
            else f"project.find() in a cold process, 5 folders down: median "
            f"{statistics.median(wall) * 1000:.2f} ms wall (min {min(wall) * 1000:.2f}), "
            f"{statistics.median(cpu) * 1000:.2f} ms CPU (min {min(cpu) * 1000:.2f})"
        )
        for cold in (True, False) if "validate" in parts else ():
            pairs = validate_pairs(root / ("cold" if cold else "warm"), args.repeat, cold=cold)
            ratios = [b / a for a, b in pairs]
            print(
                f"validate, {'cold' if cold else 'warm'} cache: 1 workflow "
                f"{statistics.median(a for a, _ in pairs) * 1000:.0f} ms CPU, 20 workflows "
                f"{statistics.median(b for _, b in pairs) * 1000:.0f} ms CPU, ratio "
                f"{statistics.median(ratios):.2f} (pairs: {', '.join(f'{r:.2f}' for r in ratios)})"
            )
        if "migrate" not in parts:
            return 0
        moved, took, cpu_s = migrate(args.orders, root)
        print(
            f"migrate: {moved:,} orders in {took:.2f} s ({moved / took:,.0f} orders/s; "
            f"{moved / cpu_s:,.0f} per CPU-second)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
