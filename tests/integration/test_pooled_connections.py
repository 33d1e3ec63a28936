"""PostgreSQL connections kept in the pool (`store.db`): a write's `BEGIN` is the connection's
ping (no separate `;` round trip), a look runs in autocommit (no `BEGIN`, no `COMMIT`) and its
own read is its ping, and a connection the server killed while it sat in the pool is
replaced, by the look (its read run again) as by the write's `BEGIN`, without a word."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from parity import A, open_shop, parity_order
from sqlalchemy import text
from sqlalchemy.engine import make_url

from orderwf.service import orders as service_orders
from shop import Shop, default_workflow

pytestmark = pytest.mark.parametrize("db_url", ["postgres"], indirect=True)


@pytest.fixture
def shop(tmp_path: Path, db_url: str) -> Iterator[Shop]:
    yield from open_shop(tmp_path, db_url, default_workflow())


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The first word of every statement psycopg sends (a pipelined one too)."""
    words: list[str] = []
    for cls, name in ((psycopg.Cursor, "execute"), (psycopg.Cursor, "executemany")):
        original = getattr(cls, name)

        def record(self: Any, query: Any, *args: Any, _original: Any = original, **kw: Any) -> Any:
            words.append(str(query).split()[0] if str(query).split() else "")
            return _original(self, query, *args, **kw)

        monkeypatch.setattr(cls, name, record)
    return words


def _kill_the_others(url: str) -> None:
    """End every other server process on the test database (the pool's connection)."""
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        killed = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    assert killed is not None
    assert killed[0] >= 1


def test_a_write_pings_with_its_begin_and_a_look_sends_no_transaction(
    shop: Shop, sent: list[str]
) -> None:
    shop.add(parity_order(100, (A, 1)))
    shop.apply(100, "hold")  # the pool now holds a connection that has been used
    sent.clear()

    shop.apply(100, "process")
    assert sent[0] == "BEGIN"
    assert ";" not in sent
    assert sent.count("BEGIN") == 1

    sent.clear()
    assert service_orders.show(shop.engine, 100, parts=()).status == "processing"
    assert sent == ["SELECT"]  # no `;` ping, no BEGIN
    sent.clear()
    assert service_orders.workflow_of(shop.engine, 100) == "woocommerce"
    assert sent == ["SELECT"]


def test_a_connection_killed_in_the_pool_is_replaced(db_url: str, shop: Shop) -> None:
    shop.add(parity_order(100, (A, 1)))
    shop.apply(100, "hold")

    _kill_the_others(db_url)
    assert service_orders.show(shop.engine, 100).status == "on-hold"  # the read, run again

    _kill_the_others(db_url)
    assert shop.apply(100, "process").order.status == "processing"  # the BEGIN, retried
    assert shop.history(100)[-1] == ("admin", "process", "on-hold", "processing")


def test_every_dead_connection_in_the_pool_is_replaced(db_url: str, shop: Shop) -> None:
    shop.add(parity_order(100, (A, 1)))
    with shop.engine.connect() as one, shop.engine.connect() as two:  # two pooled connections
        one.execute(text("SELECT 1"))
        two.execute(text("SELECT 1"))

    _kill_the_others(db_url)
    assert shop.apply(100, "hold").order.status == "on-hold"  # two dead ones, then a new one
