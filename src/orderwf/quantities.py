"""Quantities and stock levels: whole numbers of ASCII digits, within `LIMIT`.

Every integer column is 32-bit on PostgreSQL and 64-bit on SQLite; a billion units is far above
any shop's stock and keeps sums of a few of them inside both, so a mistyped or hostile
quantity is refused with a sentence instead of overflowing in the driver."""

from __future__ import annotations

import re

from orderwf.errors import UsageError

LIMIT = 1_000_000_000
# Ids come from WooCommerce or from the database's own sequence: a PostgreSQL INTEGER.
ID_LIMIT = 2**31 - 1
_WHOLE = re.compile(r"[+-]?\d+", re.ASCII)


def parse(text: str, what: str, *, negative: bool = False) -> int:
    """A quantity typed by a person (`--line SKU=3`, `product stock SKU -2`)."""
    raw = text.strip()
    if not _WHOLE.fullmatch(raw) or (raw.startswith("-") and not negative):
        expected = "a whole number" if negative else "a whole number of at least 0"
        raise UsageError(f"{what} {raw!r} is not {expected}")
    if len(raw.lstrip("+-0")) > len(str(LIMIT)):  # before `int`, which refuses 4,300 digits
        raise UsageError(f"{what} {raw} is too large (at most {LIMIT:,})")
    return check(int(raw), what)


def check(value: int, what: str) -> int:
    """`value` itself, or a `UsageError` when it is beyond `LIMIT` either way."""
    if abs(value) > LIMIT:
        raise UsageError(f"{what} {value} is too large (at most {LIMIT:,})")
    return value
