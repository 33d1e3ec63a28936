"""The bulk benchmark's floor writes `customer_processing_order` by hand (`bench/floor_email.py`)
and is measured against orderwf as doing the same work: it must write the same bytes as the
shipped templates. `bench/bulk.py` compares the two outboxes after each run on the bench's
orders; this holds it on the sample order (a refund, a fee, tracking, a checkout note), which
the bench's orders lack, so that a change to the shipped templates shows here first."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]


def _floor_email() -> ModuleType:
    spec = importlib.util.spec_from_file_location("floor_email", REPO / "bench" / "floor_email.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_floor_writes_the_shipped_templates_bytes(capsys: pytest.CaptureFixture[str]) -> None:
    assert _floor_email().check() == 0, capsys.readouterr().out
    assert capsys.readouterr().out.strip() == "the same bytes as orderwf's"


def test_the_floor_check_sees_a_difference(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    floor = _floor_email()
    monkeypatch.setattr(floor, "escape", str)  # no escaping: the HTML part differs
    assert floor.check() == 1
    assert "customer_processing_order.html.j2: differs" in capsys.readouterr().out
