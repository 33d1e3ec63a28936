"""Several workflows in one shop folder (SPEC §8): each order handled by the workflow it
recorded, new ones routed by `[[route]]`, bulk apply and tick across workflows, `info`, and
the folder's own validation findings (OWF601–OWF605)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shop import REPO, ok, order, run, woo_order

ROUTE_IF = "order.lines | rejectattr('virtual') | list | length == 0"
ROUTE = f"""
[[route]]
workflow = "digital"
if = "{ROUTE_IF}"
"""

PRODUCTS = [
    {"id": 93, "sku": "WS1", "name": "T-shirt", "price": "10.00", "manage_stock": True,
     "stock_quantity": 10},
    {"id": 500, "sku": "EBOOK", "name": "E-book", "price": "5.00", "virtual": True,
     "downloadable": True},
]  # fmt: skip


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An `orderwf init` folder with a second workflow, `digital`, and a route to it for
    orders of virtual products only."""
    for name in ("ORDERWF_DB", "ORDERWF_WORKFLOW", "ORDERWF_ACTOR", "ORDERWF_SMTP_URL"):
        monkeypatch.delenv(name, raising=False)
    shop = tmp_path / "shop"
    ok("init", str(shop))
    digital = (REPO / "workflows/examples/digital.yaml").read_text()
    (shop / "workflows/digital.yaml").write_text(
        digital.replace("../../templates/emails", "../templates/emails")
    )
    with (shop / "orderwf.toml").open("a") as f:
        f.write(ROUTE)
    monkeypatch.chdir(shop)
    (shop / "products.json").write_text(json.dumps(PRODUCTS))
    ok("product", "import", "products.json")
    return shop


def write(folder: Path, name: str, data: Any) -> str:
    (folder / name).write_text(json.dumps(data))
    return name


def test_routes_pick_the_workflow_of_imported_and_created_orders(folder: Path) -> None:
    orders = [
        woo_order(1, (500, 1, "5.00")),  # virtual only: digital
        woo_order(2, (500, 1, "5.00"), (93, 1, "10.00")),  # mixed: shop
        woo_order(3, (93, 2, "20.00")),
    ]
    ok("order", "import", write(folder, "orders.json", orders))
    assert [order(i)["workflow"] for i in (1, 2, 3)] == ["digital", "shop", "shop"]
    ok("order", "create", "--email", "a@example.com", "--line", "EBOOK=1")
    ok("order", "create", "--email", "a@example.com", "--line", "WS1=1")
    assert [order(i)["workflow"] for i in (4, 5)] == ["digital", "shop"]
    ok("--workflow", "shop", "order", "create", "--email", "a@example.com", "--line", "EBOOK=1")
    assert order(6)["workflow"] == "shop"  # --workflow NAME wins over the routes
    digital = str(folder / "workflows/digital.yaml")
    ok("--workflow", digital, "order", "create", "--email", "a@example.com", "--line", "WS1=1")
    assert order(7)["workflow"] == "digital"  # and so does a path


def test_each_order_is_handled_by_its_own_workflow(folder: Path) -> None:
    orders = [
        woo_order(1, (500, 1, "5.00")),
        woo_order(3, (93, 2, "20.00")),
    ]
    ok("order", "import", write(folder, "orders.json", orders))
    ok("apply", "1", "pay")
    ok("apply", "3", "pay")
    # digital has no processing step: a paid order is completed at once.
    assert (order(1)["status"], order(3)["status"]) == ("completed", "processing")
    refused = run("apply", "1", "hold")  # `hold` is shop's, not digital's
    assert refused.exit_code == 1
    assert "unknown action 'hold' in workflow 'digital'" in refused.stderr
    listed = json.loads(ok("order", "list", "--json").stdout)
    assert {r["id"]: r["status_label"] for r in listed} == {1: "Completed", 3: "Processing"}


def test_bulk_apply_and_tick_run_orders_of_several_workflows(folder: Path) -> None:
    orders = [
        woo_order(1, (500, 1, "5.00"), via="checkout"),
        woo_order(2, (500, 1, "5.00"), via="checkout"),
        woo_order(3, (93, 2, "20.00"), via="checkout"),
        woo_order(4, (93, 1, "10.00"), via="checkout"),
    ]
    ok("order", "import", write(folder, "orders.json", orders))
    result = ok("apply", "--ids", "1,3", "pay", "--json")
    assert json.loads(result.stdout) == {"action": "pay", "applied": 2, "refused": [], "busy": []}
    assert [order(i)["status"] for i in (1, 3)] == ["completed", "processing"]
    ticked = json.loads(ok("tick", "--now", "2026-11-21T00:00:00", "--json").stdout)
    assert ticked == {"cancel_unpaid": {"applied": 2, "refused": [], "busy": []}}
    assert [order(i)["status"] for i in (2, 4)] == ["cancelled", "cancelled"]
    result = ok("apply", "--status", "cancelled", "pay", "--json")
    assert json.loads(result.stdout) == {"action": "pay", "applied": 2, "refused": [], "busy": []}
    assert [order(i)["status"] for i in (2, 4)] == ["completed", "processing"]
    # An action one workflow lacks refuses that workflow's orders only.
    result = run("apply", "--ids", "2,4", "hold", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "action": "hold",
        "applied": 1,
        "refused": [{"id": 2, "reasons": ["workflow 'digital' has no action 'hold'"]}],
        "busy": [],
    }


