"""An email template, its layout and its partials as one template (`inlining.flattened`): the
same output as Jinja2's own `extends` and `include`, and no inlining of anything whose meaning
depends on where it is written. The shipped templates go this way (`templating.
trusted_template`); `test_trusted_templates` compares them with the sandbox over generated
orders."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import jinja2
import pytest

from orderwf import context_names, inlining, resources, templating
from orderwf.engine import context as ctx
from orderwf.workflow.loader import load_workflow

LAYOUT = """<h1>{% block heading %}Default heading{% endblock %}</h1>
{% for x in items %}
<li>{{ x }}</li>
{% endfor %}
{% block content %}{% endblock %}
<footer>{{ shop }}</footer>
"""
DETAILS = """{% for line in lines %}
{{ line.name }} × {{ line.qty }}{% if not loop.last %},{% endif +%}
{% endfor %}
{% filter trim %}
  {{ note }}{{ '  ' }}
{% endfilter %}
{% include "_small.html" %}
"""
PAGE = """{% extends "_layout.html" %}
{% block content %}
<p>Hi {{ name }} & co</p>
{% include "_details.html" %}
{% endblock %}
ignored after extends
"""
TEMPLATES = {
    "_layout.html": LAYOUT,
    "_details.html": DETAILS,
    "_small.html": "<small>{{ shop|upper }}</small>\n",
    "page.html": PAGE,
    "plain.txt": '{% include "_part.txt" %}{{ name }}\n',
    "_part.txt": "Part for {{ name }}.\n",
    "mixed.html": '{% include "_part.txt" %}',
    # Three levels: the leaf's block wins over the middle one's, which wins over the base's.
    "_base.html": "[{% block a %}base a{% endblock %}|{% block b %}base b{% endblock %}]\n",
    "_middle.html": '{% extends "_base.html" %}{% block a %}middle a{% endblock %}'
    "{% block b %}middle b{% endblock %}",
    "leaf.html": '{% extends "_middle.html" %}{% block a %}leaf {{ name }}{% endblock %}',
}
CONTEXT = {
    "name": "Ann <ann@x.test>",
    "shop": "Shop & Co",
    "items": ["a", "<b>"],
    "lines": [{"name": "T<shirt>", "qty": 2}, {"name": "Mug", "qty": 1}],
    "note": " kept & trimmed ",
}


def _env(templates: dict[str, str]) -> jinja2.Environment:
    """As the email environments are configured (`templating._email_env`)."""
    return jinja2.Environment(
        loader=jinja2.DictLoader(templates),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html"], default_for_string=False),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _flattened(env: jinja2.Environment, name: str) -> jinja2.nodes.Template | None:
    assert env.loader is not None
    return inlining.flattened(
        env,
        name,
        lambda n: env.parse(env.loader.get_source(env, n)[0], n),  # type: ignore[union-attr]
    )


def _inlined(env: jinja2.Environment, name: str) -> jinja2.Template | None:
    tree = _flattened(env, name)
    if tree is None:
        return None
    return env.template_class.from_code(env, env.compile(tree, name), env.make_globals(None))


@pytest.mark.parametrize(
    "name", ["page.html", "plain.txt", "_details.html", "_layout.html", "leaf.html"]
)
def test_inlined_renders_what_jinja2_renders(name: str) -> None:
    env = _env(TEMPLATES)
    inlined = _inlined(env, name)
    assert inlined is not None
    assert inlined.render(CONTEXT) == env.get_template(name).render(CONTEXT)


def test_inlined_has_no_partials_left_to_look_up() -> None:
    env = _env(TEMPLATES)
    inlined = _inlined(env, "page.html")
    assert inlined is not None
    # The partials' names are gone: rendering needs no loader.
    env.loader = jinja2.DictLoader({})
    assert "<small>SHOP &amp; CO</small>" in inlined.render(CONTEXT)
    assert "Hi Ann &lt;ann@x.test&gt; & co" in inlined.render(CONTEXT)
    assert "Default heading" in inlined.render(CONTEXT)
    assert "ignored after extends" not in inlined.render(CONTEXT)


@pytest.mark.parametrize(
    ("page", "why"),
    [
        ('{% set x = 1 %}{% include "_small.html" %}', "an assignment"),
        ('{% include "_set.html" %}{{ name }}', "an assignment in a partial"),
        ("{% macro m() %}x{% endmacro %}{{ m() }}", "a macro"),
        ('{% import "_small.html" as p %}', "an import"),
        ('{% from "_small.html" import x %}', "an import"),
        ("{% with a = 1 %}{{ a }}{% endwith %}", "a scope"),
        ("{% autoescape false %}{{ name }}{% endautoescape %}", "an autoescape change"),
        ('{% extends "_layout.html" %}{% block content %}{{ super() }}{% endblock %}', "super"),
        ("{{ self.heading() }}", "self"),
        ('{% extends "_layout.html" %}{% block content scoped %}x{% endblock %}', "scoped"),
        ('{% extends "_scoped.html" %}{% block a %}x{% endblock %}', "a scoped layout block"),
        ('{% extends "_loop.html" %}{% block row %}{{ x }}{% endblock %}', "block in a loop"),
        ("{% include name %}", "an include by expression"),
        ('{% include ["_small.html"] %}', "an include of a list"),
        ('{% include "_small.html" without context %}', "without context"),
        ('{% include "_gone.html" ignore missing %}', "ignore missing"),
        ('x{% extends "_layout.html" %}', "output before extends"),
        ('{% if name %}{% extends "_layout.html" %}{% endif %}', "a conditional extends"),
        ('{% include "_self.html" %}', "a partial including itself"),
        ('{% include "_missing.html" %}', "a missing partial"),
        ('{% extends "_layout.html" %}{% block content %}{% block in %}{% endblock %}'
         "{% endblock %}", "a block inside a block"),
    ],
)  # fmt: skip
def test_what_depends_on_where_it_is_written_is_not_inlined(page: str, why: str) -> None:
    env = _env(
        {
            **TEMPLATES,
            "page.html": page,
            "_set.html": "{% set name = 'other' %}",
            "_loop.html": "{% for x in items %}{% block row %}{% endblock %}{% endfor %}",
            "_self.html": '{% include "_self.html" %}',
            "_scoped.html": "{% block a scoped %}{% endblock %}",
        }
    )
    assert _inlined(env, "page.html") is None, why
    # The same page with the construct taken out is inlined: it was the reason.
    assert _inlined(_env(TEMPLATES), "page.html") is not None


def test_partials_of_another_autoescaping_are_not_inlined() -> None:
    # An HTML page including a text partial: Jinja2 escapes each by its own name.
    assert _inlined(_env(TEMPLATES), "mixed.html") is None


# -- The shipped templates ----------------------------------------------------------------------

SHIPPED = resources.templates_dir().resolve()


def test_every_shipped_template_renders_inlined() -> None:
    names = [p.name for p in sorted(SHIPPED.glob("*.j2"))]
    assert len(names) > 20
    for name in names:
        template = templating.trusted_template(SHIPPED, name)
        assert template is not None
        assert hasattr(template, "orderwf_as_written"), name


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    shutil.copytree(SHIPPED, tmp_path / "emails")
    return tmp_path / "emails"


def _sample_context() -> dict[str, Any]:
    wf = load_workflow(resources.default_workflow_path())
    return context_names.sample_context(
        workflow=wf.name, status=ctx.status_context(wf, wf.initial), shop=ctx.shop_context(wf)
    )


def test_a_failure_names_the_partial_and_line_as_written(shop: Path) -> None:
    context = _sample_context()
    template = templating.load_email_template(shop, "customer_processing_order.html.j2", lazy=True)
    assert "Order #" in template.render(context)
    del context["order"]["line_items"]  # read by `_order_details.html.j2`, not the email
    with pytest.raises(templating.TemplateProblem) as caught:
        template.render(context)
    assert caught.value.where is not None
    failed, line = caught.value.where
    assert Path(failed).name == "_order_details.html.j2"
    source = (shop / "_order_details.html.j2").read_text(encoding="utf-8").splitlines()
    assert "order.line_items" in source[line - 1]


def test_inlined_code_is_kept_in_the_bytecode_cache(
    shop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = "customer_processing_order.txt.j2"
    folders = [shop, shop / "fr"]  # the same name, two texts: each keeps its own code
    first = [templating.trusted_template(f, name, tmp_path / "cache") for f in folders]
    assert None not in first
    assert list((tmp_path / "cache" / templating._TRUSTED_CACHE).iterdir())
    # Another process: a new environment over the same cache, nothing to inline again.
    templating.trusted_environment.cache_clear()
    templating._INLINED.clear()

    def never(*_args: Any) -> None:
        raise AssertionError("inlined again despite the cache")

    monkeypatch.setattr(inlining, "flattened", never)
    context = _sample_context()
    for folder, before in zip(folders, first, strict=True):
        again = templating.trusted_template(folder, name, tmp_path / "cache")
        assert again is not None
        assert again is not before
        assert hasattr(again, "orderwf_as_written")
        assert again.render(context) == before.render(context)  # type: ignore[union-attr]
    assert "Order #" in first[0].render(context)  # type: ignore[union-attr]
    assert "Commande" in first[1].render(context)  # type: ignore[union-attr]


LOOPS = [
    # (template, loops rewritten, `LoopContext`s left). Rewritten: the loop reads `loop.last`
    # alone (`inlining._LastWithoutLoop`).
    ("{% for x in xs %}{{ x }}{% if not loop.last %}, {% endif %}{% endfor %}", 1, 0),
    ("{% for x in xs %}{{ x }}{{ '.' if loop.last }}{% endfor %}|"
     "{% for y in xs %}{% if loop.last or y %}[{{ y }}]{% endif %}{% endfor %}", 2, 0),
    ("{% for x in xs|reverse %}{{ x }}{% if loop.last %}!{% endif %}{% endfor %}", 1, 0),
    ("{% filter trim %}{% for x in xs %}\n{{ x }}{% if not loop.last %}<br>{% endif +%}\n"
     "{% endfor %}{% endfilter %}", 1, 0),
    # The inner loop is rewritten; the outer one, holding a loop, is not.
    ("{% for x in xs %}{% for y in xs %}{{ loop.last }}{% endfor %}{{ loop.last }}{% endfor %}",
     1, 1),
    # Left to Jinja2: `loop` read otherwise, a filter, an `else`, two names; no `loop` at all.
    ("{% for x in xs %}{{ loop.index }}{{ x }}{% if loop.last %}.{% endif %}{% endfor %}", 0, 1),
    ("{% for x in xs %}{{ loop.length }}{% endfor %}", 0, 1),
    ("{% for x in xs if x != 'b' %}{{ x }}{{ loop.last }}{% endfor %}", 0, 1),
    ("{% for x in xs %}{{ loop.last }}{% else %}none{% endfor %}", 0, 1),
    ("{% for k, v in pairs %}{{ k }}{{ v }}{{ loop.last }}{% endfor %}", 0, 1),
    ("{% for x in xs %}{{ x }}{% endfor %}", 0, 0),
]  # fmt: skip


@pytest.mark.parametrize(("source", "rewritten", "contexts"), LOOPS)
@pytest.mark.parametrize(
    "xs", [[], ["a"], ["a", "b"], ["a", "b", "<c>"], ("t", "u"), "xyz", {"k": 1, "j": 2}, range(4)]
)
def test_a_loop_reading_loop_last_alone_renders_the_same_without_loop_context(
    source: str, rewritten: int, contexts: int, xs: Any
) -> None:
    env = _env({"page.html": source})
    env.filters[inlining.WITH_LAST] = inlining.with_last
    inlined = _inlined(env, "page.html")
    assert inlined is not None
    context = {"xs": xs, "pairs": [("a", 1), ("b", 2)]}
    assert inlined.render(context) == env.get_template("page.html").render(context)
    assert env.get_template("page.html").render({**context, "xs": iter(list(xs))}) == (
        inlined.render({**context, "xs": iter(list(xs))})  # a one-pass iterator too
    )
    code = env.compile(_flattened(env, "page.html"), raw=True)  # type: ignore[arg-type]
    assert code.count("LoopContext(") == contexts
    assert len(set(re.findall(r"orderwf_last_\d+", code))) == rewritten


def test_without_the_filter_registered_loops_keep_their_loop_context() -> None:
    env = _env({"page.html": LOOPS[0][0]})  # an environment other than the trusted one
    inlined = _inlined(env, "page.html")
    assert inlined is not None
    assert inlined.render({"xs": ["a", "b"]}) == "a, b"
    assert "orderwf_last" not in env.compile(_flattened(env, "page.html"), raw=True)  # type: ignore[arg-type]


def test_an_undefined_sequence_fails_as_it_does_with_loop_context() -> None:
    env = _env({"page.html": LOOPS[0][0]})
    env.filters[inlining.WITH_LAST] = inlining.with_last
    inlined = _inlined(env, "page.html")
    assert inlined is not None
    for template in (inlined, env.get_template("page.html")):
        with pytest.raises(jinja2.UndefinedError, match="'xs' is undefined"):
            template.render({})
