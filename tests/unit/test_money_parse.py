"""What `money.parse` (typed by a person) and `money.from_store` (read from an import) take and
refuse: plain ASCII decimals below a trillion; every refusal is one sentence."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orderwf import money
from orderwf.errors import UsageError


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1e30", "amount '1e30' has an exponent; write it in digits, e.g. '12.50'"),
        ("1e400", "amount '1e400' has an exponent; write it in digits, e.g. '12.50'"),
        ("1" * 28, f"amount {'1' * 28} is too large (at most 999999999999.99 EUR)"),
        ("1000000000000", "amount 1000000000000 is too large (at most 999999999999.99 EUR)"),
        ("１０.００", "amount '１０.００' is not a number (expected e.g. '12.50')"),
        ("1_0.00", "amount '1_0.00' is not a number (expected e.g. '12.50')"),
        ("1,50", "amount '1,50' is not a number: write 1.50"),
        ("-0,5", "amount '-0,5' is not a number: write -0.5"),
        ("1,000.50", "amount '1,000.50' is not a number (expected e.g. '12.50')"),
        ("sNaN", "amount 'sNaN' is not a finite number"),
        ("-Infinity", "amount '-Infinity' is not a finite number"),
    ],
)
def test_parse_refuses_with_one_sentence(text: str, message: str) -> None:
    with pytest.raises(UsageError) as refused:
        money.parse(text, "EUR")
    assert refused.value.message == message


@pytest.mark.parametrize(
    ("text", "value"),
    [("12.5", "12.50"), (" 7 ", "7.00"), (".5", "0.50"), ("+3.", "3.00"),
     ("999999999999.99", "999999999999.99")],
)  # fmt: skip
def test_parse_takes_plain_decimals(text: str, value: str) -> None:
    assert money.parse(text, "EUR") == Decimal(value)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("NaN", "expected a finite amount"),
        ("-Infinity", "expected a finite amount"),
        (float("inf"), "expected a finite amount"),
        ("1e400", "expected an amount below 1,000,000,000,000"),
        ("1" * 30, "expected an amount below 1,000,000,000,000"),
        ("1e999999999999999999", "expected an amount below 1,000,000,000,000"),
        ("１０.００", 'expected an amount such as "12.50"'),
        ("1_0", 'expected an amount such as "12.50"'),
    ],
)
def test_from_store_refuses_what_cannot_be_money(value: object, reason: str) -> None:
    with pytest.raises(ValueError, match="^") as refused:
        money.from_store(value, "EUR")  # type: ignore[arg-type]
    assert str(refused.value) == reason


@pytest.mark.parametrize(
    ("value", "stored"), [("0.9", "0.90"), (12.5, "12.50"), ("1e2", "100.00"), (None, "0.00")]
)
def test_from_store_takes_woocommerce_amounts(value: object, stored: str) -> None:
    assert money.from_store(value, "EUR") == Decimal(stored)  # type: ignore[arg-type]
