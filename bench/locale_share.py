"""What formatting dates and money by locale (Babel, `orderwf.l10n`) costs inside a bulk apply
with one email per order (`apply --status pending process`, `customer_processing_order`).

    python bench/locale_share.py [--n 10000] [--pairs 2] [--locales en_US,fr_FR]

Two measures, each child process on a fresh copy of the N-order SQLite database (`make_db.py`),
timed around `service.bulk.apply` only, as `bulk_child.py` does:

- **inside**: one more bulk run records every call of `l10n.format_money`, `format_date` and
  `format_datetime`; after it, the same calls are replayed in order from empty memos and timed
  as one block (CPU time), over that bulk run's CPU time. Timing each call instead would
  measure the timer (two CPU-clock reads a call cost as much as a remembered amount); the
  A/B runs record nothing (the recorded calls keep objects alive for the cycle collector);
- **A/B**: the same bulk with the filters writing values by hand (`31.00 EUR`, `2026-11-26`,
  what the templates printed before Babel), run back to back with the Babel one; the share is
  1 − hand-made CPU time / Babel CPU time, the median of the pairs (each pair ran under the same
  load on a shared machine).

Also: formatting 10,000 distinct amounts and 10,000 distinct dates cold (nothing remembered),
and a new process's first amount and date (importing Babel, loading the locale's data).
The workflow is a copy of the default one with only that email, its shop's locale and time zone
set per run (English texts; only the formatting changes).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_db  # noqa: E402
from common import OUT, ROOT, default_emails, env, table, workflow_copy  # noqa: E402

ZONES = {"en_US": "UTC", "fr_FR": "Europe/Paris", "de_DE": "Europe/Berlin"}


def child(mode: str, db: str, workflow: str) -> dict[str, Any]:
    import gc
    from decimal import Decimal

    gc.disable()
    from orderwf import l10n, money
    from orderwf.cli.common import long_running
    from orderwf.service import bulk
    from orderwf.store import db as store_db
    from orderwf.store import repo, snapshots  # noqa: F401 (imported here, not timed)
    from orderwf.workflow.loader import load_workflow

    calls: list[tuple[str, tuple[Any, ...]]] = []
    originals = {
        "format_money": l10n.format_money,
        "format_date": l10n.format_date,
        "format_datetime": l10n.format_datetime,
    }

    def recorded(name: str) -> Callable[..., str]:
        fn = originals[name]

        def wrapper(*args: Any) -> str:
            calls.append((name, args))
            return fn(*args)

        return wrapper

    if mode == "record":
        l10n.format_money = recorded("format_money")  # type: ignore[method-assign]
        l10n.format_date = recorded("format_date")  # type: ignore[method-assign]
        l10n.format_datetime = recorded("format_datetime")  # type: ignore[method-assign]
    elif mode == "plain":  # by hand, as the templates printed before

        def by_hand_money(value: Any, currency: Any, locale: str) -> str:
            return money.show(money.quantize(Decimal(str(value)), currency), currency)

        def by_hand_date(value: Any, locale: str, timezone: str, fmt: Any = None) -> str:
            return str(value.strftime("%B %-d, %Y"))

        l10n.format_money = by_hand_money  # type: ignore[assignment]
        l10n.format_date = by_hand_date  # type: ignore[assignment]
        l10n.format_datetime = by_hand_date  # type: ignore[assignment]

    engine = store_db.connect(db)
    wf = load_workflow(Path(workflow))
    long_running()
    t0, c0 = time.perf_counter(), time.process_time()
    report = bulk.apply(engine, wf, "process", {}, actor="bench", status="pending")
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    if report.refused:
        raise SystemExit(f"{len(report.refused)} refused: {report.refused[:3]}")
    distinct = len(l10n._MEMO_ENTRIES)
    # The same calls again, in the same order, from empty memos (Babel and the locale's data
    # stay loaded: `first_use` measures those), timed as one block: no timer per call.
    l10n._MEMO_ENTRIES.clear()
    l10n._whole_amount.cache_clear()
    l10n._date.cache_clear()
    c0 = time.process_time()
    for name, args in calls:
        originals[name](*args)
    replay = time.process_time() - c0
    return {
        "orders": report.applied,
        "seconds": seconds,
        "cpu": cpu,
        "format_cpu": replay,
        "format_calls": len(calls),
        "distinct_amounts": distinct,
    }


def first_use(locale: str) -> float:
    """Seconds for a new process's first amount and date: importing Babel, loading the
    locale's CLDR data (every bulk run pays it once, at its first email)."""
    code = (
        "import time; from datetime import date; from orderwf import l10n; "
        "t0 = time.perf_counter(); "
        f"l10n.format_money(1, 'EUR', {locale!r}); "
        f"l10n.format_date(date(2026, 11, 26), {locale!r}, 'UTC'); "
        "print(time.perf_counter() - t0)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env(), capture_output=True, text=True
    )
    return float(proc.stdout.strip())


