"""Typed params take what a person types on a keyboard, as money does (issue 11 §3): `int`
alone would take `1_0`, `１０` and 5,000 digits."""

from __future__ import annotations

import pytest

from orderwf.engine.params import convert
from orderwf.workflow.model import Action, Param

ACTION = Action(
    id="ship",
    label="Ship",
    sources=None,
    params=(
        Param("parcels", "integer"),
        Param("insured", "decimal"),
    ),
)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ({"parcels": "1_0"}, "param 'parcels': '1_0' is not an integer"),
        ({"parcels": "１０"}, "param 'parcels': '１０' is not an integer"),
        ({"parcels": "9" * 5000}, f"param 'parcels': '{'9' * 5000}' is not an integer"),
        ({"insured": "1,50"}, "param 'insured': '1,50' is not a number: write 1.50"),
        ({"insured": "1e30"},
         "param 'insured': '1e30' has an exponent; write it in digits, e.g. '12.50'"),
    ],
)  # fmt: skip
def test_what_int_or_decimal_would_take_is_refused(raw: dict[str, str], problem: str) -> None:
    assert convert(ACTION, raw, "EUR")[1] == [problem]


@pytest.mark.parametrize(("text", "value"), [("10", 10), ("-3", -3), (" 7 ", 7), (12, 12)])
def test_plain_integers_are_taken(text: object, value: int) -> None:
    values, problems = convert(ACTION, {"parcels": text}, "EUR")
    assert (values["parcels"], problems) == (value, [])
