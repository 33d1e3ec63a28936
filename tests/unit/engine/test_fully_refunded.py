"""`messages.fully_refunded` (issue 11 §4): documented and validated, now noted when a refund
leaves nothing refundable; never on a partial refund; "" leaves it out."""

from __future__ import annotations

from collections.abc import Callable

from order_factory import note_texts, order, plan, tshirt

from orderwf.workflow.model import Workflow

RULES = """
orderwf: 1
name: woocommerce
initial: processing
shop: {name: Shop, email: shop@x.test, currency: EUR}
statuses:
  processing: {label: Processing, paid: true}
actions:
  refund: {label: Refund, from: [processing], effects: [refund]}
"""


def test_a_full_refund_is_noted_with_the_shops_text(
    write_workflow: Callable[[str], Workflow],
) -> None:
    wf = write_workflow(RULES + 'messages:\n  fully_refunded: "Tout remboursé ({{ actor }})."\n')
    start = order(tshirt(), status="processing")  # 2 × 10.00
    partial = plan(wf, start, "refund", {"amount": "5"}, actor="alice")
    assert note_texts(partial) == []
    full = plan(wf, partial.after, "refund", {"amount": "15"}, actor="alice")
    assert note_texts(full) == ["Tout remboursé (alice)."]
    assert [e["type"] for e in full.effects] == ["refund", "note"]


def test_the_default_text_and_an_empty_one(write_workflow: Callable[[str], Workflow]) -> None:
    start = order(tshirt(), status="processing")
    assert note_texts(plan(write_workflow(RULES), start, "refund", {"amount": "20"})) == [
        "Order fully refunded."
    ]
    quiet = write_workflow(RULES + 'messages:\n  fully_refunded: ""\n')
    assert note_texts(plan(quiet, start, "refund", {"amount": "20"})) == []
