"""`orderwf validate`: workflow files checked alone, or as a shop folder (SPEC §9), and with
`--live` against the orders in the database (`live.py`). The database stack is imported only
for the live check: a cached `validate` stays light."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from orderwf.workflow import findings as fnd
from orderwf.workflow import loader

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from orderwf.project import Project
    from orderwf.workflow.findings import Finding


@dataclass(frozen=True)
class Validation:
    """The files checked and every finding, sorted."""

    files: list[Path]
    findings: list[Finding]

    def fails(self, *, strict: bool = False) -> bool:
        """Whether the run fails: an error, or with `strict` any finding."""
        return any(f.is_error or strict for f in self.findings)

    def report(self, fmt: str) -> str:
        """The findings as text, JSON or GitHub annotations."""
        return fnd.report(self.findings, fmt)

    def summary(self) -> str:
        """One line: how many files, errors and warnings."""
        return fnd.summary(self.findings, len(self.files))


def validate(
    paths: Sequence[Path], *, project: Project | None, use_cache: bool = True
) -> Validation:
    """The files of `paths` (files or folders; none: the project's workflows folder, else
    `workflows/`), each checked from YAML to its templates; the project's own checks too when
    its folder is validated as a whole."""
    folder = project.workflows if project is not None else loader.DEFAULT_FOLDER
    files = loader.workflow_files(list(paths) or [folder])
    if project is not None and not paths:
        found = loader.validate_project(project, files, use_cache=use_cache)
    else:
        found = loader.validate_files(files, use_cache=use_cache)
    return Validation(files, found)


def live(db: Engine, checked: Validation, *, project: Project | None) -> Validation:
    """`checked` and the live findings (SPEC §9) of its files that validated without errors."""
    from orderwf import live as live_checks

    files, found = checked.files, checked.findings
    broken = {f.path for f in found if f.is_error}
    workflows = [loader.load_workflow(p) for p in files if fnd.display_path(p) not in broken]
    if project is not None:
        anchor, folder = project.file, fnd.display_path(project.workflows)
    else:
        anchor = files[0] if files else Path(".")
        folder = ", ".join(sorted({fnd.display_path(p.parent) for p in files})) or "."
    unchecked = sorted(str(p) for p in broken)
    more = live_checks.check(db, workflows, anchor=anchor, folder=folder, unchecked=unchecked)
    return Validation(files, fnd.sort([*found, *more]))
