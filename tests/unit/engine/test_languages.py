"""One journey through each shipped language (the default workflow, the French and the German
examples): every note and email subject an order gets, snapshotted, so each language's notes,
guard messages, dates and money stay as written (SPEC §11)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from order_factory import NOW, email_rows, note_texts, order, plan, refusal, shipping, tshirt
from syrupy.assertion import SnapshotAssertion

from orderwf.engine.context import shop_context
from orderwf.workflow.loader import load_workflow
from orderwf.workflow.model import Workflow

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = {
    "en_US": ROOT / "workflows" / "woocommerce.yaml",
    "fr_FR": ROOT / "workflows" / "examples" / "french.yaml",
    "de_DE": ROOT / "workflows" / "examples" / "german.yaml",
}

TRACKING = {
    "en_US": "1Z999AA10123456784",
    "fr_FR": "6A12345678901",
    "de_DE": "00340434161094042557",
}


@pytest.fixture(params=SHIPPED, ids=str)
def shipped(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Workflow:
    monkeypatch.setenv("ORDERWF_NO_CACHE", "1")
    return load_workflow(SHIPPED[request.param])


def test_each_language_writes_its_notes_and_subjects(
    shipped: Workflow, snapshot: SnapshotAssertion
) -> None:
    steps: list[tuple[str, dict[str, str]]] = [
        ("pay", {}),
        ("add_tracking", {"number": TRACKING[shipped.shop.locale], "shipped_on": "2026-11-27"}),
        ("add_note", {"text": "Merci / Danke / Thanks", "customer": "true"}),
        ("refund", {"amount": "5.50", "reason": "Damaged"}),
        ("mark_refunded", {}),
    ]
    current = order(tshirt(), shipping(), workflow=shipped.name)
    journey = []
    for action, params in steps:
        step = plan(shipped, current, action, params)
        journey.append(
            {
                "action": action,
                "notes": note_texts(step),
                "emails": [subject for _, _, subject in email_rows(step)],
            }
        )
        current = step.after
    timer = shipped.timers["cancel_unpaid"].note
    assert timer is not None  # rendered as `orderwf tick` renders it
    timer_note = timer.render({"shop": shop_context(shipped), "now": NOW})
    assert {"locale": shipped.shop.locale, "journey": journey, "timer": timer_note} == snapshot


def test_each_language_refuses_in_its_language(
    shipped: Workflow, snapshot: SnapshotAssertion
) -> None:
    no_email = order(tshirt(), workflow=shipped.name, billing={"first_name": "Camille"})
    assert refusal(shipped, no_email, "send_order_details").reasons == snapshot


FILTERS_EVERYWHERE = """
orderwf: 1
name: woocommerce
title: Filters in every text
initial: pending
shop: {name: Boutique, email: b@x.test, currency: EUR, locale: fr_FR, timezone: Europe/Paris}
statuses:
  pending: {label: En attente}
  paid: {label: Payée, paid: true}
actions:
  pay:
    label: Payer
    from: [pending]
    to: paid
    guard:
      - if: order.total < 20
        message: "Au-delà de {{ 20|money }} ({{ order.total|money(order.currency) }}), appelez."
messages:
  status_changed: "{{ now|datetime }} : {{ from.label }} → {{ to.label }}."
"""


def test_guard_messages_and_system_messages_format_by_the_locale(
    write_workflow: Callable[[str], Workflow],
) -> None:
    wf = write_workflow(FILTERS_EVERYWHERE)
    refused = refusal(wf, order(tshirt(), shipping()), "pay")
    assert refused.reasons == ["Au-delà de 20,00\xa0€ (25,00\xa0€), appelez."]
    paid = plan(wf, order(tshirt(quantity=1)), "pay")
    assert note_texts(paid) == ["26 novembre 2026, 11:00 : En attente → Payée."]