def cold_10k(locale: str) -> dict[str, float]:
    """10,000 distinct amounts and 10,000 distinct dates, formatted once each, in process."""
    from datetime import date, timedelta
    from decimal import Decimal

    from orderwf import l10n

    l10n.format_money(Decimal("1"), "EUR", locale)  # Babel imported and the locale loaded
    t0 = time.perf_counter()
    for cents in range(10_000):
        l10n.format_money(Decimal(cents + 100_000).scaleb(-2), "EUR", locale)
    amounts = time.perf_counter() - t0
    first = date(2000, 1, 1)
    t0 = time.perf_counter()
    for days in range(10_000):
        l10n.format_date(first + timedelta(days=days), locale, ZONES[locale])
    dates = time.perf_counter() - t0
    return {"amounts": amounts, "dates": dates}


def run_child(mode: str, n: int, workflow: Path) -> dict[str, Any]:
    db = make_db.copy_sqlite(n, OUT / "locale-share.db")
    proc = subprocess.run(
        [sys.executable, __file__, "--child", mode, f"sqlite:///{db}", str(workflow)],
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"child {mode} failed: {proc.stderr.strip()[-2000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def locale_workflow(locale: str) -> Path:
    emails = default_emails()
    path = workflow_copy(
        f"locale-{locale}", {"customer_processing_order": emails["customer_processing_order"]}
    )
    data = json.loads(path.read_text(encoding="utf-8"))
    data["shop"] = {**data["shop"], "locale": locale, "timezone": ZONES[locale]}
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    subprocess.run(  # validated once, so no timed run pays for it
        [sys.executable, "-m", "orderwf", "validate", str(path)],
        cwd=ROOT,
        env=env(),
        check=True,
        capture_output=True,
    )
    return path


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        print(json.dumps(child(*argv[1:4])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--pairs", type=int, default=2)
    parser.add_argument("--locales", default="en_US,fr_FR")
    args = parser.parse_args(argv)
    rows = []
    for locale in args.locales.split(","):
        workflow = locale_workflow(locale)
        pairs = [
            (run_child("babel", args.n, workflow), run_child("plain", args.n, workflow))
            for _ in range(args.pairs)
        ]
        for babel, plain in pairs:
            print(f"  {locale}: babel {babel} / by hand {plain}", file=sys.stderr)
        record = run_child("record", args.n, workflow)
        print(f"  {locale}: recorded {record}", file=sys.stderr)
        inside = record["format_cpu"] / record["cpu"]
        ab = statistics.median(1 - p["cpu"] / b["cpu"] for b, p in pairs)
        babel = record
        cold = cold_10k(locale)
        rows.append(
            [
                locale,
                f"{babel['orders']:,}",
                f"{babel['format_calls']:,} ({babel['distinct_amounts']:,})",
                f"{statistics.median(b['orders'] / b['seconds'] for b, _ in pairs):,.0f}",
                f"{statistics.median(p['orders'] / p['seconds'] for _, p in pairs):,.0f}",
                f"{inside:.1%}",
                f"{ab:+.1%}",
                f"{cold['amounts'] * 1000:.0f} + {cold['dates'] * 1000:.0f}",
                f"{first_use(locale) * 1000:.0f}",
            ]
        )
    head = [
        "locale",
        "orders",
        "format calls (distinct amounts)",
        "Babel /s",
        "by hand /s",
        "inside (CPU)",
        "A/B (CPU)",
        "10k amounts + 10k dates, cold (ms)",
        "first use (ms)",
    ]
    print(table(head, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
