"""What planning an action reads of an order (`engine.reads`), and the order a store loaded
partly: planning from only the parts the reckoning names gives the same plan as from the
whole order, and a part that was not loaded fails loudly when something reads it."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from dataclasses import fields, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from order_factory import NOW, order, shipping, tshirt

from orderwf import orders as s
from orderwf import templating
from orderwf.engine import context as ctx
from orderwf.engine import plan as planner
from orderwf.engine import reads
from orderwf.errors import OrderwfError
from orderwf.store import snapshots
from orderwf.templating import TemplateProblem, compile_expr, compile_template
from orderwf.workflow import model as m
from orderwf.workflow.model import Workflow

_FIELDS = {"lines": ["lines"], "notes": ["notes"], "refunds": ["refunds"],
           "tracking": ["tracking"], "once": ["emails_sent"],
           "addresses": ["billing", "shipping"], "order details": s.ORDER_DETAILS}  # fmt: skip

PARAMS: Mapping[str, dict[str, Any]] = {
    "complete": {"tracking_number": "ABCD12345678"},
    "refund": {"amount": "3.00", "reason": "damaged"},
    "add_note": {"text": "Called the customer"},
    "add_tracking": {"number": "TRACK123456"},
}


def partly(whole: s.Order, parts: frozenset[str]) -> s.Order:
    """The order as `load_orders(parts=parts)` gives it: the other parts `NotLoaded`, and
    without "line details" the product lines alone, each without its details."""
    missing: dict[str, Any] = {
        field: s.NotLoaded(part)
        for part, fields in _FIELDS.items()
        if part not in parts
        for field in fields
    }
    if "lines" in parts and "line details" not in parts:
        missing["lines"] = s.ProductLines(bare(line) for line in whole.line_items)
    return s.evolve(whole, **missing)


def bare(line: s.Line) -> s.BareLine:
    """The line as the store reads it without its details."""
    fields_ = {k: v for k, v in line.__dict__.items() if k in s.held_fields(s.BareLine)}
    return snapshots.adopt_all(s.BareLine, [fields_])[0]


def rich_order(status: str) -> s.Order:
    """An order with a bit of everything: notes (one to the customer), a refund, tracking, a
    `once` email already sent."""
    return order(
        tshirt(),
        shipping(),
        status=status,
        notes=(
            s.Note(1, "Called", False, "admin", NOW),
            s.Note(2, "Thanks!", True, "admin", NOW),
        ),
        refunds=(s.Refund(7, Decimal("2.00"), "late", False, (), NOW),),
        tracking=(s.Tracking("ups", "1Z999", "https://ups.test/1Z999", date(2026, 11, 25)),),
        emails_sent=frozenset({"new_order"}),
    )


def outcome(workflow: Workflow, before: s.Order, action: str) -> Any:
    """What planning gives, comparable: the effects, notes, emails and stock, or the refusal."""
    try:
        p = planner.plan(workflow, before, action, PARAMS.get(action, {}), actor="admin", now=NOW)
    except OrderwfError as e:
        return ("refused", e.message)
    emails = [(e.email, e.to, e.subject, e.text, e.html) for e in p.emails]
    return (p.effects, [n.note for n in p.notes], emails, p.stock, p.after.status)


NO_EMAIL = """
orderwf: 1
name: woocommerce
initial: pending
statuses:
  pending: {label: Pending, stock: restore}
  processing: {label: Processing, paid: true, stock: reduce}
  on-hold: {label: On hold, stock: reduce}
actions:
  process: {label: Process, from: [pending, on-hold], to: processing}
  hold: {label: Hold, from: [pending, processing], to: on-hold}
  reopen: {label: Reopen, from: [on-hold, processing], to: pending}
  chase:
    label: Chase
    from: any
    guard:
      - if: order.notes|length < 5
        message: "Chased {{ order.customer_notes|length }} times already."
  thank:
    label: Thank
    from: any
    effects:
      - note: "Thanks, {{ order.billing.first_name }}: {{ order.remaining_refundable }} left."
  dump:
    label: Dump
    from: any
    effects:
      - note: "{{ order }}"
  track:
    label: Track
    from: any
    to: processing
    effects:
      - note: "{% for t in order['tracking'] %}{{ t.number }}{% endfor %}"
  stamp:
    label: Stamp
    from: any
    effects:
      - set: {meta.checked: "yes"}
