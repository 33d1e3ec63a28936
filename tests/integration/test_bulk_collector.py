"""A bulk apply pauses the cycle collector while a batch is planned and written (its plans
live until the batch's transaction, `orderwf.collector`), and gives it back as it was: running
between batches and after the run, still paused for a caller that had paused it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from parity import NOW, A, open_shop, parity_order

from orderwf import orders as s
from orderwf.service import bulk
from shop import Shop, default_workflow


@pytest.fixture
def shop(tmp_path: Path, sqlite_url: str) -> Iterator[Shop]:
    yield from open_shop(tmp_path, sqlite_url, default_workflow())


@pytest.fixture
def collector_running() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_paused_for_each_batch_and_resumed_between(
    shop: Shop, collector_running: None
) -> None:
    shop.add(*(parity_order(i, (A, 1)) for i in (100, 101, 102)))
    while_planned: list[bool] = []
    between: list[bool] = []

    def due(order: s.Order) -> bool:
        while_planned.append(gc.isenabled())
        return True

    report = bulk.apply(
        shop.engine, shop.model, "hold", {}, actor="admin", status="pending", now=NOW,
        batch_size=2, condition=due, progress=lambda _n: between.append(gc.isenabled()),
    )  # fmt: skip
    assert (report.applied, report.batches) == (3, 2)
    assert while_planned == [False, False, False]
    assert between == [True, True]
    assert gc.isenabled()


def test_a_collector_the_caller_paused_stays_paused(shop: Shop, collector_running: None) -> None:
    shop.add(parity_order(100, (A, 1)))
    gc.disable()
    report = bulk.apply(shop.engine, shop.model, "hold", {}, actor="admin", ids=[100], now=NOW)
    assert report.applied == 1
    assert not gc.isenabled()
