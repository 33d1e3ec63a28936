"""`paramtypes`: the one converter of param values, shared by the engine (what a person types)
and validation (a default or enum value as the workflow file writes it)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from orderwf.engine.params import convert
from orderwf.workflow import paramtypes
from orderwf.workflow.model import Action, Param


@pytest.mark.parametrize(
    ("ptype", "written", "text"),
    [
        ("string", "SAMPLE", "SAMPLE"),
        ("integer", 3, "3"),
        ("decimal", "12.50", "12.50"),
        ("decimal", 12, "12"),
        ("boolean", True, "true"),
        ("date", "2026-11-26", "2026-11-26"),
    ],
)
def test_a_default_and_the_same_value_typed_convert_alike(
    ptype: str, written: Any, text: str
) -> None:
    param = Param("p", ptype)  # type: ignore[arg-type]
    assert paramtypes.from_file(ptype, written) == paramtypes.from_text(param, text, "EUR")


@pytest.mark.parametrize(
    ("ptype", "written", "problem"),
    [
        ("string", 5, "is not a string"),
        ("integer", "5", "is not a whole number"),
        ("integer", True, "is not a whole number"),
        ("decimal", 1.5, "is a float; a decimal (money) is written as a quoted string"),
        ("decimal", "abc", "is not a decimal number"),
        ("decimal", True, "is not a decimal"),
        ("decimal", None, "is not a decimal"),
        ("decimal", [1], "is not a decimal"),
        ("decimal", "Infinity", "is not a finite number"),
        ("boolean", "yes", "is not true or false"),
        ("date", "26/11/2026", "is not a date written YYYY-MM-DD"),
        ("date", "2026-02-30", "is not a valid date"),
        ("colour", "red", "is not of the unknown type 'colour'"),
    ],
)
def test_a_written_value_of_the_wrong_type_says_why(ptype: str, written: Any, problem: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(problem)}$"):
        paramtypes.from_file(ptype, written)


def test_a_date_param_is_checked_against_its_date_bounds() -> None:
    """The file writes date bounds as strings: the engine compares dates with the bounds
    converted as validation converts them (it compared a date with a string before, and
    crashed)."""
    action = Action(
        "ship",
        "Ship",
        None,
        params=(Param("on", "date", minimum="2026-01-01", maximum="2026-12-31"),),
    )
    assert convert(action, {"on": "2026-06-01"}, "EUR") == ({"on": date(2026, 6, 1)}, [])
    assert convert(action, {"on": "2025-12-31"}, "EUR")[1] == [
        "param 'on': 2025-12-31 is below the minimum 2026-01-01"
    ]
    assert convert(action, {"on": "2027-01-01"}, "EUR")[1] == [
        "param 'on': 2027-01-01 is above the maximum 2026-12-31"
    ]


def test_bounds_of_numbers_compare_as_decimals() -> None:
    param = Param("n", "integer", minimum=1.5, maximum=Decimal("3"))
    assert list(paramtypes.outside(param, 1)) == [("minimum", "below")]
    assert list(paramtypes.outside(param, 2)) == []
    assert list(paramtypes.outside(param, 4)) == [("maximum", "above")]
    assert list(paramtypes.outside(Param("s", "string", minimum=1), "a")) == []
