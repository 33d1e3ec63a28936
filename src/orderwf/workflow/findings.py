"""Findings of validation, and the reporters that print them (SPEC §3): `text` for people,
`json` for tools, `github` for GitHub Actions annotations. Validation collects every finding of
every file first; a reporter only formats."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from orderwf.workflow.yamlsrc import Source

Severity = Literal["error", "warning"]
JsonPath = tuple[str | int, ...]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def json_path(path: JsonPath) -> str:
    """`("statuses", "on-hold", "label")` → `$.statuses['on-hold'].label`."""
    out = "$"
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _NAME.match(part):
            out += f".{part}"
        else:
            out += "['" + part.replace("\\", "\\\\").replace("'", "\\'") + "']"
    return out


def display_path(path: Path) -> str:
    """A path as people read it: relative to the current folder when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def where(path: JsonPath) -> str:
    """`("actions", "pay", "to", 0)` → `actions.pay.to[0]`, for messages."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the file"


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    column: int
    severity: Severity
    code: str
    message: str
    hint: str | None = None
    json_path: str = "$"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.message)

    def headline(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity}[{self.code}] {self.message}"


class Collector:
    """Findings of one file, placed through its path → position map (`yamlsrc.Source`): every
    stage after YAML (the schema, the semantic and template checks, a scenario's checks)
    reports through one of these."""

    def __init__(self, source: Source, file: str) -> None:
        self.source = source
        self.file = file
        self.findings: list[Finding] = []

    def add(
        self,
        code: str,
        path: JsonPath,
        message: str,
        *,
        hint: str | None = None,
        severity: Severity = "error",
        key: bool = False,
    ) -> None:
        pos = self.source.position(path, key=key)
        self.findings.append(
            Finding(self.file, pos.line, pos.column, severity, code, message, hint, json_path(path))
        )


def sort(findings: Iterable[Finding]) -> list[Finding]:
    """Sorted by file and position; a finding reported twice (an email template file shared
    by two workflows) is kept once."""
    return sorted(set(findings), key=Finding.sort_key)


def summary(findings: Sequence[Finding], files: int) -> str:
    errors = sum(f.is_error for f in findings)
    warnings = len(findings) - errors
    checked = f"{files} file{'s' if files != 1 else ''} checked"
    if not findings:
        return f"{checked}: no problems found"
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return f"{checked}: {', '.join(parts)}"


def report_text(findings: Sequence[Finding]) -> str:
    lines: list[str] = []
    for f in findings:
        lines.append(f.headline())
        if f.hint:
            lines.append(f"  hint: {f.hint}")
    return "".join(line + "\n" for line in lines)


def report_json(findings: Sequence[Finding]) -> str:
    return json.dumps([asdict(f) for f in findings], indent=2, ensure_ascii=False) + "\n"


def _gh_escape(text: str, *, prop: bool = False) -> str:
    # GitHub's workflow-command escaping (actions/toolkit: escapeData / escapeProperty).
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def report_github(findings: Sequence[Finding]) -> str:
    lines = []
    for f in findings:
        message = f"[{f.code}] {f.message}" + (f"\nhint: {f.hint}" if f.hint else "")
        props = ",".join(
            [
                f"file={_gh_escape(f.path.replace(os.sep, '/'), prop=True)}",
                f"line={f.line}",
                f"col={f.column}",
                f"title={_gh_escape(f'orderwf {f.code}', prop=True)}",
            ]
        )
        lines.append(f"::{f.severity} {props}::{_gh_escape(message)}")
    return "".join(line + "\n" for line in lines)


def report(findings: Sequence[Finding], fmt: str) -> str:
    if fmt == "json":
        return report_json(findings)
    if fmt == "github":
        return report_github(findings)
    return report_text(findings)