"""


def test_a_plain_status_change_reads_the_lines_alone(
    write_workflow: Callable[[str], Workflow],
) -> None:
    wf = write_workflow(NO_EMAIL)
    assert reads.parts_for(wf, "process") == {"lines"}
    assert reads.parts_for(wf, "chase") == {"lines", "notes"}
    # What is left to refund: the refunds, and the total (a field of "order details").
    assert reads.parts_for(wf, "thank") == {"lines", "refunds", "addresses", "order details"}
    assert reads.parts_for(wf, "track") == {"lines", "tracking"}
    # A `set` effect adds to the metadata (a field of "order details").
    assert reads.parts_for(wf, "stamp") == {"lines", "order details"}
    # `order` used whole, or an action the workflow lacks: everything.
    assert reads.parts_for(wf, "dump") == reads.PARTS
    assert reads.parts_for(wf, "nope") == reads.PARTS


@pytest.mark.parametrize(
    ("cond", "expected"),
    [
        (None, {"lines"}),
        ("order.created_via == 'checkout'", {"lines", "order details"}),
        ("order.status == 'pending'", {"lines"}),
        ("order.customer_notes | length == 0", {"lines", "notes"}),
        ("order.remaining_refundable > 0", {"lines", "refunds", "order details"}),
        ("order['notes'] or order", reads.PARTS),  # `order` used whole: everything
    ],
)
def test_a_timer_reads_what_its_if_and_its_action_read(
    write_workflow: Callable[[str], Workflow], cond: str | None, expected: set[str]
) -> None:
    wf = write_workflow(NO_EMAIL)
    timer = m.Timer("t", "pending", timedelta(hours=1), "process")
    if cond is not None:
        timer = replace(timer, cond=compile_expr(cond))
    assert reads.parts_for_timer(wf, timer) == expected
    assert reads.parts_for_timer(wf, replace(timer, action="chase")) == expected | {"notes"}


@pytest.mark.parametrize(
    ("field", "part"),
    [
        # The names of the order's context made of the lines' amounts or flags.
        *[(f, "line details") for f in ["line_items", "lines", "shipping_lines", "fee_lines"]],
        *[(f, "line details") for f in ["subtotal", "shipping_total", "total_tax"]],
        ("needs_processing", "line details"),
        # What only templates read of the order's row (`orders.ORDER_DETAILS`).
        *[(f, "order details") for f in ["total", "customer_note", "created_via"]],
        *[(f, "order details") for f in ["payment_method_title", "date_created", "meta"]],
    ],
)
def test_a_name_of_the_order_read_reads_its_part(
    write_workflow: Callable[[str], Workflow], field: str, part: str
) -> None:
    wf = write_workflow(NO_EMAIL)
    timer = m.Timer(
        "t", "pending", timedelta(hours=1), "process", cond=compile_expr(f"order.{field}")
    )
    assert reads.parts_for_timer(wf, timer) == {"lines", part}


def test_an_order_read_without_its_details_has_no_metadata_to_show_or_set(
    workflow: Workflow, write_workflow: Callable[[str], Workflow]
) -> None:
    narrow = partly(rich_order("processing"), frozenset({"lines"}))
    each_raises_not_loaded(ctx.base_context(workflow, narrow, now=NOW), "{{ order.meta }}")
    with pytest.raises(s.NotLoadedError):
        planner.plan(write_workflow(NO_EMAIL), narrow, "stamp", actor="a", now=NOW)
    whole = partly(rich_order("processing"), frozenset({"lines", "order details"}))
    stamped = planner.plan(write_workflow(NO_EMAIL), whole, "stamp", actor="a", now=NOW)
    assert stamped.after.meta == {**rich_order("processing").meta, "checked": "yes"}


def test_refunds_read_without_the_total_show_the_refunds_but_not_what_is_left(
    workflow: Workflow,
) -> None:
    narrow = partly(rich_order("processing"), frozenset({"lines", "refunds"}))
    context = ctx.base_context(workflow, narrow, now=NOW)
    assert compile_template("{{ order.refunds|length }} refund").render(context) == "1 refund"
    each_raises_not_loaded(context, "{{ order.remaining_refundable }}", "{{ order.total }}")


TEMPLATES = Path(__file__).resolve().parents[3] / "templates" / "emails"
# What the shipped order emails read, partials included: everything but the notes.
EMAIL = {"lines", "line details", "once", "refunds", "tracking", "addresses", "order details"}


def test_an_action_that_may_send_an_email_reads_what_its_files_read(workflow: Workflow) -> None:
    # `process` from pending sends new_order and customer_processing_order: their files and
    # partials print the lines, refunds and tracking, never a note.
    assert reads.parts_for(workflow, "process") == EMAIL
    assert reads.parts_for(workflow, "refund") == EMAIL  # the refunded-order emails
    # A note to the customer may send customer_note, which prints the last one.
    assert reads.parts_for(workflow, "add_note") == reads.PARTS


def _email_folder(tmp_path: Path, text: str) -> Path:
    """A copy of the shipped templates whose new_order parts are `text`, with two partials
    of an admin's own."""
    folder = tmp_path / "emails"
    shutil.copytree(TEMPLATES, folder)
    (folder / "_extra.html.j2").write_text("{{ order.customer_notes|length }}", encoding="utf-8")
    (folder / "_macros.html.j2").write_text(
        "{% macro number(o) %}{{ o.number }}{% endmacro %}", encoding="utf-8"
    )
    for part in ("new_order.html.j2", "new_order.txt.j2"):
        (folder / part).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{ order.number }}", {"lines", "once"}),
        ('{% extends "_layout.html.j2" %}{% block content %}{{ order.number }}{% endblock %}',
         {"lines", "once"}),
        ('{% include "_order_details.html.j2" %}', EMAIL),
        ('{% include "_extra.html.j2" %}', {"lines", "once", "notes"}),  # an admin's partial
        ("{% for n in order.notes %}{{ n.note }}{% endfor %}", {"lines", "once", "notes"}),
        # `order` used whole: everything.
        ('{% import "_macros.html.j2" as m %}{{ m.number(order) }}', reads.PARTS),
        ("{% set o = order %}{{ o.number }}", reads.PARTS),
    ],
)  # fmt: skip
def test_an_edited_email_reads_what_its_text_and_partials_read(
    write_workflow: Callable[[str], Workflow], tmp_path: Path, text: str, expected: set[str]
) -> None:
    folder = _email_folder(tmp_path, text)
    wf = write_workflow(_emailing("[{status: {}}]").replace("{templates}", str(folder)))
    assert reads.parts_for(wf, "process") == expected


