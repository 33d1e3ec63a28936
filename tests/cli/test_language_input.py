"""What operators of a shop in another language type (SPEC §11): a status by its label, with or
without case and accents, as well as by its id; amounts with a dot, a comma refused with the
fix. On the French example workflow and a real SQLite file seeded with the WooCommerce example
orders (727 processing, 723 completed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from shop import REPO, Shop

FRENCH = REPO / "workflows" / "examples" / "french.yaml"


@pytest.fixture
def boutique(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Shop:
    monkeypatch.chdir(tmp_path)
    return Shop(tmp_path, FRENCH).seed()


@pytest.mark.parametrize("status", ["processing", "En cours", "en cours", "EN COURS"])
def test_order_list_takes_the_status_label(boutique: Shop, status: str) -> None:
    assert [o["id"] for o in boutique.json("order", "list", "--status", status)] == [727]


def test_the_label_is_read_without_accents(boutique: Shop) -> None:
    assert [o["id"] for o in boutique.json("order", "list", "--status", "terminee")] == [723]
    assert [o["id"] for o in boutique.json("order", "list", "--status", "Terminée")] == [723]


def test_bulk_apply_takes_the_status_label(boutique: Shop) -> None:
    boutique.ok("apply", "--status", "en cours", "hold")

    assert boutique.order(727)["status"] == "on-hold"
    assert boutique.order(727)["notes"][-1]["note"] == (
        "Statut de la commande modifié de En cours à En attente."
    )


def test_an_unknown_label_is_a_usage_error(boutique: Shop) -> None:
    result = boutique.run("order", "list", "--status", "expédiée")

    assert result.exit_code == 2
    assert result.stderr == (
        "error: unknown status 'expédiée' (expected one of: pending, processing, on-hold, "
        "completed, cancelled, refunded, failed)\n"
    )


def test_an_amount_with_a_comma_is_refused_with_the_fix(boutique: Shop) -> None:
    before = boutique.state(727)

    result = boutique.run("refund", "727", "--amount", "1,50")

    assert result.exit_code == 1  # refused, as any param that does not convert
    assert result.stderr == "error: param 'amount': '1,50' is not a number: write 1.50\n"
    assert boutique.state(727) == before
