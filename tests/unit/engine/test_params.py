"""Action params: text converted to each type and checked against its declaration, every
problem reported at once (SPEC §2.1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from order_factory import order, refusal, tshirt

from orderwf.engine.params import REFUND_PARAMS, convert, declared
from orderwf.workflow.model import Action, Param, RefundEffect, Workflow

ACTION = Action(
    id="ship",
    label="Ship",
    sources=None,
    params=(
        Param("code", "string", pattern="^[A-Z0-9]{8,30}$"),
        Param("carrier", "string", enum=("colissimo", "ups"), default="colissimo"),
        Param("parcels", "integer", minimum=1, maximum=5),
        Param("insured", "decimal", minimum=Decimal("0.50"), maximum=Decimal("500")),
        Param("signed", "boolean", default=False),
        Param("shipped_on", "date"),
        Param("who", "string", required=True),
    ),
)


def values_of(**raw: Any) -> dict[str, Any]:
    values, problems = convert(ACTION, {"who": "Ana", **raw}, "EUR")
    assert problems == []
    return values


def problems_of(currency: str = "EUR", **raw: Any) -> list[str]:
    _, problems = convert(ACTION, {"who": "Ana", **raw}, currency)
    return problems


def test_absent_optional_params_are_none_or_their_default() -> None:
    assert values_of() == {
        "code": None,
        "carrier": "colissimo",
        "parcels": None,
        "insured": None,
        "signed": False,
        "shipped_on": None,
        "who": "Ana",
    }


@pytest.mark.parametrize(
    ("name", "raw", "value"),
    [
        ("code", " 6A12345678 ", "6A12345678"),
        ("carrier", "ups", "ups"),
        ("parcels", "3", 3),
        ("parcels", 5, 5),
        ("insured", "12.5", Decimal("12.50")),
        ("insured", "500", Decimal("500.00")),
        ("signed", "true", True),
        ("signed", "yes", True),
        ("signed", "1", True),
        ("signed", "False", False),
        ("signed", "no", False),
        ("signed", "0", False),
        ("signed", True, True),
        ("shipped_on", "2026-11-26", date(2026, 11, 26)),
        ("shipped_on", date(2026, 11, 26), date(2026, 11, 26)),  # a date already (scenarios)
    ],
)
def test_each_type_is_converted(name: str, raw: Any, value: Any) -> None:
    converted = values_of(**{name: raw})[name]
    assert converted == value
    assert type(converted) is type(value)


def test_decimal_is_quantised_to_the_currency() -> None:
    values, problems = convert(ACTION, {"who": "Ana", "insured": "12.5"}, "KWD")
    assert problems == []
    assert str(values["insured"]) == "12.500"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ({"parcels": "1.5"}, "param 'parcels': '1.5' is not an integer"),
        ({"parcels": "two"}, "param 'parcels': 'two' is not an integer"),
        ({"parcels": True}, "param 'parcels': True is not an integer"),
        ({"insured": "abc"}, "param 'insured': 'abc' is not a number (expected e.g. '12.50')"),
        ({"insured": "NaN"}, "param 'insured': 'NaN' is not a finite number"),
        ({"insured": "-Infinity"}, "param 'insured': '-Infinity' is not a finite number"),
        ({"insured": "1.005"}, "param 'insured': 1.005 has more decimals than EUR allows (2)"),
        (
            {"signed": "maybe"},
            "param 'signed': 'maybe' is not a boolean (expected true or false)",
        ),
        (
            {"shipped_on": "2026-02-30"},
            "param 'shipped_on': '2026-02-30' is not a date (expected YYYY-MM-DD)",
        ),
        (
            {"shipped_on": "26/11/2026"},
            "param 'shipped_on': '26/11/2026' is not a date (expected YYYY-MM-DD)",
        ),
        (
            {"shipped_on": "20261126"},
            "param 'shipped_on': '20261126' is not a date (expected YYYY-MM-DD)",
        ),
        (
            {"shipped_on": "2026-W48-4"},
            "param 'shipped_on': '2026-W48-4' is not a date (expected YYYY-MM-DD)",
        ),
        ({"carrier": "fedex"}, "param 'carrier': 'fedex' is not one of colissimo, ups"),
        (
            {"code": "6a123456"},
            "param 'code': '6a123456' does not match the pattern ^[A-Z0-9]{8,30}$",
        ),
        ({"parcels": "0"}, "param 'parcels': 0 is below the minimum 1"),
        ({"parcels": "6"}, "param 'parcels': 6 is above the maximum 5"),
        ({"insured": "0.49"}, "param 'insured': 0.49 is below the minimum 0.50"),
        ({"insured": "500.01"}, "param 'insured': 500.01 is above the maximum 500"),
        ({"who": ""}, "param 'who' is required (string)"),
        ({"who": None}, "param 'who' is required (string)"),
        ({"parcels": ["1", "2"]}, "param 'parcels' is given 2 times"),
        (
            {"weight": "2"},
            "unknown param 'weight' for action 'ship' (expected one of: code, carrier, "
            "parcels, insured, signed, shipped_on, who)",
        ),
    ],
)
def test_a_bad_value_is_one_problem(raw: dict[str, Any], problem: str) -> None:
    assert problems_of(**raw) == [problem]


def test_the_bounds_themselves_are_allowed() -> None:
    values = values_of(parcels="1", insured="0.50")
    assert (values["parcels"], values["insured"]) == (1, Decimal("0.50"))
    assert values_of(parcels="5")["parcels"] == 5


def test_an_unknown_param_of_an_action_without_params() -> None:
    bare = Action(id="hold", label="Hold", sources=None)
    assert convert(bare, {"why": "x"}, "EUR") == (
        {},
        ["unknown param 'why' for action 'hold' (it takes no params)"],
    )


def test_a_list_of_one_value_is_that_value() -> None:
    assert values_of(parcels=["2"])["parcels"] == 2


def test_every_problem_is_reported_at_once(snapshot: Any) -> None:
    _, problems = convert(
        ACTION,
        {
            "code": "short",
            "carrier": "fedex",
            "parcels": "9",
            "insured": "1.234",
            "signed": "perhaps",
            "shipped_on": "tomorrow",
            "colour": "red",
        },
        "EUR",
    )
    assert problems == snapshot


def test_a_refund_action_takes_the_refund_params_undeclared() -> None:
    refund = Action(id="refund", label="Refund", sources=None, effects=(RefundEffect(),))
    assert declared(refund) == REFUND_PARAMS
    values, problems = convert(refund, {"lines": "11=1", "restock": "no"}, "EUR")
    assert problems == []
    assert values == {"amount": None, "lines": ["11=1"], "restock": False, "reason": None}


def test_a_refund_action_may_redeclare_a_refund_param() -> None:
    reason = Param("reason", "string", required=True)
    refund = Action(
        id="refund", label="Refund", sources=None, params=(reason,), effects=(RefundEffect(),)
    )
    assert [p.name for p in declared(refund)] == ["reason", "amount", "lines", "restock"]
    assert convert(refund, {}, "EUR")[1] == ["param 'reason' is required (string)"]


def test_the_plan_refuses_with_every_problem(workflow: Workflow, snapshot: Any) -> None:
    error = refusal(
        workflow,
        order(tshirt(), status="processing"),
        "complete",
        {"tracking_number": "abc", "carrier": "fedex", "signature": "yes"},
    )
    assert error.message == "cannot apply 'complete' to order #100: 3 problems"
    assert error.reasons == snapshot


def test_the_plan_refuses_a_missing_required_param(workflow: Workflow) -> None:
    error = refusal(workflow, order(tshirt()), "add_note", {})
    assert error.message == "param 'text' is required (string)"
    assert error.reasons == ["param 'text' is required (string)"]


def test_params_reach_the_plan_converted(workflow: Workflow) -> None:
    from order_factory import plan

    p = plan(
        workflow,
        order(tshirt(), status="processing"),
        "add_tracking",
        {"number": "6a12345678901", "carrier": "ups", "shipped_on": "2026-11-20"},
    )
    assert p.params == {
        "number": "6a12345678901",
        "carrier": "ups",
        "shipped_on": date(2026, 11, 20),
    }


def test_a_decimal_bound_from_yaml_is_compared_as_written() -> None:
    """YAML gives `minimum: 0.1` as a float, 0.1000000000000000055…: the value 0.10 is not
    below it."""
    rate = Action(
        id="rate",
        label="Rate",
        sources=None,
        params=(Param("r", "decimal", minimum=0.1, maximum=0.3),),
    )
    assert convert(rate, {"r": "0.10"}, "EUR") == ({"r": Decimal("0.10")}, [])
    assert convert(rate, {"r": "0.30"}, "EUR") == ({"r": Decimal("0.30")}, [])
    assert convert(rate, {"r": "0.09"}, "EUR")[1] == ["param 'r': 0.09 is below the minimum 0.1"]
