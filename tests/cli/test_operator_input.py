"""What operators type and do (issue 11 §4, SPEC §11's last two sentences): a status by its
label as the orders list shows it, case and accents ignored; Ctrl-C in a bulk apply says how
far it got."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from orderwf.service import bulk
from orderwf.store import repo
from shop import REPO, Shop, woo_order

FRENCH = REPO / "workflows" / "examples" / "french.yaml"


def _pending(shop: Shop, count: int) -> None:
    orders = [woo_order(n, (93, 1, "3.00")) for n in range(1, count + 1)]
    shop.ok("order", "import", str(shop.write_json("pending.json", orders)))


@pytest.mark.parametrize("typed", ["Processing", "processing", "  PROCESSING "])
def test_order_list_takes_the_status_label(seeded: Shop, typed: str) -> None:
    rows = seeded.json("order", "list", "--status", typed)
    assert [(r["id"], r["status"]) for r in rows] == [(727, "processing")]


@pytest.mark.parametrize("typed", ["Terminée", "terminee", "TERMINÉE", "completed"])
def test_labels_ignore_case_and_accents(seeded: Shop, typed: str) -> None:
    result = seeded.ok("order", "list", "--status", typed, "--json", workflow=FRENCH)
    assert [r["id"] for r in json.loads(result.stdout)] == [723]


def test_bulk_apply_takes_the_status_label(shop: Shop) -> None:
    _pending(shop, 3)
    result = shop.ok("apply", "--status", "Pending payment", "process")
    assert result.stdout == "process: 3 order(s) applied, 0 refused\n"
    assert {r["status"] for r in shop.json("order", "list")} == {"processing"}


def test_an_unknown_label_is_still_refused(seeded: Shop) -> None:
    result = seeded.run("order", "list", "--status", "Shipped")
    assert (result.exit_code, result.stderr) == (
        2,
        "error: unknown status 'Shipped' (expected one of: pending, processing, on-hold, "
        "completed, cancelled, refunded, failed)\n",
    )


def test_a_label_that_names_two_statuses_is_refused(tmp_path: Path) -> None:
    from orderwf.errors import UsageError
    from orderwf.workflow.loader import load_workflow

    text = (
        FRENCH.read_text(encoding="utf-8")
        .replace("{label: Échouée,", "{label: En cours,")
        .replace("templates: ../../templates/emails/fr", f"templates: {REPO}/templates/emails/fr")
    )
    (tmp_path / "fr.yaml").write_text(text, encoding="utf-8")
    wf = load_workflow(tmp_path / "fr.yaml")
    with pytest.raises(UsageError) as refused:
        wf.require_status("en cours")
    assert refused.value.message == (
        "status 'en cours' is the label of several statuses (processing, failed): give the id"
    )


def _ctrl_c_in_the_second_batch(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Make Ctrl-C arrive while the second batch is written; the real `apply_plans`."""
    real = repo.apply_plans
    calls: list[int] = []

    def interrupted_in_the_second_batch(*args: object, **kwargs: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(repo, "apply_plans", interrupted_in_the_second_batch)
    return real


@pytest.mark.parametrize(
    ("by_ids", "left"),
    [
        (False, "5 orders are still pending"),
        (True, "5 of the 7 given orders are unchanged"),
    ],
)
def test_ctrl_c_in_a_bulk_apply_says_what_was_applied(
    shop: Shop, monkeypatch: pytest.MonkeyPatch, by_ids: bool, left: str
) -> None:
    _pending(shop, 7)
    monkeypatch.setattr(bulk, "BATCH_SIZE", 2)
    _ctrl_c_in_the_second_batch(monkeypatch)
    which = ["--ids", "1,2,3,4,5,6,7"] if by_ids else ["--status", "pending"]

    result = shop.run("apply", *which, "process")

    assert (result.exit_code, result.stderr) == (
        130,
        f"interrupted: 2 order(s) applied in 1 batch(es) before Ctrl-C; {left}: run the "
        "command again to finish\n",
    )
    statuses = {r["id"]: r["status"] for r in shop.json("order", "list")}
    assert sorted(i for i, st in statuses.items() if st == "processing") == [1, 2]


def test_ctrl_c_in_tick_says_what_the_timers_applied(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    orders = [woo_order(n, (93, 1, "3.00"), via="checkout") for n in range(1, 6)]
    shop.ok("order", "import", str(shop.write_json("unpaid.json", orders)))
    monkeypatch.setattr(bulk, "BATCH_SIZE", 2)
    real = _ctrl_c_in_the_second_batch(monkeypatch)

    result = shop.run("tick", "--now", "2026-11-20T09:00:00")

    assert (result.exit_code, result.stderr) == (
        130,
        "interrupted: 2 order(s) applied by timers in 1 batch(es) before Ctrl-C; the orders "
        "still due are unchanged: run `orderwf tick` again to finish\n",
    )
    statuses = {r["id"]: r["status"] for r in shop.json("order", "list")}
    assert sorted(i for i, st in statuses.items() if st == "cancelled") == [1, 2]
    monkeypatch.setattr(repo, "apply_plans", real)
    again = shop.ok("tick", "--now", "2026-11-20T09:00:00")
    assert again.stdout == "cancel_unpaid: 3 order(s) applied, 0 refused\n"