def test_a_param_one_workflow_takes_refuses_only_the_others_orders(folder: Path) -> None:
    # `digital`'s `pay` takes a `note`, `shop`'s none: not refused up front (as a param no
    # workflow's action takes is), but order by order.
    digital = folder / "workflows/digital.yaml"
    pay = "    to: completed\n  fail:"
    text = digital.read_text()
    assert pay in text
    digital.write_text(
        text.replace(pay, "    to: completed\n    params: {note: {type: string}}\n  fail:")
    )
    orders = [woo_order(1, (500, 1, "5.00")), woo_order(3, (93, 2, "20.00"))]
    ok("order", "import", write(folder, "orders.json", orders))
    result = run("apply", "--status", "pending", "pay", "-p", "note=hi", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "action": "pay",
        "applied": 1,
        "refused": [
            {"id": 3, "reasons": ["unknown param 'note' for action 'pay' (it takes no params)"]}
        ],
        "busy": [],
    }
    assert [order(i)["status"] for i in (1, 3)] == ["completed", "pending"]
    refused = run("apply", "--status", "pending", "pay", "-p", "nope=1")
    assert refused.exit_code == 1
    assert refused.stderr.startswith("error: unknown param 'nope' for action 'pay'")
    assert order(3)["status"] == "pending"


def test_info_says_what_a_command_here_uses(folder: Path) -> None:
    ok("order", "import", write(folder, "o.json", [woo_order(1, (500, 1, "5"))]))
    data = json.loads(ok("info", "--json").stdout)
    hashes = {w["name"]: w.pop("hash") for w in data["workflows"]}
    assert all(len(h) == 64 for h in hashes.values())
    assert data == {
        "project": str(folder / "orderwf.toml"),
        "database": f"sqlite:///{folder / 'orderwf.db'}",
        "workflows": [
            {"name": "digital", "path": "workflows/digital.yaml", "orders": 1},
            {"name": "shop", "path": "workflows/shop.yaml", "orders": 0},
        ],
        "default": "shop",
        "routes": [{"workflow": "digital", "if": ROUTE_IF}],
        "smtp": "smtp://localhost:25",
        "scenarios": "scenarios",
        "database_exists": True,
    }
    toml = folder / "orderwf.toml"
    toml.write_text(
        toml.read_text().replace('# smtp    = "smtp://localhost:1025"', 'smtp = "smtp://u:pw@h:25"')
    )
    text = ok("info").stdout
    assert "smtp       smtp://u:***@h:25\n" in text
    assert "  digital  " in text


def test_info_in_a_fresh_folder_says_the_database_is_not_created_and_creates_none(
    folder: Path,
) -> None:
    """A folder fresh from `init` has no database: `info` still shows what a command here
    would use, says the database does not exist yet, and creates nothing (SPEC §4)."""
    (folder / "orderwf.db").unlink()
    for extra in folder.glob("orderwf.db-*"):
        extra.unlink()
    data = json.loads(ok("info", "--json").stdout)
    assert data["database_exists"] is False
    assert [w["orders"] for w in data["workflows"]] == [0, 0]
    text = ok("info").stdout
    assert (
        f"database   sqlite:///{folder / 'orderwf.db'} "
        "(not created yet: the first command that writes does)\n" in text
    )
    assert not (folder / "orderwf.db").exists()
    result = run("order", "list")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: there is no database at {folder / 'orderwf.db'}:")
    assert not (folder / "orderwf.db").exists()


def _validate(folder: Path) -> tuple[int, str]:
    result = run("validate")
    return result.exit_code, result.stdout


def test_validate_reports_two_files_with_one_name(folder: Path) -> None:
    shop = (folder / "workflows/shop.yaml").read_text()
    (folder / "workflows/copy.yaml").write_text(shop)
    code, out = _validate(folder)
    assert code == 1
    line = shop.splitlines().index("name: shop") + 1
    assert out == (
        f"workflows/shop.yaml:{line}:7: error[OWF601] workflow name 'shop' is already declared "
        "by workflows/copy.yaml\n  hint: each workflow of the folder needs its own name\n"
    )
    result = run("order", "create", "--email", "a@example.com", "--line", "WS1=1")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: workflow name 'shop' is declared by two files, workflows/copy.yaml and "
        "workflows/shop.yaml; see `orderwf validate`\n"
    )


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ('default   = "shop"', 'default   = "boutique"'),
            "orderwf.toml:5:1: error[OWF602] default workflow 'boutique' is not declared by any "
            "file in workflows (its workflows: digital, shop)\n",
        ),
        (
            ('workflow = "digital"', 'workflow = "digitale"'),
            "orderwf.toml:14:1: error[OWF603] route workflow 'digitale' is not declared by any "
            "file in workflows (its workflows: digital, shop)\n",
        ),
        (
            ("length == 0", "length =="),
            'orderwf.toml:14:1: error[OWF604] route if does not compile: expression "order.lines'
            " | rejectattr('virtual') | list | length ==\": syntax error: unexpected 'end of "
            "template'\n",
        ),
        (
            ("length == 0", "length == params.n"),
            "orderwf.toml:14:1: error[OWF604] route if \"order.lines | rejectattr('virtual') | "
            "list | length == params.n\" reads 'params'; a route sees only actor, now, order, "
            "shop\n",
        ),
        (
            ('default   = "shop"', ""),
            "orderwf.toml:1:1: error[OWF605] 2 workflows and no default: a new order no route "
            'picks has none\n  hint: add default = "NAME" to [shop]\n',
        ),
    ],
    ids=["default", "route-workflow", "route-syntax", "route-names", "no-default"],
)
def test_validate_checks_default_and_routes(
    folder: Path, edit: tuple[str, str], expected: str
) -> None:
    toml = folder / "orderwf.toml"
    text = toml.read_text()
    assert edit[0] in text
    toml.write_text(text.replace(*edit))
    assert _validate(folder) == (1, expected)
