"""Cold-process timing of `orderwf validate` against `check-jsonschema` on the default
workflow (issue 2's performance target: orderwf ≤ 0.8 × check-jsonschema), and of
`orderwf --help`. Each command runs as a fresh process, interleaved, at least 7 times; the
medians are printed and, with --write, stored in the "Validation" section of
docs/performance.md.

    python bench/validate_bench.py [--runs 9] [--write]
    python bench/validate_bench.py --against /other/venv/bin/orderwf   # before/after, interleaved

orderwf is measured twice: with a cold validation cache (a fresh cache folder per run: YAML,
JSON Schema, every semantic check and every template) and with a warm one (the file already
validated clean: a hash lookup and its stored result, no YAML). `--against` times another
orderwf (another checkout's console script) the same two ways in the same interleaved rounds:
before and after a change, on a machine whose load moves."""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, env, orderwf_cmd, run_measured, script  # noqa: E402

WORKFLOW = "workflows/woocommerce.yaml"
SCHEMA = "schemas/workflow.schema.json"
DOC = ROOT / "docs" / "performance.md"


def _timed(argv: list[str], environ: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one process, with any children it waited for."""
    try:
        return run_measured(argv, environ=environ)
    except RuntimeError as e:
        sys.exit(str(e))


def measure(runs: int, against: str | None = None) -> dict[str, tuple[float, float]]:
    orderwf = orderwf_cmd()
    cjs = script("check-jsonschema")
    if cjs is None:
        sys.exit("check-jsonschema is not installed (pip install check-jsonschema)")
    base = env()  # bytecode caching on, as for any installed program
    others = ["other cold", "other no cache", "other warm"] if against else []
    keys = ["cold", "no cache", "warm", "cjs", "help", *others]
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in keys}
    with tempfile.TemporaryDirectory() as tmp:
        warm_env = {**base, "ORDERWF_CACHE_DIR": str(Path(tmp, "warm"))}
        no_cache = {**base, "ORDERWF_NO_CACHE": "1"}
        other_env = {**base, "ORDERWF_CACHE_DIR": str(Path(tmp, "other-warm"))}
        _timed([*orderwf, "validate", WORKFLOW], warm_env)  # fills the warm cache
        if against:
            _timed([against, "validate", WORKFLOW], other_env)
        for i in range(runs):
            cold_env = {**base, "ORDERWF_CACHE_DIR": str(Path(tmp, f"cold{i}"))}
            times["cold"].append(_timed([*orderwf, "validate", WORKFLOW], cold_env))
            if against:
                other_cold = {**base, "ORDERWF_CACHE_DIR": str(Path(tmp, f"other-cold{i}"))}
                times["other cold"].append(_timed([against, "validate", WORKFLOW], other_cold))
                times["other no cache"].append(_timed([against, "validate", WORKFLOW], no_cache))
                times["other warm"].append(_timed([against, "validate", WORKFLOW], other_env))
            times["no cache"].append(_timed([*orderwf, "validate", WORKFLOW], no_cache))
            times["warm"].append(_timed([*orderwf, "validate", WORKFLOW], warm_env))
            times["cjs"].append(_timed([cjs, "--schemafile", SCHEMA, WORKFLOW], base))
            times["help"].append(_timed([*orderwf, "--help"], base))
    return {
        k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
        for k, v in times.items()
    }


def section(medians: dict[str, tuple[float, float]], runs: int) -> str:
    cjs_wall, cjs_cpu = medians["cjs"]

    def row(name: str, key: str) -> str:
        wall, cpu = medians[key]
        return (
            f"| {name} | {wall * 1000:.0f} ms | **{wall / cjs_wall:.2f} ×** | "
            f"{cpu * 1000:.0f} ms | {cpu / cjs_cpu:.2f} × |"
        )

    return "\n".join(
        [
            "## Validation",
            "",
            f"`python bench/validate_bench.py --runs {runs} --write`: each command as a fresh "
            f"process (the console scripts pip installed), interleaved, median of {runs} runs, "
            f"on `{WORKFLOW}`. Target: `orderwf validate` ≤ 0.8 × `check-jsonschema` (wall "
            "time, what a developer waits for).",
            "",
            "| command | wall | vs check-jsonschema | CPU | vs check-jsonschema |",
            "|---|---|---|---|---|",
            row(f"`check-jsonschema --schemafile {SCHEMA} {WORKFLOW}`", "cjs"),
            row(f"`orderwf validate {WORKFLOW}`, cold cache (schema + checks + templates)", "cold"),
            row(f"`ORDERWF_NO_CACHE=1 orderwf validate {WORKFLOW}`", "no cache"),
            row(
                f"`orderwf validate {WORKFLOW}`, warm cache (file already validated clean)", "warm"
            ),
            row("`orderwf --help`", "help"),
            "",
            "Cold cache is every run with a fresh `ORDERWF_CACHE_DIR`: the whole pipeline, with "
            "nothing compiled beforehand: YAML, the schema (importing jsonschema), the model "
            "built once, the semantic checks and every template compiled and rendered, in one "
            "process. Warm cache is what every other command pays to load "
            "the workflow: a hash lookup and its parsed data read back as JSON, no YAML, no "
            "jsonschema, no Jinja2. None of them imports SQLAlchemy.",
            "",
            f"Load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
            "(absolute times move with the machine's load; the ratios are measured "
            "interleaved, in the same run).",
            "",
        ]
    )


def write(text: str) -> None:
    if DOC.exists():
        doc = DOC.read_text(encoding="utf-8")
    else:
        doc = (
            "# Performance\n\nMeasured on "
            f"{platform.platform()}, Python {platform.python_version()}, "
            f"{os.cpu_count()} CPUs.\n\n"
        )
    pattern = re.compile(r"^## Validation\n.*?(?=^## |\Z)", re.M | re.S)
    doc = (
        pattern.sub(lambda _: text + "\n", doc)
        if pattern.search(doc)
        else (doc.rstrip("\n") + "\n\n" + text)
    )
    DOC.write_text(doc, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--write", action="store_true", help="update docs/performance.md")
    parser.add_argument("--against", help="another orderwf console script, timed interleaved")
    args = parser.parse_args()
    runs = max(args.runs, 7)
    medians = measure(runs, args.against)
    labels = [
        ("cjs", "check-jsonschema"),
        ("cold", "orderwf validate (cold cache)"),
        ("no cache", "orderwf validate (no cache)"),
        ("warm", "orderwf validate (warm cache)"),
        ("help", "orderwf --help"),
    ]
    if args.against:
        labels += [
            ("other cold", "--against (cold cache)"),
            ("other no cache", "--against (no cache)"),
            ("other warm", "--against (warm cache)"),
        ]
    for key, label in labels:
        (wall, cpu), (cjs_wall, cjs_cpu) = medians[key], medians["cjs"]
        print(
            f"{label:32} {wall * 1000:5.0f} ms wall {wall / cjs_wall:.2f} ×  "
            f"{cpu * 1000:5.0f} ms CPU {cpu / cjs_cpu:.2f} ×  (× check-jsonschema)"
        )
    if args.write:
        write(section(medians, runs))
        print(f"wrote the Validation section of {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
