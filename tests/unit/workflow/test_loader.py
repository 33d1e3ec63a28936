from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from orderwf import resources
from orderwf.errors import UsageError, WorkflowError
from orderwf.workflow import loader

REPO = Path(__file__).resolve().parents[3]
CORPUS = REPO / "tests/data/workflows"


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A copy of the minimal workflow with its templates, to edit freely."""
    shutil.copytree(CORPUS / "templates", tmp_path / "templates")
    (tmp_path / "wf").mkdir()
    path = tmp_path / "wf" / "shop.yaml"
    shutil.copy(CORPUS / "valid/minimal.yaml", path)
    return path


def test_load_workflow_builds_the_model(shop: Path) -> None:
    workflow = loader.load_workflow(shop)
    assert workflow.name == "minimal"
    assert workflow.initial == "new"
    assert workflow.path == shop
    assert len(workflow.content_hash) == 64
    assert workflow.emails["hello"].text is not None


def test_load_workflow_refuses_an_invalid_file_with_its_findings(shop: Path) -> None:
    shop.write_text(shop.read_text().replace("initial: new", "initial: neww"))
    with pytest.raises(WorkflowError) as caught:
        loader.load_workflow(shop)
    assert [f.code for f in caught.value.findings] == ["OWF101"]  # type: ignore[attr-defined]
    assert "is invalid (1 error)" in caught.value.message
    assert len(caught.value.reasons) == 2


def test_load_workflow_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        loader.load_workflow(tmp_path / "nope.yaml")


def test_default_is_the_local_file_else_the_packaged_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert loader.default_workflow_path() == resources.default_workflow_path()
    (tmp_path / "workflows").mkdir()
    (tmp_path / "workflows/woocommerce.yaml").write_text("x: 1\n")
    assert loader.default_workflow_path() == Path("workflows/woocommerce.yaml")


def test_packaged_default_loads_from_anywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    workflow = loader.load_workflow()
    assert workflow.name == "woocommerce"
    assert len(workflow.statuses) == 7


def test_a_clean_file_is_remembered_and_skips_the_checks(
    shop: Path, isolated_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = loader.check_file(shop)
    assert first.ok
    assert list((isolated_cache / "validated").iterdir())

    def boom(*args: object) -> None:
        raise AssertionError("the checks ran again")

    monkeypatch.setattr(loader, "_check", boom)
    assert loader.check_file(shop).findings == []
    assert loader.load_workflow(shop).name == "minimal"


def test_the_cache_keeps_warnings(shop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shop.write_text(shop.read_text().replace("  done:", "  lost: {label: Lost}\n  done:"))
    first = loader.check_file(shop).findings
    assert [f.code for f in first] == ["OWF202"]
    monkeypatch.setattr(loader, "_check", lambda *a: pytest.fail("checks ran"))
    assert loader.check_file(shop).findings == first


def test_a_changed_template_invalidates_the_cache(shop: Path) -> None:
    assert loader.check_file(shop).ok
    (shop.parent.parent / "templates/hello.txt.j2").write_text("{{ order.nope }}\n")
    assert [f.code for f in loader.check_file(shop).findings] == ["OWF505"]


def test_an_invalid_file_is_not_remembered(shop: Path, isolated_cache: Path) -> None:
    shop.write_text(shop.read_text().replace("to: done", "to: dne"))
    assert not loader.check_file(shop).ok
    assert not (isolated_cache / "validated").exists()


def test_no_cache_env(shop: Path, isolated_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERWF_NO_CACHE", "1")
    assert loader.check_file(shop).ok
    assert not (isolated_cache / "validated").exists()


def test_cache_dir_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ORDERWF_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert resources.cache_dir() == tmp_path / "orderwf"


def test_folders_hold_workflows_and_skip_other_yaml(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("orderwf: 1\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub/b.yml").write_text("# yaml-language-server: $schema=workflow.schema.json\n")
    (tmp_path / "ci.yml").write_text("on: push\njobs: {}\n")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden/c.yaml").write_text("orderwf: 1\n")
    (tmp_path / "notes.txt").write_text("orderwf: 1\n")
    assert loader.workflow_files([tmp_path]) == [tmp_path / "a.yaml", tmp_path / "sub/b.yml"]
    assert loader.workflow_files([tmp_path / "ci.yml"]) == [tmp_path / "ci.yml"]


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        loader.workflow_files([tmp_path / "nope"])
    assert caught.value.message == f"path {tmp_path / 'nope'} does not exist"


def test_validating_a_cached_file_does_not_import_jsonschema(shop: Path) -> None:
    """The first run checks the schema; the second finds the file in the cache and skips the
    stage. (Neither imports jsonschema: valid data is decided without it, `schema.valid`.)"""
    import subprocess

    code = (
        "import sys; from pathlib import Path; from orderwf.workflow import loader, schema; "
        "ran = []; real = schema.check; "
        "schema.check = lambda *a, **k: ran.append(1) or real(*a, **k); "
        f"assert loader.check_file(Path({str(shop)!r})).ok; "
        "print(bool(ran), 'jsonschema' in sys.modules)"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    ]
    assert runs == ["True False", "False False"]


def _count_builds(monkeypatch: pytest.MonkeyPatch) -> list[Path | None]:
    from orderwf.workflow import build

    built: list[Path | None] = []
    real = build.build

    def counted(*args: Any, **kwargs: Any) -> Any:
        built.append(kwargs.get("path"))
        return real(*args, **kwargs)

    monkeypatch.setattr(build, "build", counted)
    return built


def test_a_file_is_built_once_and_the_checks_ran_on_that_model(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that is not in the cache yet: its model is built once, the checks run on it, and
    `load_workflow` returns that same model."""
    built = _count_builds(monkeypatch)
    checked = loader.check_file(shop)
    assert checked.ok
    assert built == [shop]
    assert checked.workflow is not None
    assert checked.workflow.name == "minimal"
    built.clear()
    monkeypatch.setattr(loader, "check_file", lambda path, **_: checked)
    assert loader.load_workflow(shop) is checked.workflow
    assert built == []


def test_a_file_the_schema_rejects_is_never_built(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checks run on the model, which only a schema-valid file has: a file the schema
    rejects reports the schema's findings alone."""
    built = _count_builds(monkeypatch)
    shop.write_text(shop.read_text().replace("initial: new", "initial: [new]"))
    checked = loader.check_file(shop, use_cache=False)
    assert {f.code for f in checked.findings} == {"OWF012"}
    assert built == []
    assert checked.workflow is None
