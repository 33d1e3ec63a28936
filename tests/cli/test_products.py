"""`product import|list|stock` and `db upgrade` through the CLI, on real SQLite files."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from orderwf.cli.app import get_app

WOO_DIR = Path(__file__).parent.parent / "data" / "woocommerce"
Run = Callable[..., Result]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """Run `orderwf --db <a SQLite file in tmp_path> ARGS…` with the packaged workflow."""
    monkeypatch.chdir(tmp_path)
    for name in ("ORDERWF_DB", "ORDERWF_WORKFLOW"):
        monkeypatch.delenv(name, raising=False)
    url = f"sqlite:///{tmp_path / 'shop.db'}"

    def run(*args: str, db: str = url) -> Result:
        return CliRunner().invoke(get_app(), ["--db", db, *args], catch_exceptions=False)

    return run


def _products(run: Run) -> list[dict[str, object]]:
    result = run("product", "list", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _stocked(tmp_path: Path) -> Path:
    path = tmp_path / "shirts.json"
    path.write_text(
        json.dumps(
            [
                {"id": 11, "sku": "TS", "name": "T-Shirt", "price": "12.5",
                 "manage_stock": True, "stock_quantity": 7},
                {"id": 12, "sku": "MUG", "name": "Mug", "price": "8.00"},
            ]
        )
    )  # fmt: skip
    return path


def test_import_then_list_as_json(run: Run, tmp_path: Path) -> None:
    result = run("product", "import", str(WOO_DIR / "products-list.json"))
    assert result.exit_code == 0, result.output
    assert result.stdout == "Imported 2 products: #799, #794.\n"

    assert _products(run) == [
        {"id": 794, "sku": "", "name": "Premium Quality", "price": "21.99",
         "manage_stock": False, "stock_quantity": None},
        {"id": 799, "sku": "", "name": "Ship Your Idea", "price": "0.00",
         "manage_stock": False, "stock_quantity": None},
    ]  # fmt: skip


def test_list_as_a_table(run: Run, tmp_path: Path) -> None:
    run("product", "import", str(_stocked(tmp_path)))
    result = run("product", "list")
    assert result.exit_code == 0
    assert "T-Shirt" in result.stdout
    assert "12.50 EUR" in result.stdout
    assert "not managed" in result.stdout


def test_a_duplicate_import_is_refused_and_changes_nothing(run: Run, tmp_path: Path) -> None:
    run("product", "import", str(WOO_DIR / "product.json"))
    before = _products(run)

    result = run("product", "import", str(WOO_DIR / "products-list.json"))

    assert result.exit_code == 1
    assert result.stderr == (
        "error: product #794 already exists; nothing was imported (use --update to replace)\n"
    )
    assert _products(run) == before


def test_update_replaces_products(run: Run, tmp_path: Path) -> None:
    run("product", "import", str(WOO_DIR / "product.json"))
    result = run("product", "import", "--update", str(WOO_DIR / "products-list.json"))
    assert result.exit_code == 0, result.output
    assert [p["id"] for p in _products(run)] == [794, 799]


def test_bad_json_is_a_usage_error(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[{")
    result = run("product", "import", str(bad))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {bad} is not valid JSON: ")
    assert not (tmp_path / "shop.db").exists()  # the file is checked before the database


def test_stock_sets_a_level(run: Run, tmp_path: Path) -> None:
    run("product", "import", str(_stocked(tmp_path)))

    result = run("product", "stock", "TS", "3")
    assert result.exit_code == 0, result.output
    assert result.stdout == "T-Shirt (TS): stock 7 → 3.\n"
    result = run("product", "stock", "MUG", "5")
    assert result.stdout == "Mug (MUG): stock not managed → 5.\n"

    assert [(p["sku"], p["manage_stock"], p["stock_quantity"]) for p in _products(run)] == [
        ("TS", True, 3),
        ("MUG", True, 5),
    ]


def test_stock_takes_a_negative_level_as_a_value(run: Run, tmp_path: Path) -> None:
    run("product", "import", str(_stocked(tmp_path)))

    result = run("product", "stock", "TS", "-3")  # a backorder, not an option

    assert result.exit_code == 0, result.output
    assert result.stdout == "T-Shirt (TS): stock 7 → -3.\n"
    result = run("product", "stock", "TS", "--three")
    assert result.exit_code == 2
    assert result.stderr == "error: stock level '--three' is not a whole number\n"
    result = run("product", "stock", "--force", "5")
    assert (result.exit_code, result.stderr) == (
        2,
        "error: no such option: --force (see 'orderwf product stock --help')\n",
    )
    assert [p["stock_quantity"] for p in _products(run) if p["sku"] == "TS"] == [-3]


def test_stock_of_an_unknown_sku_is_refused(run: Run, tmp_path: Path) -> None:
    run("product", "import", str(_stocked(tmp_path)))
    before = _products(run)

    result = run("product", "stock", "NOPE", "3")

    assert result.exit_code == 1
    assert result.stderr == "error: no product has SKU 'NOPE'\n"
    assert _products(run) == before
    by_id = run("product", "stock", "11", "3")  # an id without its `#`
    assert by_id.exit_code == 1
    assert by_id.stderr == (
        "error: no product has SKU '11' (for the product with id 11, write #11)\n"
    )
    assert _products(run) == before


def test_db_upgrade(run: Run, tmp_path: Path) -> None:
    first = run("db", "upgrade")
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith("Database schema upgraded from empty to ")
    again = run("db", "upgrade")
    assert again.stdout.startswith("The database is already at the newest schema")


def test_a_file_that_is_not_a_database_is_refused(run: Run, tmp_path: Path) -> None:
    not_db = tmp_path / "notes.txt"
    shutil.copy(WOO_DIR / "README.md", not_db)

    result = run("product", "list", db=f"sqlite:///{not_db}")

    assert result.exit_code == 1
    assert result.stderr == (
        f"error: cannot open the database sqlite:///{not_db}: file is not a database\n"
    )
