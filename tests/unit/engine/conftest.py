"""Fixtures of the pure-engine tests: the default workflow, loaded once, and small workflows
written to a temporary folder. No database anywhere below this folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from orderwf.workflow.loader import load_workflow
from orderwf.workflow.model import Workflow

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = ROOT / "templates" / "emails"


@pytest.fixture(scope="session")
def workflow() -> Workflow:
    """The default workflow. Loaded without the validation cache: a session fixture starts
    before the per-test cache folder exists, and no test may write to the real home."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ORDERWF_NO_CACHE", "1")
        return load_workflow(ROOT / "workflows" / "woocommerce.yaml")


@pytest.fixture
def write_workflow(tmp_path: Path) -> Callable[[str], Workflow]:
    """Write a workflow's YAML text to tmp_path and load it (`{templates}` is the default
    workflow's email folder)."""

    def write(text: str) -> Workflow:
        path = tmp_path / "workflow.yaml"
        path.write_text(text.replace("{templates}", str(TEMPLATES)), encoding="utf-8")
        return load_workflow(path)

    return write