@pytest.mark.parametrize(
    ("to", "expected"), [("shop", {"lines", "once"}), ("customer", {"lines", "once", "addresses"})]
)
def test_an_email_to_the_customer_reads_the_billing_address(
    write_workflow: Callable[[str], Workflow], tmp_path: Path, to: str, expected: set[str]
) -> None:
    # Its recipient is the billing address's email, whatever its files read.
    folder = _email_folder(tmp_path, "{{ order.number }}")
    text = _emailing("[{status: {}}]").replace("{templates}", str(folder))
    wf = write_workflow(text.replace("to: shop", f"to: {to}"))
    assert reads.parts_for(wf, "process") == expected


@pytest.mark.parametrize(
    "text",
    [
        "{% include order.meta.partial %}",  # a partial named by an expression
        '{% include "_missing.html.j2" %}',
        "{% if %}",  # does not parse
        '{% include "_macros.html.j2" %}{{ order|length }}',
    ],
)
def test_an_email_whose_reads_cannot_be_told_reads_everything(tmp_path: Path, text: str) -> None:
    env = templating.email_environment(_email_folder(tmp_path, text).resolve())
    assert templating.email_order_fields(env, "new_order.html.j2") is None
    assert templating.email_order_fields(env, "_extra.html.j2") == {"customer_notes"}


