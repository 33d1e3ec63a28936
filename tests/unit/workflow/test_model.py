"""`Workflow.require_status`: the status an operator names, by id or by label (SPEC §11)."""

from __future__ import annotations

import pytest

from orderwf.errors import UsageError
from orderwf.workflow.model import Status, Workflow


def _workflow(*statuses: Status) -> Workflow:
    return Workflow(
        name="w",
        title="w",
        initial=statuses[0].id,
        statuses={s.id: s for s in statuses},
        actions={},
    )


def test_an_id_wins_over_a_label() -> None:
    wf = _workflow(Status("done", "Shipped"), Status("shipped", "Done"))
    assert wf.require_status("shipped").id == "shipped"
    assert wf.require_status("SHIPPED").id == "done"  # no id is written so: the label


def test_a_label_shared_by_two_statuses_asks_for_the_id() -> None:
    wf = _workflow(Status("a", "Écart"), Status("b", "ecart"))
    with pytest.raises(UsageError) as caught:
        wf.require_status("Ecart")
    assert caught.value.message == (
        "status 'Ecart' is the label of several statuses (a, b): give the id"
    )
