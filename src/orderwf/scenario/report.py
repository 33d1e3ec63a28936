"""What `orderwf test` prints: one line per scenario, and for a failure the file, the step's line,
the expected and the actual value (with a short diff for texts); `json` for tools; `github`
annotations; JUnit XML (one testcase per scenario) for CI systems to display."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from orderwf.scenario.run import Result
from orderwf.workflow import findings as fnd
from orderwf.workflow import loader
from orderwf.workflow.findings import _gh_escape, display_path

__all__ = ["display_path"]

_LABEL = {"passed": "ok", "failed": "FAIL", "error": "ERROR"}


def scenario_findings(found: Sequence[fnd.Finding], files: int, fmt: str) -> tuple[str, str]:
    """The findings of the scenario files in `fmt` (sorted), and their one-line summary."""
    ordered = fnd.sort(found)
    summary = fnd.summary(ordered, files).replace(" file", " scenario file")
    return fnd.report(ordered, fmt), summary


def workflow_findings(paths: Sequence[Path], fmt: str) -> str:
    """What `orderwf validate` says of these workflow files, in `fmt`."""
    return fnd.report(loader.validate_files(sorted(set(paths))), fmt)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def where(result: Result) -> str:
    """`step 3 (refund), line 25`."""
    step = result.step
    if step is None:
        return ""
    return f"step {step.index} ({step.describe()}), line {step.line}"


def text(results: Sequence[Result]) -> str:
    lines = []
    for r in results:
        sc = r.scenario
        head = f"{_LABEL[r.outcome]:<5} {sc.file}: {sc.name}"
        if r.outcome == "passed":
            lines.append(f"{head} ({_plural(r.steps_run, 'step')})")
            continue
        lines.append(f"{head}: {where(r)}")
        for p in r.problems:
            lines.append(f"  {sc.file}:{p.line}:{p.column}: {p.message}")
            lines.extend(f"    {d}" for d in p.diff)
    return "".join(line + "\n" for line in lines)


def summary(results: Sequence[Result], seconds: float) -> str:
    counts = {k: sum(r.outcome == k for r in results) for k in _LABEL}
    steps = sum(r.steps_run for r in results)
    parts = [f"{counts['passed']} passed"]
    if counts["failed"]:
        parts.append(f"{counts['failed']} failed")
    if counts["error"]:
        parts.append(_plural(counts["error"], "error"))
    return (
        f"{_plural(len(results), 'scenario')}, {_plural(steps, 'step')}: "
        f"{', '.join(parts)} ({seconds:.2f} s)"
    )


def as_json(result: Result) -> dict[str, Any]:
    sc = result.scenario
    out: dict[str, Any] = {
        "file": sc.file,
        "name": sc.name,
        "workflow": sc.workflow,
        "outcome": result.outcome,
        "steps": len(sc.steps),
        "steps_run": result.steps_run,
        "seconds": round(result.seconds, 4),
        "failure": None,
    }
    if result.step is not None:
        out["failure"] = {
            "step": result.step.index,
            "action": result.step.describe(),
            "line": result.step.line,
            "column": result.step.column,
            "problems": [
                {
                    "line": p.line,
                    "column": p.column,
                    "what": p.what,
                    "expected": p.expected,
                    "actual": p.actual,
                    "message": p.message,
                }
                for p in result.problems
            ],
        }
    return out


def results_json(results: Sequence[Result], extra: dict[str, Any] | None = None) -> str:
    counts = {k: sum(r.outcome == k for r in results) for k in _LABEL}
    data = {"scenarios": [as_json(r) for r in results], **counts, **(extra or {})}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def github(results: Sequence[Result]) -> str:
    lines = []
    for r in results:
        for p in r.problems:
            props = ",".join(
                [
                    f"file={_gh_escape(r.scenario.file.replace(os.sep, '/'), prop=True)}",
                    f"line={p.line}",
                    f"col={p.column}",
                    f"title={_gh_escape(f'orderwf test: {r.scenario.name}', prop=True)}",
                ]
            )
            message = "\n".join([f"{where(r)}: {p.message}", *p.diff])
            lines.append(f"::error {props}::{_gh_escape(message)}")
    return "".join(line + "\n" for line in lines)


def junit(results: Sequence[Result], seconds: float) -> str:
    """JUnit XML: one testsuite per workflow, one testcase per scenario."""
    root = ET.Element("testsuites", name="orderwf test", time=f"{seconds:.3f}")
    suites: dict[str, ET.Element] = {}
    for r in results:
        sc = r.scenario
        suite = suites.get(sc.workflow)
        if suite is None:
            suite = suites[sc.workflow] = ET.SubElement(
                root, "testsuite", name=f"workflow {sc.workflow}"
            )
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"orderwf.{sc.workflow}",
            name=f"{sc.file}: {sc.name}",
            file=sc.file,
            line=str(r.step.line if r.step else 1),
            time=f"{r.seconds:.4f}",
        )
        if r.outcome != "passed":
            first = r.problems[0].message if r.problems else r.outcome
            body = "\n".join(
                [
                    f"{sc.file}:{p.line}:{p.column}: {where(r)}: {p.message}"
                    + "".join(f"\n  {d}" for d in p.diff)
                    for p in r.problems
                ]
            )
            kind = "failure" if r.outcome == "failed" else "error"
            ET.SubElement(case, kind, message=f"{where(r)}: {first}", type=kind).text = body
    for suite in suites.values():
        cases = suite.findall("testcase")
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(sum(c.find("failure") is not None for c in cases)))
        suite.set("errors", str(sum(c.find("error") is not None for c in cases)))
        suite.set("time", f"{sum(float(c.get('time', 0)) for c in cases):.4f}")
    root.set("tests", str(len(results)))
    root.set("failures", str(sum(r.outcome == "failed" for r in results)))
    root.set("errors", str(sum(r.outcome == "error" for r in results)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"
