"""Cold-process timing of `orderwf validate` against `check-jsonschema` on the default
workflow (issue 2's performance target: orderwf ≤ 0.8 × check-jsonschema), and of
`orderwf --help`. Each command runs as a fresh process, interleaved, at least 7 times; the
medians are printed and, with --write, stored in the "Validation" section of
docs/performance.md.

    python bench/validate_bench.py [--runs 9] [--write]

orderwf is measured twice: with a cold validation cache (a fresh cache folder per run: YAML,
JSON Schema, every semantic check and every template) and with a warm one (the file already
validated clean: a hash lookup and its stored result, no YAML)."""

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
    """(wall, CPU) seconds of one process; CPU counts the children it waited for (the forked
    schema stage of `orderwf validate`)."""
    try:
        return run_measured(argv, environ=environ)
    except RuntimeError as e:
        sys.exit(str(e))


def measure(runs: int) -> dict[str, tuple[float, float]]:
    orderwf = orderwf_cmd()
    cjs = script("check-jsonschema")
    if cjs is None:
        sys.exit("check-jsonschema is not installed (pip install check-jsonschema)")
    base = env()  # bytecode caching on, as for any installed program
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in ("cold", "warm", "cjs", "help")}
    with tempfile.TemporaryDirectory() as tmp:
        warm_env = {**base, "ORDERWF_CACHE_DIR": str(Path(tmp, "warm"))}
        _timed([*orderwf, "validate", WORKFLOW], warm_env)  # fills the warm cache
        for i in range(runs):
            cold_env = {**base, "ORDERWF_CACHE_DIR": str(Path(tmp, f"cold{i}"))}
            times["cold"].append(_timed([*orderwf, "validate", WORKFLOW], cold_env))
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
            row(
                f"`orderwf validate {WORKFLOW}`, warm cache (file already validated clean)", "warm"
            ),
            row("`orderwf --help`", "help"),
            "",
            "Cold cache is every run with a fresh `ORDERWF_CACHE_DIR`: the whole pipeline, with "
            "nothing compiled beforehand. The schema stage (importing jsonschema and "
            "validating) runs in a forked child while the parent runs the semantic checks and "
            "compiles and renders every template, so the CPU column (parent and child) is "
            "higher than the wall column. Warm cache is what every other command pays to load "
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
    args = parser.parse_args()
    runs = max(args.runs, 7)
    medians = measure(runs)
    for key, label in (
        ("cjs", "check-jsonschema"),
        ("cold", "orderwf validate (cold cache)"),
        ("warm", "orderwf validate (warm cache)"),
        ("help", "orderwf --help"),
    ):
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
