"""Plain templates (`templating.plain_parts`): text and `{{ name }}` / `{{ name.attr }}`
outputs only, printed by `CompiledTemplate.render` itself instead of Jinja2's runtime. The
same text, or the same failure, as Jinja2 gives for every template and context Hypothesis
makes, including names the context lacks, globals, undefined and unsafe attributes, values
whose `str` fails, and text with newlines and trimmed blocks."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from orderwf import resources, templating
from orderwf.workflow.loader import load_workflow


class _Item:
    name = "Hoodie & <Cap>"
    sku = "HC-1"

    def __str__(self) -> str:
        return "an item"


class _Unprintable:
    def __str__(self) -> str:
        raise ValueError("no text for this one")


NAMES = ["changes", "shop", "item", "order", "range", "missing_one", "bad"]
ATTRS = ["name", "sku", "items", "__class__", "nope", "email"]
VALUES = st.one_of(
    st.text(max_size=12),
    st.integers(),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
    st.builds(Markup, st.text(max_size=8)),
    st.dictionaries(st.sampled_from(ATTRS), st.text(max_size=6), max_size=3),
    st.just(_Item()),
    st.just(_Unprintable()),
    st.builds(lambda: jinja2.StrictUndefined(name="u")),
    st.none(),
)
TEXT = st.text(
    alphabet=st.characters(blacklist_characters="{}%#", blacklist_categories=("Cs",)),
    max_size=10,
)
OUTPUT = st.builds(
    lambda name, attrs, pad: "{{" + pad + ".".join([name, *attrs]) + pad + "}}",
    st.sampled_from(NAMES),
    st.lists(st.sampled_from(ATTRS), max_size=2),
    st.sampled_from(["", " ", "  "]),
)


def _outcome(template: templating.CompiledTemplate, context: Mapping[str, Any]) -> tuple[str, str]:
    try:
        return "text", template.render(context)
    except templating.TemplateProblem as e:
        return "failure", str(e)


def _by_jinja2(
    template: templating.CompiledTemplate, context: Mapping[str, Any]
) -> tuple[str, str]:
    """The same render with the plain path turned off: Jinja2's own code."""
    compiled = template._template
    parts = compiled.orderwf_plain  # type: ignore[attr-defined]
    compiled.orderwf_plain = None  # type: ignore[attr-defined]
    try:
        return _outcome(template, context)
    finally:
        compiled.orderwf_plain = parts  # type: ignore[attr-defined]


@settings(max_examples=400, deadline=None)
@given(
    pieces=st.lists(st.one_of(TEXT, OUTPUT), min_size=1, max_size=5),
    newline=st.sampled_from(["", "\n", "\r\n"]),
    context=st.dictionaries(st.sampled_from(NAMES), VALUES, max_size=6),
)
def test_a_plain_template_prints_what_jinja2_prints(
    pieces: list[str], newline: str, context: dict[str, Any]
) -> None:
    source = "".join(pieces) + newline
    template = templating.compile_template(source)
    if "{" in source:
        assert template._template.orderwf_plain is not None  # type: ignore[attr-defined]
    assert _outcome(template, context) == _by_jinja2(template, context)


@pytest.mark.parametrize(
    "source",
    [
        "{{ changes|upper }}",
        "{% if changes %}{{ changes }}{% endif %}",
        "{{ shop['name'] }}",
        "{{ item.name ~ '!' }}",
        "{{ 'a' }}{{ changes }}",
        "{{ shop.name() }}",
    ],
)
def test_anything_more_than_text_and_names_renders_through_jinja2(source: str) -> None:
    template = templating.compile_template(source)
    assert template._template.orderwf_plain is None  # type: ignore[attr-defined]


def test_html_templates_are_never_plain_they_escape() -> None:
    template = templating.compile_template("<p>{{ changes }}</p>", html=True)
    assert template._template.orderwf_plain is None  # type: ignore[attr-defined]
    assert template.render({"changes": "<b>"}) == "<p>&lt;b&gt;</p>"


def test_the_shipped_workflows_stock_notes_and_subjects_take_the_plain_path() -> None:
    """What a bulk apply renders for every order: the stock note, and each email's subject."""
    workflow = load_workflow(resources.default_workflow_path())
    plain = {
        key: template._template.orderwf_plain  # type: ignore[attr-defined]
        for key, template in workflow.messages.items()
    }
    assert plain["stock_reduced"] == ("Stock levels reduced: ", ("changes",))
    assert plain["stock_restored"] == ("Stock levels increased: ", ("changes",))
    subject = workflow.emails["customer_processing_order"].subject
    assert subject._template.orderwf_plain == (  # type: ignore[attr-defined]
        "Your ",
        ("shop", "name"),
        " order has been received!",
    )
    assert (
        subject.render({"shop": {"name": "Café & Co"}}) == "Your Café & Co order has been received!"
    )
    note = workflow.messages["stock_reduced"].render({"changes": Decimal("1.50")})
    assert note == "Stock levels reduced: 1.50"
