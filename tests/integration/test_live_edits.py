"""Editing a workflow while orders are live (SPEC §9), on SQLite and PostgreSQL, from an
`orderwf init` folder whose `orderwf.toml` names the database: the versions kept and shown,
`validate --live`, `renamed_from` and `orderwf migrate`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from shop import WOO_DIR, ok, order, run


@pytest.fixture
def folder(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh `orderwf init` folder using `db_url`, the WooCommerce orders 727 (processing)
    and 723 (completed) imported into it; the current folder."""
    for name in ("ORDERWF_DB", "ORDERWF_WORKFLOW", "ORDERWF_ACTOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ORDERWF_ACTOR", "alice")
    shop = tmp_path / "shop"
    ok("init", str(shop))
    toml = shop / "orderwf.toml"
    toml.write_text(toml.read_text().replace("sqlite:///orderwf.db", db_url))
    monkeypatch.chdir(shop)
    ok("order", "import", str(WOO_DIR / "orders-list.json"))
    return shop


def edit(folder: Path, old: str, new: str) -> None:
    path = folder / "workflows/shop.yaml"
    content = path.read_text()
    assert old in content
    path.write_text(content.replace(old, new, 1))


def test_every_history_row_references_the_version_it_ran_under(folder: Path, db_url: str) -> None:
    original = (folder / "workflows/shop.yaml").read_text()
    ok("apply", "727", "hold")
    edit(folder, "label: Change status to processing", "label: Back to work")
    ok("apply", "727", "process")
    ok("apply", "--ids", "723,727", "add_note", "-p", "text=checked")
    history = json.loads(ok("order", "history", "727", "--json").stdout)
    versions = [h["workflow_version"] for h in history]
    assert len(set(versions)) == 2
    assert versions[1:] == [versions[1], versions[1]]
    first, second = versions[0], versions[1]
    assert first.startswith("shop@")
    assert len(first) == len("shop@") + 12
    assert ok("workflow", "show", first).stdout == original
    assert "label: Back to work" in ok("workflow", "show", second).stdout
    line = ok("order", "history", "727").stdout.splitlines()[0]
    assert line.endswith(f"  hold  processing → on-hold  {first}")
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT name, hash FROM workflow_versions")).all()
            unreferenced = conn.execute(
                text("SELECT count(*) FROM history WHERE workflow_version_id IS NULL")
            ).scalar_one()
    finally:
        engine.dispose()
    assert sorted(f"{n}@{h[:12]}" for n, h in stored) == sorted([first, second])
    assert unreferenced == 0


def test_workflow_show_refuses_what_it_cannot_find(folder: Path) -> None:
    ok("apply", "727", "hold")
    (version,) = [h["workflow_version"] for h in json.loads(
        ok("order", "history", "727", "--json").stdout
    )]  # fmt: skip
    result = run("workflow", "show", "shop@ffff")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"error: no stored version shop@ffff (versions of 'shop': {version})\n"
    result = run("workflow", "show", "shop")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: 'shop' is not NAME@HASH")


# --- validate --live ----------------------------------------------------------------------


def _statuses_line(folder: Path) -> int:
    lines = (folder / "workflows/shop.yaml").read_text().splitlines()
    return lines.index("statuses:") + 1


def test_validate_live_without_problems_exits_0(folder: Path) -> None:
    result = ok("validate", "--live")
    assert (result.stdout, result.stderr) == ("", "1 file checked: no problems found\n")


def test_validate_live_reports_orders_in_a_status_that_is_gone(folder: Path) -> None:
    ok("apply", "727", "hold")
    ok("apply", "723", "reopen")
    ok("apply", "723", "hold")
    edit(folder, "on-hold", "on-hold")  # the file as it was, then every on-hold renamed:
    path = folder / "workflows/shop.yaml"
    path.write_text(path.read_text().replace("on-hold", "paused"))
    line = _statuses_line(folder)
    result = run("validate", "--live")
    assert result.exit_code == 1
    assert result.stdout == (
        f"workflows/shop.yaml:{line}:1: error[OWF901] 2 orders of workflow 'shop' in status "
        "'on-hold', which the workflow no longer declares\n"
        "  hint: add `renamed_from: [on-hold]` to the status that replaces it, or run "
        "`orderwf migrate --move on-hold=NEW --workflow shop`\n"
    )
    assert result.stderr == "1 file checked: 1 error\n"
    (finding,) = json.loads(run("validate", "--live", "--format", "json").stdout)
    assert (finding["code"], finding["line"], finding["json_path"]) == (
        "OWF901",
        line,
        "$.statuses",
    )
    github = run("validate", "--live", "--format", "github").stdout
    assert github.startswith(
        f"::error file=workflows/shop.yaml,line={line},col=1,title=orderwf OWF901::[OWF901] 2 "
        "orders of workflow 'shop' in status 'on-hold'"
    )
    refused = run("apply", "727", "process")
    assert refused.exit_code == 1
    assert "run `orderwf migrate --move on-hold=NEW`" in refused.stderr


