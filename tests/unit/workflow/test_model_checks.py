"""The checks run on the typed model and place their findings through the file's path →
position map: where the model reads two spellings alike, the map tells them apart, and where
the engine gives an action params, the template checks give them too."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from orderwf.workflow import loader

CORPUS = Path(__file__).resolve().parents[3] / "tests/data/workflows"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copytree(CORPUS / "templates", tmp_path / "templates")
    (tmp_path / "wf").mkdir()
    return tmp_path / "wf"


HEAD = """orderwf: 1
name: t
initial: new
templates: ../templates
statuses:
  new: {label: New}
  paid: {label: Paid, paid: true}
"""


def _headlines(folder: Path, text: str) -> list[str]:
    path = folder / "t.yaml"
    path.write_text(HEAD + text)
    found = loader.validate_files([path], use_cache=False)
    return [f.headline().split(": ", 1)[1] for f in found]


def test_an_event_status_written_any_is_an_unknown_status(folder: Path) -> None:
    """The model reads an event's `from: any` as any status (the engine does), but SPEC's
    event filters have no `any`: the check reports what the file wrote."""
    found = _headlines(
        folder,
        """actions:
  pay: {label: Pay, from: [new], to: paid}
emails:
  hello:
    on:
      - status: {from: any}
""",
    )
    assert found == [
        "error[OWF103] email 'hello' is sent on a status change from unknown status 'any'"
    ]


def test_a_bare_action_event_is_any_action_and_a_named_one_must_exist(folder: Path) -> None:
    found = _headlines(
        folder,
        """actions:
  pay: {label: Pay, from: [new], to: paid}
emails:
  hello:
    on:
      - action
      - action: pya
""",
    )
    assert found == [
        "warning[OWF204] email 'hello': no action of this workflow can cause this event",
        "error[OWF109] email 'hello' is sent after unknown action 'pya'",
    ]


@pytest.mark.parametrize("refund", ["refund", "refund: {reason: Damaged}", "refund: {}"])
def test_an_action_that_refunds_from_the_params_has_the_refund_params(
    folder: Path, refund: str
) -> None:
    """As the engine gives them (`Action.declared_params`): a template may read
    `params.amount` whenever the action refunds from the params, however the refund is
    written."""
    found = _headlines(
        folder,
        f"""actions:
  pay:
    label: Pay
    from: [new]
    to: paid
    effects:
      - {refund}
      - note: "Refunded {{{{ params.amount }}}}"
""",
    )
    assert found == []


def test_an_action_that_refunds_the_remainder_has_no_refund_params(folder: Path) -> None:
    found = _headlines(
        folder,
        """actions:
  pay:
    label: Pay
    from: [new]
    to: paid
    effects:
      - refund: {remaining: true}
      - note: "Refunded {{ params.amount }}"
""",
    )
    assert [f.split("]")[0] for f in found] == ["error[OWF404"]
