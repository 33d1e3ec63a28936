"""Stored amounts read back (`columns._decimal_or_none`, the `Money` column's reader): each
text as its exact `Decimal`, the same object for the same text (a `Decimal` is immutable), and
never one text's value for another's."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from orderwf.store import columns
from orderwf.store.columns import _decimal_or_none

amounts = st.decimals(allow_nan=False, allow_infinity=False, places=None).map(str)


@given(st.lists(amounts, min_size=1, max_size=40))
def test_each_text_reads_as_its_own_exact_decimal(texts: list[str]) -> None:
    for text in texts + texts[::-1]:  # seen and not yet seen
        value = _decimal_or_none(text)
        assert isinstance(value, Decimal)
        assert str(value) == str(Decimal(text))  # `25.00` stays `25.00`, `25.0` `25.0`


def test_a_text_seen_again_gives_the_same_decimal_and_the_memory_stays_bounded() -> None:
    assert _decimal_or_none(None) is None
    first = _decimal_or_none("25.00")
    assert _decimal_or_none("25.00") is first
    assert str(_decimal_or_none("25.0")) == "25.0"
    for i in range(columns._AMOUNTS_KEPT + 10):
        _decimal_or_none(f"{i}.01")
    assert len(columns._AMOUNTS) <= columns._AMOUNTS_KEPT
    assert str(_decimal_or_none("4200.01")) == "4200.01"
