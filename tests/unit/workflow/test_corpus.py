"""The corpus of example files: adding a file adds a case. Every valid file validates clean;
every invalid file's report is a snapshot, and includes the code its name starts with."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion

from orderwf.workflow import findings as fnd
from orderwf.workflow import loader

REPO = Path(__file__).resolve().parents[3]
CORPUS = REPO / "tests/data/workflows"
INVALID = sorted((CORPUS / "invalid").glob("*.yaml"))
VALID = sorted((CORPUS / "valid").glob("*.yaml"))
SHIPPED = [
    REPO / "workflows/woocommerce.yaml",
    *sorted((REPO / "workflows/examples").glob("*.y*ml")),
]


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)  # reports show paths relative to the repository


def _report(path: Path) -> str:
    return fnd.report_text(loader.validate_files([path.relative_to(REPO)], use_cache=False))


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_file_report(path: Path, snapshot: SnapshotAssertion) -> None:
    found = loader.validate_files([path.relative_to(REPO)], use_cache=False)
    assert found, f"{path.name} has no findings"
    code = re.match(r"owf\d+", path.stem)
    if code:
        assert code[0].upper() in {f.code for f in found}
    assert fnd.report_text(found) == snapshot


@pytest.mark.parametrize("path", [*VALID, *SHIPPED], ids=lambda p: p.stem)
def test_valid_file_is_clean(path: Path) -> None:
    assert _report(path) == ""


def test_corpus_is_large_enough() -> None:
    assert len(INVALID) >= 30


def test_every_documented_code_has_a_corpus_file() -> None:
    documented = set(
        re.findall(r"^### (OWF\d{3})", (REPO / "docs/validation.md").read_text(), re.M)
    )
    assert len(documented) >= 40
    covered = {p.stem[:6].upper() for p in INVALID if p.stem.startswith("owf")}
    assert documented - covered == set()
    assert covered - documented == set(), "a corpus file names an undocumented code"
