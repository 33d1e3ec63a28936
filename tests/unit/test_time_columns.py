"""Times read back from SQLite's text (`columns._aware_utc`): aware, in UTC when stored naive
(as orderwf stores them), and with their own offset when the text has one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from orderwf.store.columns import _aware_utc

PARIS = timezone(timedelta(hours=2))


@pytest.mark.parametrize(
    ("stored", "read"),
    [
        ("2026-11-26 08:00:00.000000", datetime(2026, 11, 26, 8, tzinfo=UTC)),
        ("2026-11-26 08:00:00.123456", datetime(2026, 11, 26, 8, 0, 0, 123456, tzinfo=UTC)),
        ("2026-11-26 08:00:00", datetime(2026, 11, 26, 8, tzinfo=UTC)),
        ("2026-11-26", datetime(2026, 11, 26, tzinfo=UTC)),
        ("2026-11-26 10:00:00+02:00", datetime(2026, 11, 26, 10, tzinfo=PARIS)),
        (datetime(2026, 11, 26, 8), datetime(2026, 11, 26, 8, tzinfo=UTC)),
        (datetime(2026, 11, 26, 10, tzinfo=PARIS), datetime(2026, 11, 26, 10, tzinfo=PARIS)),
    ],
)
def test_a_stored_time_reads_back_aware(stored: str | datetime, read: datetime) -> None:
    value = _aware_utc(stored)
    assert value == read
    assert value is not None
    assert value.utcoffset() == read.utcoffset()


def test_nothing_stored_reads_back_as_nothing() -> None:
    assert _aware_utc(None) is None
