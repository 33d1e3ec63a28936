"""`templating`: the names a template reads agree with `jinja2.meta.find_undeclared_variables`
on every template we ship and on the constructs that scope names (loops, macros, `set`,
`with`, `namespace`, imports), and a loaded template renders what Jinja2's own compilation
renders."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st
from jinja2 import TemplateSyntaxError, meta
from jinja2.environment import Environment

from orderwf import context_names, templating

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted(ROOT.glob("templates/**/*.j2")) + sorted(ROOT.glob("workflows/**/*.j2"))

TRICKY = [
    "plain text",
    "{{ order.number }} {{ shop.name|upper }}",
    "{% for item in order.line_items %}{{ item.name }} {{ loop.index }} {{ shop.name }}"
    "{% set x = 1 %}{{ x }}{% endfor %}",
    "{% macro m(a) %}{{ a }}{{ b }}{% endmacro %}{{ m(c) }}",
    "{% set total = order.total %}{{ total }} {{ range(3)|list }} {{ dict(a=1) }}",
    "{% with y = order.id %}{{ y }}{{ z }}{% endwith %}",
    "{% set ns = namespace(n=0) %}{% for l in lines %}{% set ns.n = ns.n + 1 %}{% endfor %}"
    "{{ ns.n }}",
    "{% if params.note is defined %}{{ params.note }}{% else %}{{ fallback }}{% endif %}",
    "{{ \"resolve('decoy')\" }} {{ real }}",
    "{% for k, v in meta|dictsort %}{{ k }}={{ v }}{% else %}{{ empty }}{% endfor %}",
    "{% filter upper %}{{ inside }}{% endfilter %}{% call(u) caller_macro() %}{{ u }}{% endcall %}",
]


def _expected(source: str, env: Environment | None = None) -> frozenset[str]:
    env = env or templating.environment()
    return frozenset(meta.find_undeclared_variables(env.parse(source)))


@pytest.mark.parametrize("source", TRICKY)
def test_names_agree_with_jinja2_meta(source: str) -> None:
    assert templating.compile_template(source).own_names == _expected(source)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_names_of_shipped_templates_agree_with_jinja2_meta(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    names = templating.load_email_template(path.parent, path.name).own_names
    env = templating.email_environment(path.parent.resolve())  # its filters: `money`, `date`…
    assert names == _expected(source, env)
    assert names or "{{" not in source  # a template that prints something reads some name


# Templates built from the constructs that declare and scope names, for `undeclared_names`
# (read off the tree for templates without them, `meta` otherwise) against `meta` itself.
_NAME = st.sampled_from(["order", "shop", "x", "item", "loop", "self", "super", "range", "caller"])
_EXPR = st.one_of(
    _NAME,
    st.builds("{}.{}".format, _NAME, st.sampled_from(["number", "items"])),
    st.builds("{}|default({})".format, _NAME, _NAME),
    st.builds("{}()".format, _NAME),
)


def _body(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(children, max_size=3).map("".join)


_TEMPLATE = st.recursive(
    st.one_of(st.just("text "), st.builds("{{{{ {} }}}}".format, _EXPR)),
    lambda inner: st.one_of(
        st.builds(
            "{{% if {} %}}{}{{% else %}}{}{{% endif %}}".format, _EXPR, _body(inner), _body(inner)
        ),
        st.builds("{{% for item in {} %}}{}{{% endfor %}}".format, _EXPR, _body(inner)),
        st.builds("{{% set x = {} %}}".format, _EXPR),
        st.builds("{{% macro m(item) %}}{}{{% endmacro %}}".format, _body(inner)),
        st.builds("{{% with x = {} %}}{}{{% endwith %}}".format, _EXPR, _body(inner)),
        st.builds("{{% block b{} %}}{}{{% endblock %}}".format, st.integers(0, 9), _body(inner)),
        st.builds("{{% include {} %}}".format, st.sampled_from(["'part'", "x"])),
    ),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(
    extends=st.sampled_from(["", "{% extends 'base' %}", "{% extends x %}"]),
    body=_body(_TEMPLATE),
)
def test_names_read_off_the_tree_agree_with_jinja2_meta(extends: str, body: str) -> None:
    env = templating.environment()
    ast = env.parse(extends + body)
    try:
        expected = meta.find_undeclared_variables(ast)
    except TemplateSyntaxError:
        reject()  # a block defined twice
    assert templating.undeclared_names(env, ast) == expected


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_templates_render_as_jinja2_compiles_them(path: Path) -> None:
    context = context_names.sample_context(
        workflow="woocommerce",
        status={"id": "processing", "label": "Processing", "paid": True},
        shop={
            "name": "Shop",
            "email": "s@x.test",
            "from": "s@x.test",
            "currency": "EUR",
            "locale": "fr_FR",
            "timezone": "Europe/Paris",
            "lang": "fr-FR",
        },
    )
    ours = templating.load_email_template(path.parent, path.name)  # compiled from its parse
    theirs = templating.email_environment(path.parent.resolve()).get_template(path.name)
    assert ours.render(context) == theirs.render(context)


def test_compiled_template_reports_and_renders_with_the_names() -> None:
    compiled = templating.compile_template("{{ order.number }} for {{ shop.name }}")
    assert compiled.own_names == {"order", "shop"}
    assert compiled.render({"order": {"number": "42"}, "shop": {"name": "Shop"}}) == "42 for Shop"


def test_address_lines_prints_the_non_empty_lines_of_an_address_in_order() -> None:
    address = {
        "first_name": "Camille",
        "last_name": "Martin",
        "company": "  ",
        "address_1": "1 rue de la Paix",
        "address_2": None,
        "postcode": "75002",
        "city": "Paris",
        "state": "",
        "country": "FR",
        "phone": "+33 1 23 45 67 89",
        "email": "c@x.test",
    }
    lines = ["Camille Martin", "1 rue de la Paix", "75002 Paris", "FR", "+33 1 23 45 67 89"]
    assert templating.address_lines(address) == lines
    assert templating.address_lines(address, email=True) == [*lines, "c@x.test"]
    assert templating.address_lines({"city": "Paris"}) == ["Paris"]


def test_address_lines_output_is_escaped_in_html_parts(tmp_path: Path) -> None:
    (tmp_path / "a.html.j2").write_text(
        "{% for line in order.billing|address_lines %}{{ line }}|{% endfor %}", encoding="utf-8"
    )
    template = templating.load_email_template(tmp_path, "a.html.j2")
    billing = {"first_name": "<b>Ann</b>", "city": "Paris & Co"}
    assert template.render({"order": {"billing": billing}}) == (
        "&lt;b&gt;Ann&lt;/b&gt;|Paris &amp; Co|"
    )


# `Sandbox.getattr` reads a plain dict's item without trying the attribute first; it must
# give what Jinja2's own sandbox gives, for every kind of name.
_DOTTED = [
    ("{{ d.label }}", {"d": {"label": "Paid"}}),
    ("{{ d.items | default('none') }}", {"d": {"items": 3}}),  # dict's method wins, as in Jinja2
    ("{{ d.get('label') }}", {"d": {"label": "x", "get": "shadowed"}}),
    ("{{ d.a.b }}", {"d": {"a": {"b": 1}}}),
    ("{{ d.missing is defined }}", {"d": {}}),
    ("{{ d.label }}", {"d": type("Sub", (dict,), {"label": "attr"})(label="item")}),
]


# `Sandbox.is_safe_attribute` skips the mutable-kind check for immutable builtins: calls on
# those, and refused calls on mutable ones, must come out as in Jinja2's immutable sandbox.
_CALLS = [
    ("{{ s.upper() }}", {"s": "paid"}),
    ("{{ d.strftime('%B %-d, %Y') }}", {"d": date(2026, 11, 26)}),
    ("{{ n.quantize(q) }}", {"n": Decimal("2.345"), "q": Decimal("0.01")}),
    ("{{ t.index(2) }}", {"t": (1, 2)}),
    ("{{ xs.append(3) }}", {"xs": [1, 2]}),
    ("{{ d.clear() }}", {"d": {"a": 1}}),
    ("{{ s.__class__ }}", {"s": "x"}),
    ("{{ s.format_map(d) }}", {"s": "{a}", "d": {"a": 1}}),
]


@pytest.mark.parametrize(("source", "names"), _DOTTED + _CALLS)
def test_names_and_calls_come_out_as_in_jinja2s_sandbox(
    source: str, names: dict[str, object]
) -> None:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    def outcome(env: Environment) -> object:
        try:
            return env.from_string(source).render(names)
        except Exception as e:  # what each sandbox refuses, compared by kind
            return type(e)

    theirs = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    assert outcome(templating.environment()) == outcome(theirs)


# The same, over generated names and values: `Sandbox.getattr` (a plain dict's item read
# straight away, 1.5 × faster renders of an email in the sandbox: bench/render_emails.py's
# figure with Jinja2's own `getattr`) against Jinja2's immutable sandbox: attribute and item
# lookups on dicts, their subclasses and other values, dict method names, private and dunder
# names, and what each refuses (compared by kind and message).
_KEYS = st.sampled_from(
    ["label", "a", "items", "get", "keys", "update", "pop", "clear", "copy", "values"]
    + ["__class__", "__dict__", "__init__", "__len__", "_private", "mro", "gi_frame"]
)
_LEAF = st.one_of(
    st.text(max_size=3),
    st.integers(-3, 3),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, max_value=99, min_value=-99),
    st.just(date(2026, 11, 26)),
    st.lists(st.integers(0, 3), max_size=2),
)
_Sub = type("Sub", (dict,), {"label": "attr", "get": "shadow"})
_VALUES = st.recursive(
    _LEAF,
    lambda inner: st.one_of(
        st.dictionaries(_KEYS, inner, max_size=4),
        st.dictionaries(_KEYS, inner, max_size=4).map(_Sub),
    ),
    max_leaves=6,
)
_LOOKUP = st.one_of(
    st.builds("d.{}".format, _KEYS),
    st.builds("d['{}']".format, _KEYS),
    st.builds("d.{}.{}".format, _KEYS, _KEYS),
    st.builds("d.{}['{}']".format, _KEYS, _KEYS),
    st.builds("d.{}()".format, _KEYS),
    st.builds("d.{}('{}')".format, _KEYS, _KEYS),
)
_USE = st.sampled_from(
    [
        "{{{{ {} }}}}",
        "{{{{ {} is defined }}}}",
        "{{{{ {}|default('none') }}}}",
        "{{{{ {}|string }}}}",
    ]
)


@settings(max_examples=300, deadline=None)
@given(d=_VALUES, use=_USE, lookup=_LOOKUP)
def test_lookups_come_out_as_in_jinja2s_sandbox(d: object, use: str, lookup: str) -> None:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    def outcome(env: Environment) -> object:
        try:
            return env.from_string(use.format(lookup)).render(d=d)
        except Exception as e:  # what each sandbox refuses, by kind and message
            return type(e), str(e)

    theirs = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    assert outcome(templating.environment()) == outcome(theirs)


def test_an_included_template_sees_the_globals_and_the_shop(tmp_path: Path) -> None:
    (tmp_path / "part.txt.j2").write_text("{{ range(3) | list }} {{ 2 | money('EUR') }}")
    (tmp_path / "main.txt.j2").write_text("{% include 'part.txt.j2' %}")
    env = templating.email_environment(tmp_path)
    assert env.get_template("main.txt.j2").render() == "[0, 1, 2] €2.00"
    german = env.get_template("main.txt.j2").render(shop={"locale": "de_DE"})
    assert german == "[0, 1, 2] 2,00\xa0€"


def test_a_missing_dict_field_is_still_an_error_naming_it() -> None:
    template = templating.compile_template("{{ order.nope }}")
    with pytest.raises(templating.TemplateProblem, match="has no attribute 'nope'"):
        template.render({"order": {"id": 1}})


def test_the_sandbox_still_refuses_internals_reached_through_a_dict() -> None:
    template = templating.compile_template("{{ d.__class__ }}")
    with pytest.raises(templating.TemplateProblem):
        template.render({"d": {"__class__": "item"}})


def test_one_source_is_compiled_once_per_process_and_memos_stay_apart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A shop folder's workflows share most subjects and notes: compiled once, while each
    # CompiledTemplate keeps its own render memo (a key means different things per workflow).
    parsed: list[str] = []
    parse = templating.Sandbox.parse

    def counting_parse(env: templating.Sandbox, source: str, *args: Any, **kwargs: Any) -> Any:
        parsed.append(source)
        return parse(env, source, *args, **kwargs)

    monkeypatch.setattr(templating.Sandbox, "parse", counting_parse)
    # A source this process has not compiled yet: the comment makes it new each run.
    source = f"Order {{{{ order.number }}}} is {{{{ to.label }}}}.{{# {uuid.uuid4()} #}}"
    first = templating.compile_template(source)
    second = templating.compile_template(source)
    assert first is not second
    assert parsed == [source]  # Jinja2 parsed (and compiled) it for the first one alone
    assert first.render_memo("k", lambda: {"order": {"number": 1}, "to": {"label": "A"}}) == (
        "Order 1 is A."
    )
    assert second.render_memo("k", lambda: {"order": {"number": 1}, "to": {"label": "B"}}) == (
        "Order 1 is B."
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ 1234.5|money }} {{ '2026-11-26'|date }}", "1\u202f234,50\xa0€ 26 novembre 2026"),
        (
            "{% set shop = {'currency': 'USD', 'locale': 'en_US'} %}"
            "{{ 1234.5|money }} {{ '2026-11-26'|date }}",
            "$1,234.50 November 26, 2026",
        ),
    ],
)
def test_the_money_and_date_filters_read_the_shop_the_template_sees(
    source: str, expected: str
) -> None:
    """The filters take the locale and currency from `shop` as the template sees it: the one
    it was given, or one it set itself."""
    template = templating.compile_template(source)
    assert template.render({"shop": {"currency": "EUR", "locale": "fr_FR"}}) == expected
