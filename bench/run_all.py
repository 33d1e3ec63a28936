"""Every benchmark, one after the other, printing its tables (see docs/performance.md).

    python bench/run_all.py            # databases of 10k, 100k and 1M orders; about an hour
    python bench/run_all.py --quick    # 10k and 100k only, fewer runs; a few minutes

Databases are built once and cached under bench/out/ (gitignored). PostgreSQL figures use
`ORDERWF_BENCH_PG_URL` if set, else a throwaway cluster started with .ci/postgres.sh.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def run(script: str, *args: str) -> None:
    path = BENCH / script
    if not path.exists():  # a benchmark another part of the suite has not added yet
        print(f"({script} not present: skipped)\n")
        return
    print(f"$ python bench/{script} {' '.join(args)}".rstrip(), flush=True)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, str(path), *args], check=True)
    print(f"({time.perf_counter() - t0:.0f} s)\n", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller databases, fewer runs")
    args = parser.parse_args(argv)
    sizes = ["10000", "100000"] if args.quick else ["10000", "100000", "1000000"]
    run("make_db.py", *sizes)
    run("validate_bench.py")
    run(
        "apply_cold.py",
        "--runs",
        "9" if args.quick else "15",
        *([] if args.quick else ["--profile"]),
    )
    run("show_scale.py", "--runs", "5" if args.quick else "9", "--large", sizes[-1])
    if args.quick:
        run("bulk.py", "--sizes", "10000", "--email-sizes", "10000",
            "--memory-sizes", "10000,100000", "--pg-sizes", "10000",
            "--concurrency-seconds", "3")  # fmt: skip
    else:
        run("bulk.py", "--sizes", "10000,100000", "--email-sizes", "10000,100000",
            "--memory-sizes", "100000,1000000", "--pg-sizes", "10000,100000")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
