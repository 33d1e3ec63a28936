"""The version row of a workflow (SPEC §9) is looked up once per process and version, not at
every write (`repo.workflow_version` remembers the rows it found committed): each history row
still references the version it ran under, and a version row a rolled-back transaction
inserted is never remembered."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from parity import NOW, A, open_shop, parity_order
from sqlalchemy import event, text

from orderwf.store import db, repo
from shop import Shop, default_workflow


@pytest.fixture
def shop(tmp_path: Path, db_url: str) -> Iterator[Shop]:
    yield from open_shop(tmp_path, db_url, default_workflow())


def _version_statements(shop: Shop) -> list[str]:
    """The statements on `workflow_versions` the engine sends from now on."""
    seen: list[str] = []

    @event.listens_for(shop.engine, "before_cursor_execute")
    def _seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "workflow_versions" in statement:
            seen.append(statement.split()[0])

    return seen


def _history_versions(shop: Shop) -> list[tuple[int, str]]:
    """(order id, hash of the version row) of every history row, in order."""
    with db.read_transaction(shop.engine) as session:
        rows = session.execute(
            text(
                "SELECT h.order_id, v.hash FROM history h "
                "JOIN workflow_versions v ON v.id = h.workflow_version_id ORDER BY h.id"
            )
        )
        return [(int(i), str(h)) for i, h in rows]


def test_a_process_looks_each_version_up_once(shop: Shop) -> None:
    shop.add(*(parity_order(i, (A, 1)) for i in (100, 101, 102, 103, 104)))
    seen = _version_statements(shop)
    for order_id in (100, 101, 102):
        shop.apply(order_id, "hold")
    # The first write inserts the row, the second finds it committed, the third trusts that.
    assert seen == ["SELECT", "INSERT", "SELECT", "SELECT"]

    edited = replace(shop.model, content_hash="e" * 64, text=shop.model.text + "\n")
    shop.model = edited
    shop.apply(103, "hold")
    shop.apply(104, "hold")
    assert seen[4:] == ["SELECT", "INSERT", "SELECT", "SELECT"]

    original = default_workflow().content_hash
    assert _history_versions(shop) == [
        (100, original),
        (101, original),
        (102, original),
        (103, "e" * 64),
        (104, "e" * 64),
    ]


def test_a_version_row_that_was_rolled_back_is_not_remembered(shop: Shop) -> None:
    shop.add(parity_order(100, (A, 1)))

    def insert_then_roll_back() -> None:
        with db.write_transaction(shop.engine) as session:
            first = repo.workflow_version(session, shop.model, NOW)
            # Found, but inserted by this very transaction: it may yet be rolled back.
            assert repo.workflow_version(session, shop.model, NOW) == first
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        insert_then_roll_back()

    shop.apply(100, "hold")  # would reference a row that does not exist if it were remembered
    assert _history_versions(shop) == [(100, shop.model.content_hash)]
