"""`orderwf test` figures (issue 14), measured once or twice, never asserted:

1. scenario steps per second in memory, after start-up: the shipped scenarios of the default
   workflow (`scenarios/woocommerce/`) run again and again in this process, every step planned
   by the engine with its notes and emails rendered (target ≥ 5,000 steps/s);
2. `orderwf test --explore` of the default workflow as a cold process (a fresh validation
   cache, so the workflow is validated first) against a cold `orderwf validate` of it,
   interleaved (targets: ≤ 2 s, and ≤ 2 × the cold validate).

    python bench/scenario_bench.py [--seconds 3] [--runs 5]"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, WORKFLOW, env, orderwf_cmd, run_measured  # noqa: E402


def steps_per_second(seconds: float) -> tuple[float, float, int]:
    """(steps per wall second, per CPU second, emails rendered per pass)."""
    from orderwf.scenario import load, run

    workflows = load.Workflows(None, str(WORKFLOW))
    scenarios = []
    for path in load.scenario_files([ROOT / "scenarios" / "woocommerce"]):
        loaded = load.load(path, workflows)
        assert loaded.scenario is not None, loaded.findings
        assert loaded.workflow is not None
        scenarios.append((loaded.scenario, loaded.workflow))
    for scenario, workflow in scenarios:  # start-up: templates compiled, caches warm
        assert run.run(scenario, workflow).outcome == "passed"
    steps = emails = passes = 0
    wall0, cpu0 = time.perf_counter(), time.process_time()
    while time.perf_counter() - wall0 < seconds:
        for scenario, workflow in scenarios:
            result = run.run(scenario, workflow)
            steps += result.steps_run
        passes += 1
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    for scenario, workflow in scenarios:  # what one pass renders, for the record
        from orderwf.engine.memory import Shop

        shop = Shop.start(workflow, scenario.products, scenario.order, scenario.now)
        for step in scenario.steps:
            try:
                if step.wait is not None:
                    shop.wait(step.wait)
                else:
                    shop.apply(step.action, step.params, actor="admin")
            except Exception:  # noqa: BLE001 - refusals the scenarios expect
                pass
        emails += len(shop.outbox)
    return steps / wall, steps / cpu, emails


def cold(runs: int) -> dict[str, list[tuple[float, float]]]:
    orderwf = orderwf_cmd()
    times: dict[str, list[tuple[float, float]]] = {"validate": [], "explore": []}
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp, "empty")
        empty.mkdir()
        for i in range(runs):
            for kind in ("validate", "explore"):
                cache = {**env(), "ORDERWF_CACHE_DIR": str(Path(tmp, f"cache-{kind}-{i}"))}
                if kind == "validate":
                    cmd = [*orderwf, "validate", str(WORKFLOW)]
                    times[kind].append(run_measured(cmd, environ=cache))
                else:
                    cmd = [*orderwf, "--workflow", str(WORKFLOW), "test", "--explore"]
                    times[kind].append(run_measured(cmd, cwd=empty, environ=cache))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    wall_rate, cpu_rate, emails = steps_per_second(args.seconds)
    print(
        f"scenario steps in memory: {wall_rate:,.0f}/s wall, {cpu_rate:,.0f}/s CPU "
        f"({emails} emails rendered per pass of the default workflow's scenarios)"
    )
    times = cold(args.runs)
    med = {
        k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
        for k, v in times.items()
    }
    ratios = [e[1] / v[1] for v, e in zip(times["validate"], times["explore"], strict=True)]
    for kind, (wall, cpu) in med.items():
        print(f"cold {kind:<8}: {wall * 1000:6.0f} ms wall, {cpu * 1000:6.0f} ms CPU (median)")
    print(
        f"explore / validate, CPU of interleaved pairs: median {statistics.median(ratios):.2f} x "
        f"(each pair: {', '.join(f'{r:.2f}' for r in ratios)})"
    )


if __name__ == "__main__":
    main()
