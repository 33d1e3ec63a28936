"""The shipped email templates, unchanged, render without the sandbox (`templating.
trusted_template`): trusted by content (SHA-256 equal to the shipped file of the same name, the
partials they use included), never by path; and both paths give the same bytes, for every
shipped template, over WooCommerce's example orders varied by Hypothesis."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jinja2 import meta
from markupsafe import Markup, escape

from orderwf import resources, templating, woo
from orderwf.engine import context as ctx
from orderwf.workflow.loader import load_workflow
from orderwf.workflow.model import Workflow

SHIPPED = resources.templates_dir().resolve()
FOLDERS = [SHIPPED, *sorted(p for p in SHIPPED.iterdir() if p.is_dir())]
TEMPLATES = [(folder, path.name) for folder in FOLDERS for path in sorted(folder.glob("*.j2"))]
FIXTURES = (
    Path(__file__).resolve().parents[1] / "data" / "woocommerce"
)  # the REST API docs' examples


def _ids(case: tuple[Path, str]) -> str:
    return str((case[0] / case[1]).relative_to(SHIPPED))


def _uses(folder: Path, name: str) -> set[str]:
    """`name` and every template it uses, by Jinja2's own `find_referenced_templates`."""
    env = templating.email_environment(folder)
    found: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            source = (folder / current).read_text(encoding="utf-8")
            todo += [n for n in meta.find_referenced_templates(env.parse(source)) if n]
    return found


@pytest.mark.parametrize("case", TEMPLATES, ids=_ids)
def test_every_shipped_template_is_trusted_with_the_partials_jinja2_finds(
    case: tuple[Path, str],
) -> None:
    folder, name = case
    sources = templating.shipped_sources(folder, name)
    assert sources is not None
    assert set(sources) == _uses(folder, name)
    assert not templating.load_email_template(folder, name, lazy=True).sandboxed


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A shop's templates folder as `orderwf init` makes it: a copy of the shipped one."""
    shutil.copytree(SHIPPED, tmp_path / "emails")
    return tmp_path / "emails"


def _sandboxed(folder: Path, name: str) -> bool:
    return templating.load_email_template(folder, name, lazy=True).sandboxed


def test_a_copy_of_the_shipped_templates_is_trusted(shop: Path) -> None:
    assert not _sandboxed(shop, "customer_processing_order.html.j2")
    assert not _sandboxed(shop / "fr", "customer_processing_order.txt.j2")


def test_an_edited_partial_sends_every_template_that_uses_it_to_the_sandbox(shop: Path) -> None:
    tracking = shop / "_tracking.html.j2"
    tracking.write_text(tracking.read_text(encoding="utf-8") + "<!-- edited -->\n")
    assert _sandboxed(shop, "customer_completed_order.html.j2")  # via _order_details
    assert _sandboxed(shop, "_order_details.html.j2")
    assert not _sandboxed(shop, "customer_completed_order.txt.j2")  # the text partials
    assert not _sandboxed(shop / "fr", "customer_completed_order.html.j2")


def test_trust_follows_the_content_not_the_path(shop: Path) -> None:
    # Another shipped file's text under a shipped name: the path is shipped, the text not its.
    shutil.copy(shop / "customer_note.txt.j2", shop / "new_order.txt.j2")
    assert _sandboxed(shop, "new_order.txt.j2")
    # The French layout in the English folder is a shipped `_layout.html.j2`: trusted.
    shutil.copy(shop / "fr" / "_layout.html.j2", shop / "_layout.html.j2")
    assert not _sandboxed(shop, "customer_note.html.j2")
    # A template of the admin's own, even one that only includes shipped partials.
    (shop / "mine.txt.j2").write_text('{% include "_order_details.txt.j2" %}')
    assert _sandboxed(shop, "mine.txt.j2")


def test_a_missing_partial_leaves_the_error_to_the_sandbox(shop: Path) -> None:
    (shop / "_addresses.txt.j2").unlink()
    template = templating.load_email_template(shop, "new_order.txt.j2", lazy=True)
    assert template.sandboxed
    context = {"order": _orders()[0], "shop": ctx.shop_context(_workflow())}
    with pytest.raises(templating.TemplateProblem, match="_addresses.txt.j2"):
        template.render(context)


def test_an_edited_template_is_held_by_the_sandbox(shop: Path) -> None:
    (shop / "customer_note.txt.j2").write_text("{{ order.billing.clear() }}")
    template = templating.load_email_template(shop, "customer_note.txt.j2", lazy=True)
    with pytest.raises(templating.TemplateProblem, match="not allowed in the sandbox"):
        template.render({"order": {"billing": {"email": "c@x.test"}}})


# -- Both paths, the same bytes ----------------------------------------------------------------


@cache
def _workflow() -> Workflow:
    return load_workflow(resources.default_workflow_path())


@cache
def _orders() -> tuple[dict[str, Any], ...]:
    """WooCommerce's documented example orders as templates see them."""
    items = json.loads((FIXTURES / "orders-list.json").read_text(encoding="utf-8"))
    items.append(json.loads((FIXTURES / "order-727.json").read_text(encoding="utf-8")))
    orders = woo.parse_orders(items, currency="USD")
    return tuple(ctx.order_context(_workflow(), woo.route_snapshot(order, {})) for order in orders)


