"""Money (SPEC §2.3): decimals per ISO 4217 currency, half-up rounding, zero in each
currency's form, the amounts read from WooCommerce data, and the forms shown to people."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orderwf import money
from orderwf.errors import UsageError


@pytest.mark.parametrize(
    ("currency", "places"),
    [
        ("EUR", 2),
        ("usd", 2),
        ("JPY", 0),
        ("XPF", 0),
        ("BIF", 0),
        ("KWD", 3),
        ("BHD", 3),
        ("TND", 3),
        ("CLF", 4),
        ("UYW", 4),
    ],
)
def test_decimals_per_currency(currency: str, places: int) -> None:
    assert money.decimals(currency) == places
    assert money.quantum(currency) == Decimal(1).scaleb(-places)


@pytest.mark.parametrize(
    ("value", "currency", "rounded"),
    [
        ("1.005", "EUR", "1.01"),  # half-up, not half-even
        ("1.004", "EUR", "1.00"),
        ("-1.005", "EUR", "-1.01"),
        ("2.5", "JPY", "3"),
        ("1.0005", "KWD", "1.001"),
        ("1.23455", "CLF", "1.2346"),
        ("1.23454", "UYW", "1.2345"),
        ("7", "CLF", "7.0000"),
    ],
)
def test_quantize_rounds_half_up_to_the_currency(value: str, currency: str, rounded: str) -> None:
    assert str(money.quantize(Decimal(value), currency)) == rounded


@pytest.mark.parametrize(
    ("currency", "text"), [("EUR", "0.00"), ("JPY", "0"), ("KWD", "0.000"), ("CLF", "0.0000")]
)
def test_zero_has_the_currency_decimals(currency: str, text: str) -> None:
    zero = money.zero(currency)
    assert zero == 0
    assert str(zero) == text


@pytest.mark.parametrize(
    ("stored", "currency", "amount"),
    [
        (None, "EUR", "0.00"),
        ("", "EUR", "0.00"),
        ("", "JPY", "0"),
        (None, "KWD", "0.000"),
        ("0.9", "EUR", "0.90"),
        ("6.00", "EUR", "6.00"),
        ("4.545", "EUR", "4.55"),  # a line total at full precision, rounded half-up
        ("1100", "JPY", "1100"),
        ("12.3456", "KWD", "12.346"),
        (7, "EUR", "7.00"),
        (Decimal("2.5"), "EUR", "2.50"),
    ],
)
def test_a_stored_amount_reads_as_money(stored: str | None, currency: str, amount: str) -> None:
    """WooCommerce leaves money fields empty or out; they read as zero, never None."""
    assert str(money.from_store(stored, currency)) == amount


@pytest.mark.parametrize(
    ("text", "currency", "amount"),
    [
        ("12.5", "EUR", "12.50"),
        (" 12.50 ", "EUR", "12.50"),
        ("100.00", "JPY", "100"),  # trailing zeros are not extra decimals
        ("1.250", "KWD", "1.250"),
        (3, "EUR", "3.00"),
        ("-1", "EUR", "-1.00"),
    ],
)
def test_parse_keeps_the_value_in_the_currency_form(
    text: str | int, currency: str, amount: str
) -> None:
    assert str(money.parse(text, currency)) == amount


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        ("1.001", "EUR", "amount 1.001 has more decimals than EUR allows (2)"),
        ("0.5", "JPY", "amount 0.5 has more decimals than JPY allows (0)"),
        ("abc", "EUR", "amount 'abc' is not a number (expected e.g. '12.50')"),
        ("NaN", "EUR", "amount 'NaN' is not a finite number"),
    ],
)
def test_parse_refuses_with_a_sentence(text: str, currency: str, message: str) -> None:
    with pytest.raises(UsageError) as info:
        money.parse(text, currency)
    assert info.value.message == message


def test_fmt_and_show() -> None:
    assert money.fmt(Decimal("25"), "EUR") == "25.00"
    assert money.fmt(Decimal("2500"), "JPY") == "2500"
    assert money.fmt(Decimal("1.25"), "KWD") == "1.250"
    assert money.show(Decimal("15"), "EUR") == "15.00 EUR"


def test_a_stored_amount_is_below_a_trillion() -> None:
    assert str(money.from_store("999999999999.99", "EUR")) == "999999999999.99"
    assert str(money.from_store("-999999999999.99", "EUR")) == "-999999999999.99"
    for text in ("1000000000000", "-1000000000000.00"):
        with pytest.raises(ValueError, match=r"^expected an amount below 1,000,000,000,000$"):
            money.from_store(text, "EUR")