def test_validate_live_reports_orders_of_a_workflow_no_file_declares(folder: Path) -> None:
    edit(folder, "name: shop\n", "name: boutique\n")
    toml = folder / "orderwf.toml"
    toml.write_text(toml.read_text().replace('"shop"', '"boutique"'))
    result = run("validate", "--live")
    assert result.exit_code == 1
    assert result.stdout == (
        "orderwf.toml:1:1: error[OWF903] 2 orders recorded workflow 'shop', which no file in "
        "workflows declares\n  hint: restore the workflow file, or give it back that `name`\n"
    )


def test_validate_live_does_not_blame_a_missing_file_for_one_that_does_not_validate(
    folder: Path,
) -> None:
    """The file declaring `shop` has an error: its orders are not said to have no file."""
    edit(folder, "name: shop\n", "name: shop\nbogus: 1\n")
    result = run("validate", "--live")
    assert result.exit_code == 1
    assert (
        "orderwf.toml:1:1: error[OWF903] 2 orders recorded workflow 'shop', which no file in "
        "workflows that validates declares\n"
        "  hint: fix the errors of workflows/shop.yaml first, or restore the workflow file\n"
    ) in result.stdout


def test_validate_live_warns_of_due_timers_whose_action_would_be_refused(folder: Path) -> None:
    orders = [
        {**json.loads((WOO_DIR / "order-727.json").read_text()), "id": n, "number": str(n),
         "status": "pending", "created_via": "checkout", "line_items": [],
         "shipping_lines": [], "fee_lines": [], "total": "0.00"}
        for n in (801, 802)
    ]  # fmt: skip
    (folder / "pending.json").write_text(json.dumps(orders))
    ok("order", "import", "pending.json")
    edit(
        folder,
        "    to: cancelled\n",
        "    to: cancelled\n    guard:\n      - if: order.total > 100\n"
        "        message: Only big orders are cancelled.\n",
    )
    assert ok("validate").stdout == ""
    result = ok("validate", "--live")
    lines = (folder / "workflows/shop.yaml").read_text().splitlines()
    timer = lines.index("  cancel_unpaid:", lines.index("timers:")) + 1
    assert result.stdout == (
        f"workflows/shop.yaml:{timer}:3: warning[OWF904] timer 'cancel_unpaid' is due for 2 "
        "orders (#801, #802) but its action 'cancel' would be refused: Only big orders are "
        "cancelled.\n  hint: the next `orderwf tick` will report them refused; change the "
        "timer or the orders\n"
    )
    assert run("validate", "--live", "--strict").exit_code == 1


# --- renamed_from and orderwf migrate --------------------------------------------------------


def _hold_both(folder: Path) -> None:
    ok("apply", "727", "hold")
    ok("apply", "723", "reopen")
    ok("apply", "723", "hold")


def _rename_on_hold(folder: Path, *, renamed_from: bool) -> None:
    path = folder / "workflows/shop.yaml"
    content = path.read_text().replace("on-hold", "paused")
    if renamed_from:
        old = "  paused:    {label: On hold,"
        assert old in content
        content = content.replace(old, "  paused:     {renamed_from: [on-hold], label: On hold,")
    path.write_text(content)


def _untouched(order_id: int) -> dict[str, Any]:
    """What migrate must not change: everything of the order but its status and version."""
    data = order(order_id)
    return {k: v for k, v in data.items() if k not in ("status", "version")}


