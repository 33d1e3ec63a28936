"""The shipped email templates' Python, generated ahead of time (`src/orderwf/precompiled/`,
`tools/precompile_templates.py`): fresh for every shipped template, used only for the exact
shipped text under its name in the same environment, and rendering as the template compiled
in the process does."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from typing import Any

import jinja2
import pytest

from orderwf import resources, templating
from orderwf.context_names import sample_context as _sample

REPO = Path(__file__).resolve().parents[2]


def _tool() -> Any:
    spec = importlib.util.spec_from_file_location(
        "precompile", REPO / "tools/precompile_templates.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sample_context() -> dict[str, Any]:
    return _sample(
        workflow="woocommerce",
        status={"id": "pending", "label": "Pending payment", "paid": False},
        shop={
            "name": "Shop",
            "email": "shop@example.com",
            "from": "Shop <shop@example.com>",
            "currency": "EUR",
            "locale": "en_US",
            "timezone": "UTC",
            "lang": "en-US",
        },
    )


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_every_shipped_template_is_precompiled_and_fresh(tmp_path: Path) -> None:
    """Fails after an edit of a shipped template, or a Jinja2 upgrade, until
    `python tools/precompile_templates.py` is run again."""
    tool = _tool()
    tool.write(tmp_path)
    expected, stored = _files(tmp_path), _files(templating.PRECOMPILED)
    assert sorted(stored) == sorted(expected), "run python tools/precompile_templates.py"
    for name, content in expected.items():
        assert stored[name] == content, f"{name}: run python tools/precompile_templates.py"
    shipped = sum(len(list(folder.glob("*.j2"))) for folder in tool.folders().values())
    assert len(list(templating.PRECOMPILED.glob("*/tmpl_*.py"))) == shipped


def _shop(tmp_path: Path) -> Path:
    folder = tmp_path / "emails"
    shutil.copytree(resources.templates_dir(), folder, ignore=shutil.ignore_patterns("de", "fr"))
    return folder.resolve()


def test_only_the_shipped_text_under_its_name_is_served(tmp_path: Path) -> None:
    folder = _shop(tmp_path)
    env = templating.email_environment(folder)
    source = (folder / "new_order.txt.j2").read_text(encoding="utf-8")
    assert templating.precompiled(env, "new_order.txt.j2", source) is not None
    assert templating.precompiled(env, "new_order.txt.j2", source + "\n") is None  # edited
    assert templating.precompiled(env, "failed_order.txt.j2", source) is None  # another name
    assert templating.precompiled(env, "new_order.html.j2", source) is None


def test_another_environment_is_not_served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    folder = _shop(tmp_path)
    source = (folder / "new_order.txt.j2").read_text(encoding="utf-8")
    made = iter(range(1000))

    def fresh() -> templating.Sandbox:
        """The folder's environment anew (another bytecode folder: not the cached one), to be
        configured before its first use, as Jinja2 asks."""
        return templating.email_environment(folder, tmp_path / f"bytecode{next(made)}")

    assert templating.precompiled(fresh(), "new_order.txt.j2", source) is not None
    env = fresh()
    monkeypatch.setitem(env.filters, "money", jinja2.pass_eval_context(lambda ctx, v: str(v)))
    assert templating.precompiled(env, "new_order.txt.j2", source) is None
    env = fresh()
    monkeypatch.setattr(env, "trim_blocks", False)
    assert templating.precompiled(env, "new_order.txt.j2", source) is None
    monkeypatch.setattr(jinja2, "__version__", "0.0")
    assert templating.precompiled(fresh(), "new_order.txt.j2", source) is None


def test_an_edited_partial_is_compiled_from_its_text(tmp_path: Path) -> None:
    """An admin's edit is what renders (and what validation reports), never the shipped code."""
    folder = _shop(tmp_path)
    partial = folder / "_layout.txt.j2"
    partial.write_text("EDITED {{ order.number }}\n" + partial.read_text(encoding="utf-8"))
    env = templating.email_environment(folder)
    email = env.get_template("new_order.txt.j2")
    assert Path(email.root_render_func.__code__.co_filename).parent.parent == (
        templating.PRECOMPILED  # the unchanged email itself is served ahead of time
    )
    text = email.render(sample_context())
    assert text.startswith("EDITED ")


def _reference(folder: Path) -> templating.Sandbox:
    """The same environment, compiling every template from its text."""
    reference = templating.Sandbox(
        loader=jinja2.FileSystemLoader(folder, encoding="utf-8"),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html.j2", "html"], default_for_string=False),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    reference.filters.update(templating.email_environment(folder).filters)  # the same filters
    return reference


@pytest.mark.parametrize("label", sorted(_tool().folders()))
def test_each_language_is_served_from_its_own_folder(label: str, tmp_path: Path) -> None:
    """Names repeat across languages: a copy of a language folder gets that folder's code."""
    folder = tmp_path / "emails"
    source = _tool().folders()[label]
    shutil.copytree(source, folder, ignore=lambda _, names: [n for n in names if "." not in n])
    served = templating.load_email_template(folder.resolve(), "new_order.html.j2")
    loaded = templating.email_environment(folder.resolve()).get_template("new_order.html.j2")
    module = Path(loaded.root_render_func.__code__.co_filename)
    assert module.parent == templating.PRECOMPILED / label
    context = sample_context()
    expected = _reference(folder.resolve()).get_template("new_order.html.j2").render(context)
    assert served.render(context) == expected


@pytest.mark.parametrize("name", sorted(p.name for p in resources.templates_dir().glob("*.j2")))
def test_precompiled_renders_as_compiled(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _shop(tmp_path)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a shipped template's text was parsed or compiled")

    with monkeypatch.context() as m:  # served ahead of time, eagerly and through the loader
        m.setattr(templating.Sandbox, "parse", refuse)
        m.setattr(templating.Sandbox, "compile", refuse)
        served = templating.load_email_template(folder, name)  # eager: built here
        loaded = templating.email_environment(folder).get_template(name)
    assert Path(loaded.root_render_func.__code__.co_filename).parent.parent == (
        templating.PRECOMPILED
    )
    assert loaded.filename == str(folder / name)  # the template's file, for tracebacks
    reference = _reference(folder)
    expected = reference.get_template(name)
    context = sample_context()
    if name.startswith("_"):
        return  # partials render through the emails that use them
    assert served.render(context) == expected.render(context)
    assert served.own_names == templating.undeclared_names(
        reference, reference.parse(served.source)
    )
    broken = {**context, "order": {k: v for k, v in context["order"].items() if k != "number"}}
    with pytest.raises(templating.TemplateProblem) as got:
        served.render(broken)
    with pytest.raises(jinja2.UndefinedError) as want:
        expected.render(broken)
    assert want.value.message is not None
    assert want.value.message in got.value.message
