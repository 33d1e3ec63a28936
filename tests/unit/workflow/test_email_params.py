"""An email's templates see the params of the actions that send it, and only those (issue 11
§4: OWF505 refused `{{ params.carrier }}` in an email only `complete` sends, though `complete`
declares `carrier`). Did-you-mean hints come from the object the name was read from."""

from __future__ import annotations

from pathlib import Path

import pytest

from orderwf.workflow import loader

WORKFLOW = """
orderwf: 1
name: shop
initial: new
templates: templates
shop: {name: Test Shop, email: shop@example.com, currency: EUR}
statuses:
  new: {label: New}
  paid: {label: Paid, paid: true}
  done: {label: Done, paid: true, final: true}
actions:
  pay: {label: Pay, from: [new], to: paid}
  complete:
    label: Complete
    from: [paid]
    to: done
    params:
      carrier: {type: string, default: colissimo}
      number: {type: string}
emails:
  shipped:
    to: customer
    subject: "Shipped with {{ params.carrier }}"
    on: [{status: {to: done}}]
"""


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    (tmp_path / "templates").mkdir()
    path = tmp_path / "shop.yaml"
    path.write_text(WORKFLOW)
    return path


def _findings(
    shop: Path, template: str, *, yaml: str = WORKFLOW
) -> list[tuple[int, str, str, str | None]]:
    (shop.parent / "templates" / "shipped.txt.j2").write_text(template)
    shop.write_text(yaml)
    return [
        (f.line, f.code, f.message, f.hint)
        for f in loader.validate_files([shop], use_cache=False)
        if f.is_error
    ]


def test_an_email_sees_the_params_of_the_action_that_sends_it(shop: Path) -> None:
    assert _findings(shop, "Your parcel: {{ params.carrier }} {{ params.number }}\n") == []


def test_an_email_another_action_also_sends_names_that_action(shop: Path) -> None:
    # `pay` may now go to done too, and it declares no carrier: the customer would get an
    # email rendered without it, so both the subject and the file are refused, naming `pay`.
    both = WORKFLOW.replace(
        "pay: {label: Pay, from: [new], to: paid}", "pay: {label: Pay, from: [new], to: done}"
    )
    found = _findings(shop, "Hello\nYour parcel: {{ params.carier }}\n", yaml=both)
    assert found == [
        (
            23,
            "OWF404",
            "a template 'Shipped with {{ params.carrier }}' uses params.carrier, which action "
            "'pay' (it sends email 'shipped') does not declare",
            "declare 'carrier' in it too, or send the email only from actions that declare it",
        ),
        (
            2,
            "OWF505",
            "template 'shipped.txt.j2' uses params.carier, which actions 'pay', 'complete' "
            "(they send email 'shipped') do not declare",
            "did you mean 'carrier'?",
        ),
    ]


@pytest.mark.parametrize(
    ("template", "hint"),
    [
        ("{{ order.billing.prenom }}\n", None),  # once: "did you mean 'from'?"
        ("{{ order.billing.fist_name }}\n", "did you mean 'first_name'?"),
        ("{{ order.numbr }}\n", "did you mean 'number'?"),
    ],
)
def test_did_you_mean_only_from_the_same_object(
    shop: Path, template: str, hint: str | None
) -> None:
    [(_line, code, _message, found)] = _findings(shop, template)
    assert (code, found) == ("OWF505", hint)
