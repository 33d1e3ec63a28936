from __future__ import annotations

from pathlib import Path

import pytest

from orderwf import resources

REPO = Path(__file__).resolve().parents[3]


def test_checkout_layout() -> None:
    assert resources.schema_path() == REPO / "schemas/workflow.schema.json"
    assert resources.default_workflow_path() == REPO / "workflows/woocommerce.yaml"
    assert resources.templates_dir() == REPO / "templates/emails"
    assert resources.templates_dir().is_dir()


def test_wheel_layout_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "orderwf" / "data"
    (data / "schemas").mkdir(parents=True)
    (data / "schemas/workflow.schema.json").write_text("{}")
    monkeypatch.setattr(resources, "_WHEEL_DATA", data)
    assert resources.schema_path() == data / "schemas/workflow.schema.json"
    assert resources.default_workflow_path() == data / "workflows/woocommerce.yaml"
    assert resources.templates_dir() == data / "templates/emails"