_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from("<>&\"' \n"),
    max_size=12,
)
_MONEY = st.decimals(min_value=0, max_value=99999, places=2, allow_nan=False)
_WHEN = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 1, 1)).map(
    lambda d: d.replace(tzinfo=UTC)
)


def _line(line: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "name": _TEXT,
            "method_title": _TEXT,
            "sku": _TEXT | st.just(""),
            "quantity": st.integers(0, 5),
            "quantity_refunded": st.integers(0, 3),
            "price": _MONEY,
            "total": _MONEY,
        }
    ).map(lambda changes: {**line, **changes})


@st.composite
def _contexts(draw: st.DrawFn) -> dict[str, Any]:
    order = dict(draw(st.sampled_from(_orders())))
    for key in ("line_items", "shipping_lines", "fee_lines"):
        lines = order[key] or [_orders()[0]["line_items"][0]]
        order[key] = draw(st.lists(st.sampled_from(lines).flatmap(_line), max_size=3))
    for key in ("billing", "shipping"):
        order[key] = {
            **order[key],
            **draw(st.dictionaries(st.sampled_from(sorted(order[key])), _TEXT, max_size=4)),
        }
    refund = st.fixed_dictionaries(
        {"amount": _MONEY, "reason": _TEXT, "restock": st.booleans(), "created_at": _WHEN}
    )
    tracking = st.fixed_dictionaries(
        {
            "carrier": _TEXT,
            "number": _TEXT,
            "url": st.sampled_from(["", "https://t.test/?a=1&b=<2>", "javascript:x"]) | _TEXT,
            "shipped_on": st.none() | st.dates(date(2000, 1, 1), date(2099, 1, 1)),
        }
    )
    order |= {
        "number": draw(_TEXT),
        "currency": draw(st.sampled_from(["USD", "EUR", "JPY", "GBP"])),
        "date_created": draw(_WHEN),
        "customer_note": draw(_TEXT),
        "payment_method_title": draw(_TEXT),
        "total": draw(_MONEY),
        "subtotal": draw(_MONEY),
        "total_tax": draw(_MONEY | st.just(Decimal(0))),
        "remaining_refundable": draw(_MONEY),
        "refunds": draw(st.lists(refund, max_size=2)),
        "tracking": draw(st.lists(tracking, max_size=2)),
    }
    locale = draw(st.sampled_from(["en_US", "fr_FR", "de_DE"]))
    shop = {**ctx.shop_context(_workflow()), "name": draw(_TEXT), "locale": locale}
    return {
        "order": order,
        "shop": shop,
        "params": {},
        "actor": "system",
        "now": draw(_WHEN),
    }


def _outcome(template: Any, context: dict[str, Any]) -> bytes | str:
    try:
        return str(template.render(context)).encode("utf-8")
    except Exception as e:  # an order a template cannot print fails the same way on both
        return f"{type(e).__name__}: {e}"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(context=_contexts())
def test_both_paths_render_every_shipped_template_to_the_same_bytes(
    context: dict[str, Any],
) -> None:
    for folder, name in TEMPLATES:
        trusted = templating.trusted_template(folder, name)
        assert trusted is not None
        sandboxed = templating.email_environment(folder).get_template(name)
        assert not trusted.environment.sandboxed
        assert sandboxed.environment.sandboxed
        assert _outcome(trusted, context) == _outcome(sandboxed, context), (folder, name)


class _Html:
    """A value that escapes itself, as `markupsafe.Markup` and its kin do."""

    def __html__(self) -> str:
        return "<i>own</i>"

    def __str__(self) -> str:
        return "<i>not this</i>"


class _Plain:
    name = "O'Brien & <Sons>"


_VALUES = [
    "Tom & Jerry <tom@example.com> \"quoted\" 'single'",
    Markup("<b>already safe</b>"),
    _Html(),
    42,
    Decimal("1.50"),
    None,
    {"name": "<dict item>"},
    {"other": 1},  # `x.name` undefined: both raise
    {"items": "<an item named like a dict method>"},
    _Plain(),
]


@pytest.mark.parametrize("value", _VALUES, ids=repr)
@pytest.mark.parametrize("expression", ["v", "v.name", "v.items", "v|string", "w.v", "w.v.name"])
@pytest.mark.parametrize("autoescape", [True, False])
def test_trusted_code_outputs_and_looks_up_as_jinja2_does(
    value: Any, expression: str, autoescape: bool
) -> None:
    """`TrustedCode`'s own lookups (`x.y` on a dict) and escaping (`trusted_escape`) against
    the sandbox's code, on values the shipped templates never pass."""
    source = (
        f"{{% autoescape {str(autoescape).lower()} %}}[{{{{ {expression} }}}}]{{% endautoescape %}}"
    )
    trusted = templating.trusted_environment(SHIPPED).from_string(source)
    sandboxed = templating.email_environment(SHIPPED).from_string(source)
    context = {"v": value, "w": {"v": value}}
    assert _outcome(trusted, context) == _outcome(sandboxed, context)


def test_trusted_escape_is_markupsafe_escape_as_str() -> None:
    for value in _VALUES:
        assert templating.trusted_escape(value) == str(escape(value))
        assert type(templating.trusted_escape(value)) is str
