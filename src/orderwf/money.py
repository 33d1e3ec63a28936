"""Money: parsing, quantising per currency and formatting. Money is `Decimal` end to end;
floats never hold money. Decimals per currency come from ISO 4217."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, DecimalException
from functools import lru_cache

from orderwf.errors import UsageError

# ISO 4217 minor units that differ from the usual 2.
_DECIMALS: dict[str, int] = {
    **dict.fromkeys(
        [
            "BIF",
            "CLP",
            "DJF",
            "GNF",
            "ISK",
            "JPY",
            "KMF",
            "KRW",
            "PYG",
            "RWF",
            "UGX",
            "UYI",
            "VND",
            "VUV",
            "XAF",
            "XOF",
            "XPF",
        ],
        0,
    ),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
    "CLF": 4,
    "UYW": 4,
}


# `1,50`: a decimal comma, which `1.234,50` or `1,234.50` (thousands) would make ambiguous.


def decimals(currency: str) -> int:
    """Number of decimals of `currency` (ISO 4217); 2 when the code is not special."""
    return _DECIMALS.get(currency.upper(), 2)


@lru_cache(maxsize=256)  # every amount a bulk apply's emails print asks
def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-decimals(currency))


def quantize(value: Decimal, currency: str) -> Decimal:
    """Round half-up to the currency's decimals."""
    return value.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def zero(currency: str) -> Decimal:
    return quantize(Decimal(0), currency)


# What a person may type: ASCII digits with an optional sign and decimal point. No exponent,
# no `_` separators (`Decimal` takes `1_0.00`), no other scripts' digits (it takes `１０.００`).
_TYPED = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)
# What an import may hold: the same, and an exponent (a JSON number such as 1e-2).
_STORED = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_COMMA_DECIMAL = re.compile(r"([+-]?\d+),(\d+)", re.ASCII)
_NON_FINITE = frozenset({"nan", "snan", "inf", "infinity"})
# Amounts are below a trillion: far above any order, and every sum of them stays exact within
# `Decimal`'s 28 digits (a 1e30 refund would otherwise fail deep in the arithmetic).
LIMIT = Decimal(10) ** 12


def parse(text: str | int | Decimal, currency: str, *, what: str = "amount") -> Decimal:
    """Parse a money value given by a person. Refuses anything that is not a plain decimal
    number of ASCII digits below `LIMIT`, or that has more decimals than the currency: such a
    value is never rounded silently."""
    raw = str(text).strip()
    if not _TYPED.fullmatch(raw):
        if raw.lstrip("+-").lower() in _NON_FINITE:
            raise UsageError(f"{what} {raw!r} is not a finite number")
        comma = _COMMA_DECIMAL.fullmatch(raw)
        if comma:
            # a French or German amount: refused, never guessed (SPEC §11)
            raise UsageError(f"{what} {raw!r} is not a number: write {comma[1]}.{comma[2]}")
        if _STORED.fullmatch(raw):
            raise UsageError(f"{what} {raw!r} has an exponent; write it in digits, e.g. '12.50'")
        raise UsageError(f"{what} {raw!r} is not a number (expected e.g. '12.50')")
    value = Decimal(raw)
    if abs(value) >= LIMIT:
        raise UsageError(f"{what} {raw} is too large (at most {_largest(currency)})")
    places = decimals(currency)
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > places and value != quantize(value, currency):
        raise UsageError(f"{what} {raw} has more decimals than {currency} allows ({places})")
    return quantize(value, currency)


def from_store(text: str | int | float | Decimal | None, currency: str) -> Decimal:
    """A money value from imported data (WooCommerce strings such as "0.9" or "6.00"),
    rounded half-up to the currency: WooCommerce keeps line totals at full precision.
    Raises `ValueError` with the reason for anything but a finite number below `LIMIT`."""
    if text is None or text == "":
        return zero(currency)
    raw = str(text).strip()
    if not _STORED.fullmatch(raw):
        if raw.lstrip("+-").lower() in _NON_FINITE:
            raise ValueError("expected a finite amount")
        raise ValueError('expected an amount such as "12.50"')
    try:
        value = Decimal(raw)
        if abs(value) >= LIMIT:
            raise ValueError(f"expected an amount below {LIMIT:,.0f}")
        return quantize(value, currency)
    except DecimalException:  # an exponent far out of range
        raise ValueError(f"expected an amount below {LIMIT:,.0f}") from None


def _largest(currency: str) -> str:
    return f"{LIMIT - quantum(currency)} {currency}"


def fmt(value: Decimal, currency: str) -> str:
    """'25.00' for EUR, '2500' for JPY, '1.250' for KWD."""
    return str(quantize(value, currency))


def show(value: Decimal, currency: str) -> str:
    """Human form for messages: '15.00 EUR'."""
    return f"{fmt(value, currency)} {currency}"
