"""A customer address is exactly one email address: `order create` and `order import` refuse
anything else with one sentence, and store nothing (issue 11 §2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shop import STOCKED_PRODUCTS, WOO_DIR, Shop

ATTACK = "victim@example.com>, attacker@evil.example, <x"


@pytest.mark.parametrize(
    ("email", "why"),
    [
        (ATTACK, "it has a space, a control character or one of < > , ; ( ) \\"),
        ("john", "it is not a single local@domain address"),
        ("john@localhost", "its domain is not a name such as example.com"),
    ],
)
def test_order_create_refuses_anything_but_one_address(shop: Shop, email: str, why: str) -> None:
    shop.ok("product", "import", str(shop.write_json("products.json", STOCKED_PRODUCTS)))

    result = shop.run("order", "create", "--email", email, "--line", "WS1=1")

    assert result.exit_code == 2
    assert result.stderr == (
        f"error: --email {email!r} is not one email address ({why}): expected e.g. "
        "jane@example.com\n"
    )
    assert shop.json("order", "list") == []


def test_order_create_keeps_a_non_ascii_address(shop: Shop) -> None:
    shop.ok("product", "import", str(shop.write_json("products.json", STOCKED_PRODUCTS)))

    shop.ok("order", "create", "--email", "jöhn@example.com", "--line", "WS1=1")

    assert [o["email"] for o in shop.json("order", "list")] == ["jöhn@example.com"]


def test_order_import_refuses_a_billing_email_that_is_not_one_address(
    shop: Shop, tmp_path: Path
) -> None:
    order = json.loads((WOO_DIR / "order-727.json").read_text())
    order["billing"]["email"] = ATTACK
    path = tmp_path / "order.json"
    path.write_text(json.dumps(order))

    result = shop.run("order", "import", str(path))

    assert result.exit_code == 2
    assert result.stderr == (
        f"error: order #727 has billing email {ATTACK!r}, which is not one email address (it "
        "has a space, a control character or one of < > , ; ( ) \\): expected e.g. "
        "jane@example.com, or none\n"
    )
    assert not shop.db_path.exists()  # the file is checked before the database is opened
