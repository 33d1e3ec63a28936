"""The shop folder (SPEC §8): `orderwf init` writes it, and from inside it (or a subfolder)
every command uses its `orderwf.toml`, its database and its workflows with no option."""

from __future__ import annotations

import json
import sqlite3
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from shop import STOCKED_PRODUCTS, WOO_DIR, ok, run


def seed(folder: Path) -> None:
    products = folder / "products.json"
    products.write_text(json.dumps(STOCKED_PRODUCTS), encoding="utf-8")
    ok("product", "import", str(products))
    ok("order", "import", str(WOO_DIR / "orders-list.json"))


def stamped(db: Path) -> dict[int, str]:
    conn = sqlite3.connect(db)
    try:
        return dict(conn.execute("SELECT id, workflow FROM orders ORDER BY id").fetchall())
    finally:
        conn.close()


def test_init_writes_the_shop_folder(folder: Path) -> None:
    settings = tomllib.loads((folder / "orderwf.toml").read_text())
    assert settings["shop"] == {
        "database": "sqlite:///orderwf.db",
        "workflows": "workflows",
        "default": "shop",
        "scenarios": "scenarios",
    }
    hooks = yaml.safe_load((folder / ".pre-commit-config.yaml").read_text())["repos"][0]
    assert hooks["repo"] == "local"
    assert [h["entry"] for h in hooks["hooks"]] == ["orderwf validate", "orderwf test"]
    scenarios = sorted((folder / "scenarios").glob("*.yaml"))
    assert [p.name for p in scenarios] == ["ship-then-refund.yaml"]
    scenario: dict[str, Any] = yaml.safe_load(scenarios[0].read_text())
    assert scenario["workflow"] == "shop"
    assert scenario["steps"][0] == {
        "apply": "pay",
        "expect": {
            "status": "processing",
            "stock": {"TS": 3},
            "emails": ["new_order", "customer_processing_order"],
        },
    }
    readme = (folder / "README.md").read_text()
    assert readme.startswith("# myshop\n")
    assert "orderwf.toml" in readme
    result = ok("validate")
    assert result.stderr == "1 file checked: no problems found\n"