@pytest.mark.parametrize("status", ["pending", "processing", "on-hold", "completed"])
def test_planning_from_the_parts_read_is_planning_from_the_whole_order(
    workflow: Workflow, write_workflow: Callable[[str], Workflow], status: str
) -> None:
    for wf in (workflow, write_workflow(NO_EMAIL)):
        whole = rich_order(status)
        for action in wf.actions:
            narrow = partly(whole, reads.parts_for(wf, action))
            assert outcome(wf, narrow, action) == outcome(wf, whole, action), (wf.name, action)


@pytest.mark.parametrize("status", ["pending", "processing", "on-hold", "completed"])
def test_a_plan_holds_the_kinds_its_log_holds(
    workflow: Workflow, write_workflow: Callable[[str], Workflow], status: str
) -> None:
    # The planner keeps each kind as it logs it; `Plan(...)` reads them from the log. Every
    # plan's order has the next version, whichever copy of it carried it.
    made = 0
    for wf in (workflow, write_workflow(NO_EMAIL)):
        for action in wf.actions:
            try:
                p = planner.plan(
                    wf, rich_order(status), action, PARAMS.get(action, {}), actor="a", now=NOW
                )
            except OrderwfError:
                continue
            assert p.__dict__.keys() == {f.name for f in fields(planner.Plan)}
            assert replace(p) == p, (wf.name, action)  # `replace` runs `__post_init__`
            assert p.after.version == p.before.version + 1, (wf.name, action)
            made += 1
    assert made >= 4  # planned, not refused, in each status


def test_a_part_not_loaded_fails_loudly_on_any_use() -> None:
    notes = s.NotLoaded("notes")
    uses: list[Callable[[], object]] = [
        lambda: list(notes),
        lambda: len(notes),
        lambda: bool(notes),
        lambda: str(notes),
        lambda: notes > 0,  # type: ignore[operator]
        lambda: "x" in notes,  # type: ignore[operator]
        lambda: notes.note,  # type: ignore[attr-defined]
        lambda: notes[0],  # type: ignore[index]
    ]
    for use in uses:
        with pytest.raises(s.NotLoadedError, match="notes were not loaded"):
            use()
    assert notes == notes  # unchanged parts still compare (identity)


def each_raises_not_loaded(context: dict[str, Any], *sources: str) -> None:
    for source in sources:
        with pytest.raises(s.NotLoadedError):
            compile_template(source).render(context)


def test_a_template_reading_a_part_not_loaded_raises_rather_than_reads_nothing(
    workflow: Workflow,
) -> None:
    narrow = partly(rich_order("processing"), frozenset({"lines"}))
    context = ctx.base_context(workflow, narrow, now=NOW)
    # What was loaded renders; what was not raises NotLoadedError (a bug: exit 3), never the
    # template's "no notes" branch or a TemplateProblem blaming the workflow.
    assert compile_template("#{{ order.number }}").render(context) == "#100"
    each_raises_not_loaded(
        context,
        "{% for n in order.notes %}{{ n.note }}{% else %}no notes{% endfor %}",
        "{{ order.customer_notes|length }}",
        "{{ order.total_refunded }}",
        "{% if order.tracking %}tracked{% endif %}",
        "{{ order.billing.first_name }}",
        "{% if order.shipping %}ships{% endif %}",
    )
    with pytest.raises(s.NotLoadedError):
        compile_expr("order.remaining_refundable > 0").evaluate(context)
    with pytest.raises(s.NotLoadedError):
        _ = narrow.total_refunded


