"""Money: parsing, quantising per currency and formatting. Money is `Decimal` end to end;
floats never hold money. Decimals per currency come from ISO 4217."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

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
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


def decimals(currency: str) -> int:
    """Number of decimals of `currency` (ISO 4217); 2 when the code is not special."""
    return _DECIMALS.get(currency.upper(), 2)


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-decimals(currency))


def quantize(value: Decimal, currency: str) -> Decimal:
    """Round half-up to the currency's decimals."""
    return value.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def zero(currency: str) -> Decimal:
    return quantize(Decimal(0), currency)


def parse(text: str | int | Decimal, currency: str, *, what: str = "amount") -> Decimal:
    """Parse a money value given by a person. Refuses anything that is not a finite number or
    that has more decimals than the currency: such a value is never rounded silently."""
    raw = str(text).strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        if _DECIMAL_COMMA.match(raw):  # a French or German amount: refused, never guessed
            fixed = raw.replace(",", ".")
            raise UsageError(f"{what} {raw!r} is not a number: write {fixed}") from None
        raise UsageError(f"{what} {raw!r} is not a number (expected e.g. '12.50')") from None
    if not value.is_finite():
        raise UsageError(f"{what} {raw!r} is not a finite number")
    places = decimals(currency)
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > places and value != quantize(value, currency):
        raise UsageError(f"{what} {raw} has more decimals than {currency} allows ({places})")
    return quantize(value, currency)


def from_store(text: str | int | float | Decimal | None, currency: str) -> Decimal:
    """A money value from imported data (WooCommerce strings such as "0.9" or "6.00"),
    rounded half-up to the currency: WooCommerce keeps line totals at full precision."""
    if text is None or text == "":
        return zero(currency)
    return quantize(Decimal(str(text)), currency)


def fmt(value: Decimal, currency: str) -> str:
    """'25.00' for EUR, '2500' for JPY, '1.250' for KWD."""
    return str(quantize(value, currency))


def show(value: Decimal, currency: str) -> str:
    """Human form for messages: '15.00 EUR'."""
    return f"{fmt(value, currency)} {currency}"