def test_every_command_uses_the_shop_folder_from_a_subfolder(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = folder / "exports" / "2026"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    seed(folder)
    ok("order", "create", "--email", "ada@example.com", "--line", "WS1=1")
    assert not (sub / "orderwf.db").exists()
    assert stamped(folder / "orderwf.db") == {723: "shop", 727: "shop", 728: "shop"}
    ok("apply", "727", "complete")
    assert json.loads(ok("order", "show", "727", "--json").stdout)["status"] == "completed"
    assert ok("validate").stderr == "1 file checked: no problems found\n"


def test_a_command_outside_a_shop_folder_is_unchanged(tmp_path: Path, folder: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(outside)
        ok("order", "import", str(WOO_DIR / "orders-list.json"))
        assert stamped(outside / "orderwf.db") == {723: "woocommerce", 727: "woocommerce"}
    assert not (folder / "orderwf.db").exists()


def test_settings_are_option_then_environment_then_file_then_default(
    tmp_path: Path, folder: Path
) -> None:
    toml = folder / "orderwf.toml"
    toml.write_text(toml.read_text().replace("sqlite:///orderwf.db", "sqlite:///data/file.db"))
    (folder / "data").mkdir()
    env_db, option_db = tmp_path / "env.db", tmp_path / "option.db"
    env = {"ORDERWF_DB": f"sqlite:///{env_db}"}
    ok("--db", f"sqlite:///{option_db}", "db", "upgrade", env=env)
    assert option_db.exists()
    assert not env_db.exists()
    ok("db", "upgrade", env=env)
    assert env_db.exists()
    assert not (folder / "data/file.db").exists()
    ok("db", "upgrade")
    assert (folder / "data/file.db").exists()
    toml.write_text(toml.read_text().replace('database  = "sqlite:///data/file.db"', ""))
    ok("db", "upgrade")
    assert (folder / "orderwf.db").exists()  # the built-in default, in the current folder


@pytest.mark.parametrize("how", ["option", "env"])
def test_project_named_from_elsewhere(tmp_path: Path, folder: Path, how: str) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(outside)
        args = ["--project", str(folder)] if how == "option" else []
        env = {"ORDERWF_PROJECT": str(folder / "orderwf.toml")} if how == "env" else None
        ok(*args, "order", "import", str(WOO_DIR / "orders-list.json"), env=env)
    assert stamped(folder / "orderwf.db") == {723: "shop", 727: "shop"}
    assert not (outside / "orderwf.db").exists()


def test_a_project_that_does_not_exist_is_a_usage_error(tmp_path: Path) -> None:
    result = run("--project", str(tmp_path / "nope"), "order", "list")
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: project {tmp_path / 'nope'} does not exist (expected an orderwf.toml file "
        "or a folder holding one)\n"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[shop]\ndatabase = "sqlite:///x.db"\nworkflows = workflows\n',
            "orderwf.toml:3:13: invalid value (this is not valid TOML)",
        ),
        (
            '[shop]\ndatabase = "sqlite:///x.db"\nworkflows = [\n',
            "orderwf.toml:3:14: invalid value (this is not valid TOML)",
        ),
        (
            '[shop]\ndefault = "shop"\ndatabse = "sqlite:///x.db"\n',
            "orderwf.toml:3: unknown key 'databse' in [shop] (expected database, workflows, "
            "default, scenarios, smtp)",
        ),
        (
            '[shop]\n\n[[route]]\nworkflow = "digital"\nwhen = "true"\n',
            "orderwf.toml:3: [[route]] number 1 has an unknown key 'when' (expected workflow, if)",
        ),
        ("[shop]\ndefault = 3\n", "orderwf.toml:2: [shop] default should be a string, not 3"),
        ('[shops]\ndefault = "shop"\n', "orderwf.toml:1: unknown key 'shops' (expected the "
         "tables [shop] and [[route]])"),
    ],
)  # fmt: skip
def test_a_malformed_project_file_names_file_and_line(
    folder: Path, text: str, expected: str
) -> None:
    (folder / "orderwf.toml").write_text(text)
    before = sorted(p.name for p in folder.iterdir())
    result = run("order", "list")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"error: {folder / expected}\n"
    assert sorted(p.name for p in folder.iterdir()) == before  # no database created


def test_an_order_whose_workflow_has_no_file_is_refused(folder: Path) -> None:
    seed(folder)
    shop = folder / "workflows/shop.yaml"
    shop.write_text(shop.read_text().replace("name: shop\n", "name: boutique\n"))
    toml = folder / "orderwf.toml"
    toml.write_text(toml.read_text().replace('"shop"', '"boutique"'))
    result = run("apply", "727", "complete")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: order #727 uses workflow 'shop', which no file in workflows declares (its "
        "workflows: boutique); restore the file or run `orderwf validate --live`\n"
    )
    assert json.loads(ok("order", "show", "727", "--json").stdout)["status"] == "processing"


def test_an_unknown_workflow_name_lists_the_known_ones(folder: Path) -> None:
    result = run("--workflow", "digital", "order", "import", str(WOO_DIR / "orders-list.json"))
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --workflow 'digital' is not a workflow of workflows (its workflows: shop)\n"
    )
    assert not (folder / "orderwf.db").exists()


def test_demo_in_a_shop_folder_runs_the_shops_workflow(folder: Path) -> None:
    out = ok("demo").stdout
    assert "orderwf demo — workflow 'shop'" in out
    assert "This ran your shop's default workflow; `orderwf info` shows" in out
    assert not (folder / "orderwf.db").exists()  # the demo's database is its own


def test_init_in_another_language_writes_the_same_shop_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = tmp_path / "boutique"
    ok("init", str(shop), "--locale", "fr_FR")
    assert tomllib.loads((shop / "orderwf.toml").read_text())["shop"]["default"] == "shop"
    assert (shop / "scenarios/ship-then-refund.yaml").is_file()
    assert (shop / ".pre-commit-config.yaml").is_file()
    monkeypatch.chdir(shop)
    assert ok("validate").stderr == "1 file checked: no problems found\n"
    ok("order", "import", str(WOO_DIR / "orders-list.json"))
    listed = json.loads(ok("order", "list", "--status", "en cours", "--json").stdout)
    assert [(o["id"], o["status_label"]) for o in listed] == [(727, "En cours")]
