"""A bulk apply's order-less checks (`service.bulk.request`): they need no database (none is
given here), and they run once, before one is opened."""

from __future__ import annotations

from pathlib import Path

import pytest

from orderwf.errors import NotFound, UsageError
from orderwf.service import bulk
from orderwf.workflows import Workflows

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def workflows() -> Workflows:
    return Workflows(None, str(REPO / "workflows" / "woocommerce.yaml"))


def test_a_status_label_becomes_its_id_and_ids_are_kept_once(workflows: Workflows) -> None:
    checked = bulk.request(workflows, "process", {"x": "1"}, status="Pending payment")
    assert checked == bulk.Request("process", {"x": "1"}, status="pending")
    by_ids = bulk.request(workflows, "process", ids=[3, 1, 3])
    assert (by_ids.status, by_ids.ids) == (None, (3, 1))


def test_an_action_no_workflow_has_refuses_the_run(workflows: Workflows) -> None:
    with pytest.raises(NotFound, match="unknown action 'proces' in workflow 'woocommerce'"):
        bulk.request(workflows, "proces", status="pending")


def test_an_unknown_status_refuses_the_run(workflows: Workflows) -> None:
    with pytest.raises(UsageError, match="pendng"):
        bulk.request(workflows, "process", status="pendng")