def test_lines_read_without_their_details_raise_on_a_read_of_them(workflow: Workflow) -> None:
    # The lines loaded, their details not (a plain status change's stock moves read neither
    # an amount nor a flag): names, SKUs and quantities render; amounts, sums, `meta` and
    # the product flags raise, in a template and off the snapshot.
    narrow = partly(rich_order("processing"), frozenset({"lines"}))
    context = ctx.base_context(workflow, narrow, now=NOW)
    loop = "{% for i in order.line_items %}{{ i.name }} {{ i.sku }} ×{{ i.quantity }}{% endfor %}"
    assert compile_template(loop).render(context) == "T-Shirt TS ×2"
    each_raises_not_loaded(
        context,
        "{{ order.subtotal }}",
        "{{ order.total_tax }}",
        "{{ order.shipping_total }}",
        "{% if order.needs_processing %}ships{% endif %}",
        "{% for i in order.line_items %}{{ i.total }}{% endfor %}",
        "{% for i in order.line_items %}{{ i.gross }}{% endfor %}",
        "{% for i in order.line_items %}{{ i.total|money }}{% endfor %}",
        "{{ order.subtotal|money(order.currency) }}",
        "{% for i in order.shipping_lines %}{{ i.meta.x }}{% endfor %}",
        "{% for i in order.line_items %}{% if i.virtual %}v{% endif %}{% endfor %}",
        "{% for i in order.line_items %}{{ i.variation_id }}{% endfor %}",
        # The shipping and fee lines, not read at all (`orders.ProductLines`): not "none".
        "{% for i in order.shipping_lines %}{{ i.name }}{% else %}none{% endfor %}",
        "{{ order.fee_lines|length }}",
    )
    assert [line.kind for line in rich_order("processing").lines] == ["line_item", "shipping"]
    assert [line.kind for line in narrow.lines] == ["line_item"]
    with pytest.raises(s.NotLoadedError, match="shipping and fee lines were not loaded"):
        _ = narrow.shipping_lines
    with pytest.raises(s.NotLoadedError):
        _ = narrow.lines[0].gross
    with pytest.raises(s.NotLoadedError):
        _ = narrow.lines[0].price * 2
    with pytest.raises(s.NotLoadedError):  # what was refunded of it: amounts too
        _ = narrow.lines[0].quantity_refunded + 1
    with pytest.raises(s.NotLoadedError):
        _ = narrow.needs_processing


def test_fields_read_off_order() -> None:
    expr = compile_expr("order.notes|length > 1 and order['tracking']")
    assert expr.order_fields == {"notes", "tracking"}
    assert compile_template("{{ from.label }}").order_fields == frozenset()
    assert compile_template("{{ order.billing.email }}").order_fields == {"billing"}
    assert compile_template("{% set o = order %}{{ o.notes }}").order_fields is None
    assert compile_template("{{ order|length }}").order_fields is None
    assert replace(rich_order("pending")).notes  # the factory's order has all its parts


def test_a_text_that_never_names_order_reads_none_of_it_unparsed() -> None:
    # Told from the text alone (Jinja2's names are case-sensitive): not even parsed, so a
    # broken one reads nothing here and fails when rendered.
    assert compile_template("Order {{ Order.notes }}", lazy=True).order_fields == frozenset()
    assert compile_expr("ORDER.total > 1", lazy=True).order_fields == frozenset()
    broken = compile_template("Order {{ from.label", lazy=True)
    assert broken.order_fields == frozenset()
    with pytest.raises(TemplateProblem, match="syntax error"):
        broken.render({"from": {"label": "x"}})
    # Naming it anywhere, even in text, parses it: then what it reads is worked out.
    assert compile_template("order: {{ order.total }}", lazy=True).order_fields == {"total"}
    assert compile_template("order {{ x", lazy=True).order_fields is None