def test_migrate_moves_orders_of_a_renamed_status_and_nothing_else(folder: Path) -> None:
    _hold_both(folder)
    _rename_on_hold(folder, renamed_from=True)
    assert ok("validate").stdout == ""
    live = ok("validate", "--live")  # a warning: deploy, then migrate
    assert "warning[OWF902] 2 orders of workflow 'shop' still in 'on-hold'" in live.stdout
    refused = run("apply", "727", "process")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "error: order #727 is still in 'on-hold', which workflow 'shop' renamed to 'paused'; "
        "run `orderwf migrate` first\n"
    )
    before = {i: _untouched(i) for i in (723, 727)}
    stock = ok("product", "list", "--json").stdout
    outbox = ok("outbox", "list", "--json").stdout
    versions = {i: order(i)["version"] for i in (723, 727)}

    dry = json.loads(ok("migrate", "--dry-run", "--json").stdout)
    assert dry == {
        "dry_run": True,
        "moves": [{"workflow": "shop", "from": "on-hold", "to": "paused", "orders": 2}],
        "orders": 2,
    }
    assert order(727)["status"] == "on-hold"
    result = ok("migrate")
    assert result.stdout == (
        "shop: 2 orders moved from 'on-hold' to 'paused'\n2 order(s) moved in 1 batch.\n"
    )
    for i in (723, 727):
        assert order(i)["status"] == "paused"
        assert order(i)["version"] == versions[i] + 1
        assert _untouched(i) == before[i]
    assert ok("product", "list", "--json").stdout == stock
    assert ok("outbox", "list", "--json").stdout == outbox
    last = json.loads(ok("order", "history", "727", "--json").stdout)[-1]
    assert (last["actor"], last["action"], last["from"], last["to"], last["effects"]) == (
        "alice",
        "migrate",
        "on-hold",
        "paused",
        [{"type": "migrate", "from": "on-hold", "to": "paused"}],
    )
    assert last["workflow_version"].startswith("shop@")
    assert ok("order", "history", "727").stdout.splitlines()[-1] == (
        "  moved by migrate: on-hold → paused (no note, email or stock move)"
    )
    history = ok("order", "history", "727", "--json").stdout
    again = ok("migrate", "--json")  # a second run does nothing
    assert json.loads(again.stdout)["orders"] == 0
    assert ok("order", "history", "727", "--json").stdout == history
    assert ok("validate", "--live").stdout == ""
    ok("apply", "727", "process")
    assert order(727)["status"] == "processing"


def test_migrate_move_takes_orders_out_of_a_removed_status(folder: Path) -> None:
    _hold_both(folder)
    _rename_on_hold(folder, renamed_from=False)
    assert run("validate", "--live").exit_code == 1  # OWF901
    result = ok("migrate", "--move", "on-hold=paused", "--workflow", "shop", "--json")
    assert json.loads(result.stdout) == {
        "dry_run": False,
        "moves": [{"workflow": "shop", "from": "on-hold", "to": "paused", "orders": 2}],
        "orders": 2,
    }
    assert [order(i)["status"] for i in (723, 727)] == ["paused", "paused"]
    assert ok("validate", "--live").stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--move", "on-hold=pausd"),
            "--move on-hold=pausd: workflow 'shop' has no status 'pausd' (its statuses: pending, "
            "processing, paused, completed, cancelled, refunded, failed)",
        ),
        (
            ("--move", "pending=paused"),
            "--move pending=paused: 'pending' is still a status of workflow 'shop'; migrate "
            "moves orders out of statuses that are gone",
        ),
        (("--move", "on-hold"), "--move 'on-hold' is not OLD=NEW (two different status ids)"),
        (
            ("--move", "on-hold=paused", "--workflow", "digital"),
            "--workflow 'digital' is not a workflow of workflows (its workflows: shop)",
        ),
    ],
    ids=["to-unknown", "from-existing", "malformed", "unknown-workflow"],
)
def test_migrate_refuses_bad_moves_and_changes_nothing(
    folder: Path, args: tuple[str, ...], message: str
) -> None:
    _hold_both(folder)
    _rename_on_hold(folder, renamed_from=False)
    history = ok("order", "history", "727", "--json").stdout
    result = run("migrate", *args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"error: {message}\n"
    assert order(727)["status"] == "on-hold"
    assert ok("order", "history", "727", "--json").stdout == history
