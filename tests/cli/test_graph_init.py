from __future__ import annotations

from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion
from typer.testing import CliRunner

from orderwf.cli.app import get_app

REPO = Path(__file__).resolve().parents[2]
MINIMAL = REPO / "tests/data/workflows/valid/minimal.yaml"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(get_app(), list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("fmt", ["mermaid", "dot"])
def test_graph_of_the_default_workflow(fmt: str, snapshot: SnapshotAssertion) -> None:
    code, out, _ = run(
        "--workflow", str(REPO / "workflows/woocommerce.yaml"), "graph", "--format", fmt
    )
    assert code == 0
    assert out == snapshot


def test_from_any_is_drawn_once() -> None:
    _, out, _ = run("--workflow", str(REPO / "workflows/woocommerce.yaml"), "graph")
    assert out.count("add_note") == 1
    assert out.count("ANY") == 1  # a note, not an edge from every status


def test_graph_of_a_minimal_workflow(snapshot: SnapshotAssertion) -> None:
    code, out, _ = run("--workflow", str(MINIMAL), "graph")
    assert code == 0
    assert out == snapshot


def test_graph_refuses_an_invalid_workflow() -> None:
    bad = REPO / "tests/data/workflows/invalid/owf104_unknown_to.yaml"
    code, out, err = run("--workflow", str(bad), "graph")
    assert (code, out) == (1, "")
    assert err.startswith("error: workflow ")
    assert "is invalid (1 error)" in err
    assert "error[OWF104] action 'ship' goes to unknown status 'dne'" in err


def test_init_writes_a_starter_that_validates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = tmp_path / "my-shop"
    code, out, _ = run("init", str(shop))
    assert code == 0
    assert out.startswith("wrote ")
    assert (shop / "workflows/shop.yaml").read_text().count("name: shop\n") == 1
    assert (shop / "templates/emails/new_order.html.j2").is_file()
    assert (shop / "schemas/workflow.schema.json").is_file()
    assert (shop / "README.md").read_text().startswith("# my-shop\n")
    monkeypatch.chdir(shop)
    code, out, err = run("validate")
    assert (code, out, err) == (0, "", "1 file checked: no problems found\n")
    code, out, _ = run("--workflow", "workflows/shop.yaml", "graph")
    assert code == 0


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("mine\n")
    code, out, err = run("init", str(tmp_path))
    assert code == 2
    assert "already exist" in err
    assert "nothing was written" in err
    assert (tmp_path / "README.md").read_text() == "mine\n"
    assert not (tmp_path / "workflows").exists()


def test_init_refuses_a_file_where_the_folder_should_be(tmp_path: Path) -> None:
    target = tmp_path / "shop"
    target.write_text("not a folder\n")
    code, out, err = run("init", str(target))
    assert (code, out) == (2, "")
    assert err == f"error: {target} is a file, not a folder; nothing was written\n"
    assert target.read_text() == "not a folder\n"
