from __future__ import annotations

import json

import pytest
from syrupy.assertion import SnapshotAssertion

from orderwf.workflow import findings as fnd
from orderwf.workflow.findings import Finding

SAMPLE = [
    Finding(
        "workflows/shop.yaml",
        14,
        11,
        "error",
        "OWF104",
        "action 'ship' goes to unknown status 'shiped'",
        "did you mean 'shipped'?",
        "$.actions.ship.to",
    ),
    Finding(
        "workflows/shop.yaml",
        3,
        1,
        "warning",
        "OWF202",
        "status 'lost' cannot be reached, 100% sure",
        None,
        "$.statuses.lost",
    ),
]


def test_text_matches_the_spec_example() -> None:
    assert fnd.report_text(SAMPLE[:1]) == (
        "workflows/shop.yaml:14:11: error[OWF104] action 'ship' goes to unknown status "
        "'shiped'\n  hint: did you mean 'shipped'?\n"
    )


def test_json_has_the_spec_fields() -> None:
    (first, _) = json.loads(fnd.report_json(SAMPLE))
    assert first == {
        "path": "workflows/shop.yaml",
        "line": 14,
        "column": 11,
        "severity": "error",
        "code": "OWF104",
        "message": "action 'ship' goes to unknown status 'shiped'",
        "hint": "did you mean 'shipped'?",
        "json_path": "$.actions.ship.to",
    }


def test_github_annotations(snapshot: SnapshotAssertion) -> None:
    assert fnd.report_github(SAMPLE) == snapshot


def test_sort_by_file_then_position_and_drop_duplicates() -> None:
    assert fnd.sort([*SAMPLE, SAMPLE[0]]) == [SAMPLE[1], SAMPLE[0]]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ((), "$"),
        (("statuses", "on-hold", "label"), "$.statuses['on-hold'].label"),
        (("actions", "pay", "to", 0, "if"), "$.actions.pay.to[0].if"),
        (("set", "meta.x"), "$.set['meta.x']"),
    ],
)
def test_json_path(path: tuple[str | int, ...], expected: str) -> None:
    assert fnd.json_path(path) == expected


def test_summary() -> None:
    assert fnd.summary(SAMPLE, 2) == "2 files checked: 1 error, 1 warning"
    assert fnd.summary([], 1) == "1 file checked: no problems found"
