"""A bulk apply's order-less checks (`service.bulk.request`): they need no database (none is
given here), and they run once, before one is opened."""

from __future__ import annotations

from pathlib import Path

import pytest

from orderwf.errors import NotFound, Refused, UsageError
from orderwf.service import bulk
from orderwf.workflows import Workflows

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def workflows() -> Workflows:
    return Workflows(None, str(REPO / "workflows" / "woocommerce.yaml"))


def test_a_status_label_becomes_its_id_and_ids_are_kept_once(workflows: Workflows) -> None:
    checked = bulk.request(workflows, "add_note", {"text": "x"}, status="Pending payment")
    assert checked == bulk.Request("add_note", {"text": "x"}, status="pending")
    by_ids = bulk.request(workflows, "process", ids=[3, 1, 3])
    assert (by_ids.status, by_ids.ids) == (None, (3, 1))


def test_an_action_no_workflow_has_refuses_the_run(workflows: Workflows) -> None:
    with pytest.raises(NotFound, match="unknown action 'proces' in workflow 'woocommerce'"):
        bulk.request(workflows, "proces", status="pending")


def test_an_unknown_status_refuses_the_run(workflows: Workflows) -> None:
    with pytest.raises(UsageError, match="pendng"):
        bulk.request(workflows, "process", status="pendng")


@pytest.mark.parametrize(
    ("action", "params", "message"),
    [
        ("process", {"x": "1"}, "unknown param 'x' for action 'process' (it takes no params)"),
        (
            "add_note",
            {"text": "hi", "txet": "hi"},
            "unknown param 'txet' for action 'add_note' (expected one of: text, customer)",
        ),
    ],
)
def test_a_param_the_action_does_not_take_refuses_the_run(
    workflows: Workflows, action: str, params: dict[str, str], message: str
) -> None:
    # Every order would be refused for it: refused once, before any order is read (a run
    # over an empty status said "0 applied" and never named it).
    with pytest.raises(Refused) as refused:
        bulk.request(workflows, action, params, status="pending")
    assert str(refused.value) == f"{message}; no order was changed"
    assert refused.value.reasons == [message]