def _emailing(on: str, full_status: str | None = "refunded") -> str:
    """A workflow with one email, sent on `on` (a YAML list of event filters)."""
    refunds = f"refunds: {{full_status: {full_status}}}\n" if full_status else ""
    return f"""
orderwf: 1
name: woocommerce
initial: pending
templates: {{templates}}
shop: {{name: Shop, email: shop@x.test, from: "Shop <shop@x.test>", currency: EUR}}
statuses:
  pending: {{label: Pending}}
  processing: {{label: Processing, paid: true}}
  on-hold: {{label: On hold}}
  cancelled: {{label: Cancelled}}
  refunded: {{label: Refunded}}
{refunds}actions:
  process: {{label: Process, from: [pending], to: processing}}
  hold: {{label: Hold, from: [pending], to: on-hold}}
  remark: {{label: Remark, from: any, effects: [{{note: {{text: Hi, customer: true}}}}]}}
  jot: {{label: Jot, from: any, effects: [{{note: Hi}}]}}
  refund: {{label: Refund, from: [processing], effects: [refund]}}
emails:
  new_order:
    to: shop
    subject: "New order"
    on: {on}
"""


LINES = {"lines", "once"}  # what an action that sends no email reads here
# A refund's amounts are the lines', and what is left to refund the total less the refunds.
REFUNDS = {"lines", "once", "refunds", "line details", "order details"}


@pytest.mark.parametrize(
    ("on", "full_status", "expected"),
    [
        # A status email: sent when the action may leave one of its `from` for one of its `to`.
        ("[{status: {to: [processing]}}]", "refunded",
         {"process": "all", "hold": LINES, "remark": LINES, "refund": REFUNDS}),
        ("[{status: {from: [pending]}}]", "refunded",
         {"process": "all", "hold": "all", "jot": LINES, "refund": REFUNDS}),
        ("[{status: {from: [on-hold], to: [processing]}}]", "refunded",
         {"process": LINES, "hold": LINES}),
        ("[{status: {to: [cancelled]}}]", "refunded", {"process": LINES, "refund": REFUNDS}),
        # Only the starting status of process is pending: leaving processing is not its doing.
        ("[{status: {from: [processing]}}]", "refunded",
         {"process": LINES, "jot": LINES, "refund": "all"}),
        # A full refund moves the order on to `full_status`, from where the action starts.
        ("[{status: {from: [processing], to: [refunded]}}]", "refunded",
         {"refund": "all", "process": LINES, "jot": LINES}),
        ("[{status: {}}]", None, {"refund": REFUNDS, "jot": LINES, "process": "all"}),
        # An action email: sent by that action alone (or any, for `any`).
        ("[{action: process}]", "refunded", {"process": "all", "hold": LINES, "jot": LINES}),
        ("[action]", "refunded", {"hold": "all", "jot": "all"}),  # any action
        # A customer note email: only an action that may add a note to the customer.
        ("[{note: customer}]", "refunded", {"remark": "all", "jot": LINES, "hold": LINES}),
        ("[{refund: any}]", "refunded", {"refund": "all", "remark": LINES, "process": LINES}),
    ],
)  # fmt: skip
def test_what_the_email_reads_is_read_exactly_when_it_may_be_sent(
    write_workflow: Callable[[str], Workflow],
    on: str,
    full_status: str | None,
    expected: dict[str, Any],
) -> None:
    """An action that may send the email loads what its files read (the shipped new_order:
    `EMAIL`; loading less would fail the apply), and one that cannot loads only what it
    reads itself (the point of a single apply's narrow load)."""
    wf = write_workflow(_emailing(on, full_status))
    got = {a: reads.parts_for(wf, a) for a in expected}
    assert got == {a: EMAIL if e == "all" else e for a, e in expected.items()}


def test_an_order_loaded_in_part_still_prints_and_names_what_is_missing() -> None:
    # A bug report (exit 3) or a debugger prints the order: that must not raise in turn.
    narrow = partly(rich_order("processing"), frozenset({"lines"}))
    assert "notes=<order notes: not loaded>" in repr(narrow)
    assert "tracking=<order tracking: not loaded>" in repr(narrow)
