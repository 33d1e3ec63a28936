"""Jinja2, and only here: every expression (`if`) and template (notes, subjects, messages,
email parts) is compiled once, in Jinja2's immutable sandbox, with `StrictUndefined`, so an
undefined name is an error and never a blank in a customer's mailbox. HTML email parts are
autoescaped. The shipped email templates, unchanged, render outside the sandbox, each as one
template with its layout and partials (`inlining`, which works on Jinja2's syntax trees for
this module)."""

from __future__ import annotations

import hashlib
import json
import re
import weakref
from collections.abc import Callable, Hashable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache, cached_property
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import jinja2
from jinja2 import meta, nodes, pass_context
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.environment import Environment
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEnvironment
from jinja2.utils import missing

from orderwf import inlining, l10n
from orderwf.errors import OrderwfError

try:  # markupsafe's own escaping, without the `Markup` around it: C, else its pure Python
    from markupsafe import _escape_inner  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover (markupsafe 2, which Jinja2 3.1 allows)
    from markupsafe import escape as _escape

    def _escape_inner(s: str, /) -> str:
        return str(_escape(s))


T = TypeVar("T")


class TemplateProblem(OrderwfError):
    """A template or expression that does not compile, or fails while rendering. A file
    template's failure also says where it happened when Jinja2 knows: `where`, the template
    file and line that failed (a partial's, for a failure in a partial the template extends,
    includes or imports); `reason`, the failure without the template's name; `syntax`,
    whether that file does not compile."""

    def __init__(
        self,
        message: str,
        *,
        lineno: int | None = None,
        where: tuple[str, int] | None = None,
        reason: str = "",
        syntax: bool = False,
    ) -> None:
        super().__init__(message)
        self.lineno = lineno
        self.where = where
        self.reason = reason
        self.syntax = syntax


_DICT_ATTRIBUTES = frozenset(dir(dict))
_IMMUTABLE = frozenset({str, int, float, bool, Decimal, datetime, date, tuple, frozenset})
_MEMO_SIZE = 256  # renders a template remembers (`render_memo`)


# The most characters (or items) one operation in a template may make. Jinja2's sandbox
# bounds `range()` (100,000) but not `"a" * 10**10`, `"%99999999999s" % x`, `x.center(n)` or
# the `center`/`indent` filters, each of which would allocate gigabytes at once.
MAX_SIZE = 100_000
_WIDTHS = re.compile(r"\d{6,}")  # a width or precision of a million or more in a format
_PADDING_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})


def _refuse_large(what: str, size: int) -> None:
    if size > MAX_SIZE:
        raise SecurityError(f"{what} would make {size:,} characters (at most {MAX_SIZE:,})")


def _refuse_wide_format(spec: Any) -> None:
    if isinstance(spec, str) and _WIDTHS.search(spec):
        raise SecurityError(f"the format {spec[:40]!r} asks for a width of a million or more")


def _bounded_filter(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    """`center(width)`, `indent(width)` and `format(spec)` with their width bounded."""

    def bounded(value: Any, *args: Any, **kwargs: Any) -> Any:
        if name == "format":
            _refuse_wide_format(value)
        else:
            width = args[0] if args else kwargs.get("width", 0)
            if isinstance(width, int) and not isinstance(width, bool):
                _refuse_large(f"the {name} filter", width)
        return original(value, *args, **kwargs)

    bounded.__name__ = original.__name__
    return bounded


class _Lookups(Environment):
    """What both of orderwf's environments (`Sandbox`, and `Trusted` for the shipped email
    templates) add to theirs: the `center`, `indent` and `format` filters bounded, a template's
    globals as a plain dict, and `x.y` on a plain dict (every name templates see is one,
    `context.py`) looked up as the item straight away. Jinja2's `getattr` tries the attribute
    first, and the `AttributeError` it raises and catches costs more than the rest of the
    lookup: an email reads ~60 fields. Same result: a plain dict has no attributes but
    `dict`'s, and those names still go the environment's own way."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("center", "indent", "format"):
            self.filters[name] = _bounded_filter(name, self.filters[name])

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        # A plain dict rather than Jinja2's ChainMap over the environment's globals: every
        # `{% include %}` and `{% import %}` iterates a template's globals for its context, and
        # a ChainMap iterates in Python. Nothing changes the globals once templates load.
        return {**self.globals, **(d or {})}

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


class Sandbox(_Lookups, ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox, with the lookups of `_Lookups` (a dict's item first).

    Memory is bounded too (`MAX_SIZE`): repetition, `%` formatting, powers, padding methods
    and filters that could allocate gigabytes from one short expression are refused."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(times, int):
                    _refuse_large("repeating a sequence", len(seq) * times)
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1:
                _refuse_large("a power", right * abs(left).bit_length() // 3)  # ≈ digits
        elif isinstance(left, str):
            _refuse_wide_format(left)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        if isinstance(getattr(__obj, "__self__", None), str):
            name = getattr(__obj, "__name__", "")
            if name in _PADDING_METHODS and args and isinstance(args[0], int):
                size = args[0] * (len(__obj.__self__) if name == "expandtabs" else 1)
                _refuse_large(f"str.{name}", size)
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        # `"{:>99999999999}".format(1)`: Jinja2 wraps str.format in its own formatter here.
        if getattr(value, "__name__", "") in ("format", "format_map"):
            _refuse_wide_format(getattr(value, "__self__", None))
        return super().wrap_str_format(value)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # An immutable builtin (a time's `strftime`, a string's `upper`) cannot be one of the
        # mutable kinds the immutable sandbox then checks for, through `isinstance` on ABCs.
        if type(obj) in _IMMUTABLE:
            return SandboxedEnvironment.is_safe_attribute(self, obj, attr, value)
        return super().is_safe_attribute(obj, attr, value)


def _env(autoescape: bool) -> Sandbox:
    env = Sandbox(
        undefined=jinja2.StrictUndefined,
        autoescape=autoescape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    _add_filters(env)
    return env


def environment(html: bool = False) -> Sandbox:
    return _environment(html)


@cache  # keyed on the flag itself: `environment()` and `environment(False)` are one
def _environment(html: bool) -> Sandbox:
    return _env(autoescape=html)


def _template(
    env: Environment,
    ast: nodes.Template,
    name: str | None = None,
    filename: str | None = None,
    uptodate: Callable[[], bool] | None = None,
) -> jinja2.Template:
    """A parsed template compiled, with the top-level names it reads as `orderwf_names`
    (`jinja2.meta.find_undeclared_variables` on the same parse)."""
    code = env.compile(ast, name, filename)
    template = env.template_class.from_code(env, code, env.make_globals(None), uptodate)
    template.orderwf_names = undeclared_names(env, ast)  # type: ignore[attr-defined]
    template.orderwf_plain = plain_parts(env, ast)  # type: ignore[attr-defined]
    return template


# A part of a plain template (`plain_parts`): its text, or the path of a value to print.
PlainPart = str | tuple[str, ...]


def plain_parts(env: Environment, ast: nodes.Template) -> tuple[PlainPart, ...] | None:
    """A template that is only text and `{{ name }}` or `{{ name.attr.attr }}` outputs
    (`Stock levels reduced: {{ changes }}`, `Your {{ shop.name }} order…`), as its parts:
    each text as the parser left it (trailing newline, trimmed blocks), each output as its
    path of names. None for anything else, and in an environment that escapes or finalizes
    its output. `CompiledTemplate.render` prints such a template itself: Jinja2's context
    (~1.4 µs a render) costs five times the work."""
    if env.autoescape is not False or env.finalize is not None:
        return None
    parts: list[PlainPart] = []
    for node in ast.body:
        if not isinstance(node, nodes.Output):
            return None
        for child in node.nodes:
            if isinstance(child, nodes.TemplateData):
                parts.append(child.data)
                continue
            path: list[str] = []
            while isinstance(child, nodes.Getattr) and child.ctx == "load":
                path.append(child.attr)
                child = child.node
            if not (isinstance(child, nodes.Name) and child.ctx == "load"):
                return None
            parts.append((child.name, *reversed(path)))
    return tuple(parts)


def _plain_render(
    env: Environment, parts: tuple[PlainPart, ...], context: Mapping[str, Any]
) -> str | None:
    """What Jinja2's code for `parts` prints: each value looked up as it does (the name in
    the context, each attribute through the environment's `getattr`, the sandbox's where it
    is one) and printed with `str`. None for a name the context lacks (Jinja2 looks in its
    globals, or fails); an undefined value raises on use (`StrictUndefined`), and the caller
    then lets Jinja2 fail as it does."""
    out = []
    for part in parts:
        if part.__class__ is str:
            out.append(part)
            continue
        value = context.get(part[0], missing)
        if value is missing:
            return None
        for attr in part[1:]:
            value = env.getattr(value, attr)
        out.append(str(value))
    return "".join(out)


# What can declare a name, or make a name special, in a template (Jinja2's scoping rules).
_SCOPING = (
    nodes.For,
    nodes.Macro,
    nodes.CallBlock,
    nodes.FilterBlock,
    nodes.With,
    nodes.Assign,
    nodes.AssignBlock,
    nodes.Import,
    nodes.FromImport,
    nodes.Scope,
    nodes.OverlayScope,
    nodes.ScopedEvalContextModifier,
)
_SCOPING_OR_NAME = (nodes.Name, *_SCOPING)
_SPECIAL_NAMES = frozenset({"self", "super", "loop", "caller", "varargs", "kwargs"})


def undeclared_names(env: Environment, ast: nodes.Template) -> frozenset[str]:
    """`jinja2.meta.find_undeclared_variables(ast)`: the names a template reads from its
    context. That runs Jinja2's whole code generation a second time (+45 % on compiling a
    template), so a template without any construct that declares or scopes a name (no loop,
    macro, `set`, `with`, import, filter block; no `self`, `super`, `loop`, `caller`), which
    is what subjects, notes and the email parts that extend a layout are, has its names read
    off its tree: there, every name it loads but the globals comes from the context. A test
    compares both on the shipped templates and on generated ones."""
    loaded = set()
    for node in ast.find_all(_SCOPING_OR_NAME):
        if not isinstance(node, nodes.Name) or node.name in _SPECIAL_NAMES or node.ctx != "load":
            return frozenset(meta.find_undeclared_variables(ast))
        loaded.add(node.name)
    return frozenset(loaded - env.globals.keys())


def _explain(exc: Exception) -> str:
    if isinstance(exc, l10n.FormatProblem):
        return str(exc)
    if isinstance(exc, jinja2.UndefinedError):
        return f"undefined name: {exc.message}"
    if isinstance(exc, SecurityError):
        return f"not allowed in the sandbox: {exc}"
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"syntax error: {exc.message}"
    return f"{type(exc).__name__}: {exc}"


def _failed_in(exc: BaseException) -> tuple[str, int] | None:
    """The template file and line a failure happened in, as Jinja2 reports it: a syntax
    error's own, else the innermost frame of the traceback Jinja2 rewrote to point into a
    template (`jinja2.debug.fake_traceback`, whose frames raise `__jinja_exception__`)."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return (exc.filename, exc.lineno) if exc.filename else None
    found = None
    tb = exc.__traceback__
    while tb is not None:
        if "__jinja_exception__" in tb.tb_frame.f_globals:
            found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


# What rendering a template or evaluating an expression may raise for its input.
_RENDER_ERRORS = (jinja2.TemplateError, SecurityError, TypeError, ValueError, ArithmeticError)


@dataclass(frozen=True)
class CompiledExpr:
    """An `if` expression, compiled on first use (`lazy`) or at once."""

    source: str
    _compile: Callable[[], Any] = field(repr=False, compare=False)

    @cached_property
    def _fn(self) -> Any:
        return self._compile()

    @cached_property
    def names(self) -> frozenset[str]:
        """The top-level names the expression reads."""
        return frozenset(names_used(self.source, expression=True))

    @cached_property
    def order_fields(self) -> frozenset[str] | None:
        """The fields of `order` the expression reads (`fields_read`)."""
        return fields_read(self.source, "order", expression=True)

    def evaluate(self, context: Mapping[str, Any]) -> Any:
        try:
            return self._fn(**context)
        except _RENDER_ERRORS as e:
            raise TemplateProblem(f"expression {self.source!r} failed: {_explain(e)}") from None


@dataclass(frozen=True)
class CompiledTemplate:
    """A template, compiled on first use (`lazy`) or at once. Text without any Jinja2
    syntax is returned as is: most notes and messages never need compiling."""

    source: str
    _compile: Callable[[], jinja2.Template] = field(repr=False, compare=False)
    name: str = ""
    # A file template's `order_fields`, partials included (`email_order_fields`).
    _file_fields: Callable[[], frozenset[str] | None] | None = field(
        default=None, repr=False, compare=False
    )

    @cached_property
    def _template(self) -> jinja2.Template:
        return self._compile()

    @property
    def sandboxed(self) -> bool:
        """Whether it renders in the sandbox: every template but the shipped email templates
        unchanged (`trusted_template`)."""
        return self._literal or self._template.environment.sandboxed

    @cached_property
    def _literal(self) -> bool:
        return not self.name and "{" not in self.source

    @cached_property
    def own_names(self) -> frozenset[str]:
        """The top-level names the template itself reads (not its partials)."""
        known = getattr(self._template, "orderwf_names", None)
        return known if known is not None else frozenset(names_used(self.source))

    @cached_property
    def names(self) -> frozenset[str] | None:
        """The top-level names the template reads; None when unknown (a file template,
        whose partials may read more)."""
        if self.name:
            return None
        if self._literal:
            return frozenset()
        return getattr(self._template, "orderwf_names", None)

    @cached_property
    def order_fields(self) -> frozenset[str] | None:
        """The fields of `order` the template reads (`fields_read`); for a file template,
        with those of every partial it uses (`email_order_fields`). None: anything."""
        if self.name:
            return None if self._file_fields is None else self._file_fields()
        if self._literal:
            return frozenset()
        return fields_read(self.source, "order")

    @cached_property
    def _memo(self) -> dict[Hashable, str]:
        return {}

    def render_memo(self, key: Hashable, context: Callable[[], Mapping[str, Any]]) -> str:
        """`render(context())`, remembered by `key`: the caller's promise that `key` determines
        every name the template reads (a status note reads only the two statuses). A bulk
        apply renders the same few notes for thousands of orders."""
        text = self._memo.get(key)
        if text is None:
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            text = self._memo[key] = self.render(context())
        return text

    def render(self, context: Mapping[str, Any]) -> str:
        if self._literal:
            return self.source
        template = self._template
        plain = getattr(template, "orderwf_plain", None)
        if plain is not None:
            try:
                text = _plain_render(template.environment, plain, context)
            except Exception:  # noqa: BLE001 (Jinja2 renders it below, failing as it should)
                text = None
            if text is not None:
                return text
        try:
            return template.render(context)
        except _RENDER_ERRORS as e:
            failure: Exception = e
        as_written = getattr(self._template, "orderwf_as_written", None)
        if as_written is not None:  # inlined: the partial and line come from the files as written
            try:
                return str(as_written().render(context))
            except _RENDER_ERRORS as e:
                failure = e
        self._fail(failure)

    def _fail(self, e: Exception) -> NoReturn:
        where = f"template {self.name}" if self.name else f"template {self.source!r}"
        raise TemplateProblem(
            f"{where} failed: {_explain(e)}",
            lineno=getattr(e, "lineno", None),
            where=_failed_in(e) if self.name else None,
            reason=_explain(e),
            syntax=isinstance(e, jinja2.TemplateSyntaxError),
        ) from None


def compile_expr(source: str, *, lazy: bool = False) -> CompiledExpr:
    """Compile an expression; `lazy` defers the work (and its errors) to the first use, for
    a workflow whose content already passed validation."""

    def run() -> Any:
        try:
            return environment().compile_expression(source, undefined_to_none=False)
        except jinja2.TemplateSyntaxError as e:
            raise TemplateProblem(
                f"expression {source!r}: {_explain(e)}", lineno=e.lineno
            ) from None

    expr = CompiledExpr(source=source, _compile=run)
    if not lazy:
        _ = expr._fn
    return expr


# Compiled Jinja2 templates by what determines them, for the process: a shop folder of twenty
# workflows shares its email templates and most subjects and notes, and compiling is what
# validating a workflow costs most. A `jinja2.Template` renders without state, so sharing it
# is safe; each `CompiledTemplate` (and its render memo) stays its own.
_COMPILED: dict[tuple[object, ...], jinja2.Template] = {}


def _shared(key: tuple[object, ...], build: Callable[[], jinja2.Template]) -> jinja2.Template:
    template = _COMPILED.get(key)
    if template is None:
        template = _COMPILED[key] = build()
    return template


def compile_template(
    source: str, *, html: bool = False, name: str = "", lazy: bool = False
) -> CompiledTemplate:
    def run() -> jinja2.Template:
        env = environment(html)
        try:
            return _shared(("string", html, source), lambda: _template(env, env.parse(source)))
        except jinja2.TemplateSyntaxError as e:
            where = name or repr(source)
            raise TemplateProblem(f"template {where}: {_explain(e)}", lineno=e.lineno) from None

    template = CompiledTemplate(source=source, _compile=run, name=name)
    if not lazy:
        _ = template._template
    return template


def names_used(source: str, *, expression: bool = False) -> set[str]:
    """Top-level names a template or expression reads (for validation of its context)."""
    env = environment()
    try:
        if expression:
            ast: nodes.Template = env.parse("{{ " + source + " }}")
        else:
            ast = env.parse(source)
    except jinja2.TemplateSyntaxError:
        return set()
    return set(meta.find_undeclared_variables(ast))


class _Opaque(Exception):
    """The name is used whole: passed on, iterated, assigned, printed."""


def fields_read(source: str, name: str, *, expression: bool = False) -> frozenset[str] | None:
    """The fields read off the top-level `name` (`name.x`, `name['x']`) by a template or an
    expression; None when `name` is used otherwise anywhere (passed to a filter, a test or a
    macro, iterated, printed, assigned): then anything of it may be read. A store reads what
    an apply needs by it (`engine.reads`). A source that does not parse: None. A source that
    never writes `name` reads none of it, told without a parse (Jinja2's names are
    case-sensitive, and a string template has no partials): working out what a bulk apply
    reads parsed every note and message (~0.7 ms, and ~0.65 ms more for Jinja2's lexer), most
    of which (`Order status changed from {{ from.label }}…`) never name the order; such a
    text that does not parse reads nothing here, and fails when it is rendered."""
    if name not in source:
        return frozenset()
    env = environment()
    try:
        ast = env.parse("{{ " + source + " }}" if expression else source)
    except jinja2.TemplateSyntaxError:
        return None
    return fields_in(ast, name)


def fields_in(ast: nodes.Node, name: str) -> frozenset[str] | None:
    """`fields_read` of a parsed template."""
    found: set[str] = set()

    def visit(node: nodes.Node) -> None:
        for child in node.iter_child_nodes():
            if isinstance(child, nodes.Name) and child.name == name:
                if isinstance(node, nodes.Getattr) and node.node is child:
                    found.add(node.attr)
                elif (
                    isinstance(node, nodes.Getitem)
                    and node.node is child
                    and isinstance(node.arg, nodes.Const)
                    and isinstance(node.arg.value, str)
                ):
                    found.add(node.arg.value)
                else:
                    raise _Opaque
            visit(child)

    try:
        visit(ast)
    except _Opaque:
        return None
    return frozenset(found)


def _shop(context: Context) -> Mapping[str, Any]:
    """The context's `shop`, looked up as `Context.get` does (a name the template set, else
    one it was given) without its three calls: each amount and date of an email asks."""
    shop = context.vars.get("shop", missing)
    if shop is missing:
        shop = context.parent.get("shop")
    return shop if isinstance(shop, dict) else {}


# The filters read the shop's locale, time zone and currency from `shop`, which every context
# has (`engine.context.shop_context`): one compiled template serves one workflow.
@pass_context
def _money(context: Context, value: Any, currency: Any = None) -> str:
    """`{{ order.total|money(order.currency) }}`: `€31.00` (en_US), `31,00 €` (fr_FR); the
    shop's currency when none is given."""
    shop = _shop(context)
    return l10n.format_money(
        value,
        currency if currency is not None else shop.get("currency"),
        shop.get("locale") or l10n.DEFAULT_LOCALE,
    )


@pass_context
def _date(context: Context, value: Any, fmt: Any = "long") -> str:
    """`{{ order.date_created|date }}`: `November 26, 2026`, `26 novembre 2026`."""
    shop = _shop(context)
    return l10n.format_date(
        value,
        shop.get("locale") or l10n.DEFAULT_LOCALE,
        shop.get("timezone") or l10n.DEFAULT_TIMEZONE,
        fmt,
    )


@pass_context
def _datetime(context: Context, value: Any, fmt: Any = None) -> str:
    """`{{ now|datetime }}`: `26 novembre 2026, 10:30` in the shop's time zone."""
    shop = _shop(context)
    return l10n.format_datetime(
        value,
        shop.get("locale") or l10n.DEFAULT_LOCALE,
        shop.get("timezone") or l10n.DEFAULT_TIMEZONE,
        fmt,
    )


def address_lines(address: Mapping[str, Any], *, email: bool = False) -> list[str]:
    """`{% for line in order.billing|address_lines %}`: an address as printed, its non-empty
    lines in order — name, company, both street lines, "postcode city", state, country, phone
    (and the email address with `email=True`). One call instead of a list, a `map` and a
    `select` through the sandbox, which made the address block half of an email's render."""

    def field(key: str) -> str:
        value = address.get(key)
        return "" if value is None else str(value)

    lines = [
        f"{field('first_name')} {field('last_name')}",
        field("company"),
        field("address_1"),
        field("address_2"),
        f"{field('postcode')} {field('city')}",
        field("state"),
        field("country"),
        field("phone"),
    ]
    if email:
        lines.append(field("email"))
    return [stripped for line in lines if (stripped := line.strip())]


@cache
def email_environment(templates_dir: Path, bytecode_dir: Path | None = None) -> Sandbox:
    """The environment of one folder of email templates. Unlike `environment`, it has a
    loader, so `{% include %}`, `{% import %}` and `{% extends %}` find the folder's partials
    (`_layout.html.j2`…); autoescaping follows each file's name, partials included.
    `bytecode_dir` keeps compiled templates between processes (Jinja2 recompiles a file whose
    source changed): compiling an email and its partials costs more than rendering it."""
    cache = jinja2.FileSystemBytecodeCache(str(bytecode_dir)) if bytecode_dir else None
    return _email_env(Sandbox, EmailLoader(templates_dir, encoding="utf-8"), cache)


E = TypeVar("E", bound=Environment)


def _email_env(kind: type[E], loader: jinja2.BaseLoader, cache: jinja2.BytecodeCache | None) -> E:
    """An environment of email templates, sandboxed or not (`Trusted`): the same options and
    filters, whatever `kind`."""
    env = kind(
        bytecode_cache=cache,
        # Loaded once per process: no `stat` of every partial on every render to see whether
        # it changed (a command never outlives an edit; the next one compiles it again).
        auto_reload=False,
        loader=loader,
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html.j2", "html"], default_for_string=False),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    _add_filters(env)
    env.filters["address_lines"] = address_lines
    return env


# -- The shipped email templates, compiled ahead of time --------------------------------------
#
# Turning a template into Python (Jinja2's parser and code generator) is most of what a cold
# `validate` spends on the email templates (~37 ms of ~58 for the 28 shipped files; compiling
# the Python ~13 ms more). For a shipped template, by its exact text and name, that Python is
# generated ahead of time by `tools/precompile_templates.py` with Jinja2's documented
# `Environment.compile_templates` (same environment), one folder of modules per language
# folder in `precompiled/`, and loaded with `jinja2.ModuleLoader` (so Python's own `.pyc`
# cache spares compiling it too). Each folder's `index.json` says, per template name, the
# SHA-256 of the text it was generated from, the `fingerprint` of the Jinja2 and environment
# that generated it, the names the template reads itself and the templates it uses (which
# `shipped_sources` follows). A module is used only when the name, the text's digest and the
# fingerprint all match; any other text (an admin's edit) is parsed and generated as before.
# A test regenerates every folder and compares.

PRECOMPILED = Path(__file__).resolve().parent / "precompiled"
INDEX = "index.json"


@dataclass(frozen=True)
class Precompiled:
    """Where Jinja2's module for one template is, and the names the template itself reads."""

    folder: Path
    names: frozenset[str]


def _pass_args(functions: Mapping[str, Any]) -> list[tuple[str, str]]:
    return sorted((name, str(getattr(f, "jinja_pass_arg", ""))) for name, f in functions.items())


# Per environment, by whether the template is autoescaped (what the name changes): an
# environment is configured before its first template, and not changed after (Jinja2's rule).
_FINGERPRINTS: weakref.WeakKeyDictionary[Environment, dict[bool, str]] = weakref.WeakKeyDictionary()


def fingerprint(env: Environment, name: str) -> str:
    """What Jinja2's code for template `name` depends on besides its text: Jinja2's version,
    the environment's syntax and options, whether `name` is autoescaped, and which filters and
    tests exist and what they are passed (a filter made `pass_context` changes the code).
    Worked out once per environment and autoescaping."""
    autoescape = bool(env.autoescape(name) if callable(env.autoescape) else env.autoescape)
    known = _FINGERPRINTS.setdefault(env, {})
    found = known.get(autoescape)
    if found is None:
        found = known[autoescape] = _fingerprint(env, autoescape)
    return found


def _fingerprint(env: Environment, autoescape: bool) -> str:
    parts = (
        jinja2.__version__,
        type(env).__name__,
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        env.optimized,
        env.is_async,
        autoescape,
        env.finalize is None,
        sorted(env.extensions),
        _pass_args(env.filters),
        _pass_args(env.tests),
    )
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


def index_entry(env: Environment, name: str, source: str) -> dict[str, Any]:
    """What `tools/precompile_templates.py` writes in `index.json` for template `name`: its
    text's SHA-256, `fingerprint`, the names it reads itself, and the templates it extends,
    includes or imports (`jinja2.meta.find_referenced_templates`), so that run time needs
    neither a parse nor a pattern to follow a shipped template's partials. A shipped template
    must name them literally."""
    ast = env.parse(source, name)
    references = list(meta.find_referenced_templates(ast))
    if None in references:
        raise ValueError(f"{name}: a shipped template must name the templates it uses literally")
    fields = fields_in(ast, "order")
    return {
        "sha256": _digest(source),
        "fingerprint": fingerprint(env, name),
        "names": sorted(undeclared_names(env, ast)),
        "order_fields": None if fields is None else sorted(fields),
        "references": sorted({r for r in references if r is not None}),
    }


@dataclass(frozen=True)
class _Shipped:
    """One record of an `index.json`: a shipped template's text, by its SHA-256."""

    folder: Path  # its module's folder
    fingerprint: str
    names: frozenset[str]
    references: tuple[str, ...]  # the templates it extends, includes or imports
    order_fields: frozenset[str] | None  # the fields of `order` it reads itself (`fields_in`)


@cache
def _indexes() -> dict[tuple[str, str], _Shipped]:
    """(template name, SHA-256 of its text) → its record, from every `index.json`: every
    shipped template's text in every language folder."""
    found: dict[tuple[str, str], _Shipped] = {}
    for index in sorted(PRECOMPILED.glob(f"*/{INDEX}")):
        try:
            records = json.loads(index.read_text(encoding="utf-8"))
            for name, record in records.items():
                fields = record["order_fields"]
                entry = _Shipped(
                    index.parent,
                    str(record["fingerprint"]),
                    frozenset(record["names"]),
                    tuple(record["references"]),
                    None if fields is None else frozenset(fields),
                )
                found.setdefault((name, str(record["sha256"])), entry)
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            continue
    return found


def precompiled(env: Environment, name: str, source: str) -> Precompiled | None:
    """The module generated ahead of time for template `name` with text `source` in `env`;
    None when there is none for this text, or it was generated for another Jinja2 or
    environment."""
    entry = _indexes().get((name, _digest(source)))
    if entry is None or entry.fingerprint != fingerprint(env, name):
        return None
    return Precompiled(entry.folder, entry.names)


@cache
def _module_loader(folder: Path) -> jinja2.ModuleLoader:
    return jinja2.ModuleLoader(folder)


def _load_precompiled(
    env: Environment,
    name: str,
    source: str,
    filename: str | None,
    globals: MutableMapping[str, Any] | None = None,
) -> jinja2.Template | None:
    """Template `name` from its module generated ahead of time, when there is one for this
    text in this environment (`precompiled`); else None."""
    found = precompiled(env, name, source)
    if found is None:
        return None
    try:
        template = _module_loader(found.folder).load(env, name, globals)
    except jinja2.TemplateNotFound:
        return None
    template.filename = filename  # the template's file, not the module's (tracebacks)
    template.orderwf_names = found.names  # type: ignore[attr-defined]
    return template


class EmailLoader(jinja2.FileSystemLoader):
    """A folder of email templates: a shipped template's text is not parsed and generated
    again, its module comes from `precompiled/` (the same code, ahead of time)."""

    def load(
        self,
        environment: Environment,
        name: str,
        globals: MutableMapping[str, Any] | None = None,
    ) -> jinja2.Template:
        source, filename, _ = self.get_source(environment, name)
        template = _load_precompiled(environment, name, source, filename, globals)
        return template or super().load(environment, name, globals)


def _add_filters(env: Environment) -> None:
    """The filters every template and expression has (SPEC §11)."""
    env.filters["money"] = _money
    env.filters["price"] = _money  # the older name, kept for templates written before
    env.filters["date"] = _date
    env.filters["datetime"] = _datetime


# -- The shipped email templates, unchanged: rendered without the sandbox --------------------
#
# A shop's email templates are files an admin may edit, so they render in the sandbox. The ones
# orderwf ships (the package's `templates/emails`, copied into a shop folder by `orderwf init`)
# are ours: while a file, and every partial it uses, has the content of the shipped file of
# the same name (by SHA-256 of the text, never by path: the digests `precompiled/`'s indexes
# record, so a shipped text edited without `tools/precompile_templates.py` run again is not
# trusted), it renders in a plain Jinja2 environment with the same options, filters and
# lookups. Rendering the shipped emails is then ~20 % cheaper. A test renders every shipped
# template both ways over generated orders and compares the bytes.
#
# Why two mechanisms (this and the precompiled modules, which validation uses): serving the
# commands' shipped emails from the precompiled modules instead, which run in the sandbox,
# renders an email in 0.143 ms CPU against this path's 0.118 (`bench/render_emails.py`), and
# bulk `apply` with one email ran at 2,468 orders per CPU-second against 2,561 (−3.6 %, worse
# in each of 6 interleaved pairs: `bench/bulk.py --only sqlite --sizes 10000 --email-sizes
# 10000`, 2026-12-05). The trusted path stays for the commands.


def _digest(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def _walk(name: str, step: Callable[[str], Sequence[str] | None]) -> bool:
    """Visit template `name` and every template it uses, each once: `step(name)` gives the
    templates that one uses, or None to stop the walk (False)."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        following = step(current)
        if following is None:
            return False
        todo += following
    return True


def shipped_sources(templates_dir: Path, name: str) -> dict[str, str] | None:
    """The text of email template `name` of `templates_dir` and of every template it uses,
    by name, when each is a shipped template unchanged; None when any is not (edited, added,
    missing, unreadable)."""
    sources: dict[str, str] = {}

    def step(current: str) -> Sequence[str] | None:
        try:
            source = (templates_dir / current).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        shipped = _indexes().get((current, _digest(source)))
        if shipped is None:
            return None
        sources[current] = source
        return shipped.references  # as the index recorded them (`index_entry`)

    return sources if _walk(name, step) else None


def email_order_fields(env: Environment, name: str) -> frozenset[str] | None:
    """The fields of `order` that email template `name` of a folder's environment
    (`email_environment`) and every template it uses read (`fields_read`), so that an apply
    that may send it loads only the parts of the order those need (`engine.reads`). A shipped
    text's own fields and partials come from its index record; another text is parsed. None,
    anything may be read: `order` used whole somewhere (passed to a macro, assigned), a
    partial named by an expression, a file that does not load or parse."""
    loader = env.loader
    assert loader is not None
    fields: set[str] = set()

    def step(current: str) -> Sequence[str] | None:
        try:
            source = loader.get_source(env, current)[0]
            shipped = _indexes().get((current, _digest(source)))
            if shipped is not None:
                own, references = shipped.order_fields, list(shipped.references)
            else:
                ast = env.parse(source, current)
                own, found = fields_in(ast, "order"), list(meta.find_referenced_templates(ast))
                references = [r for r in found if r is not None]
                if len(references) != len(found):
                    return None
        except jinja2.TemplateError:
            return None
        if own is None:
            return None
        fields.update(own)
        return references

    return frozenset(fields) if _walk(name, step) else None


def trusted_escape(value: Any) -> str:
    """`markupsafe.escape` as a plain `str`: what an autoescaped `{{ x }}` of a trusted
    template outputs (`TrustedCode`). The output of a render is joined into one `str` anyway,
    as its literal text is; `escape` wraps each value in a `Markup` first, in Python (~0.3 µs,
    ~50 times an HTML email)."""
    if type(value) is str:
        return _escape_inner(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return _escape_inner(str(value))


class TrustedCode(CodeGenerator):
    """Jinja2's code for the shipped templates (`Trusted`), with two lookups written out:

    - `x.y` on a plain dict holding `y` (every name templates see is one, `context.py`) is
      the item, read in place: `(o['y'] if type(o := x) is dict and 'y' in o else
      environment.getattr(o, 'y'))`, what `_Lookups.getattr` returns without its call (an
      email reads ~150 fields); a name of `dict`'s own attributes goes Jinja2's way;
    - an autoescaped `{{ x }}` is `trusted_escape(x)`, a `str`, instead of a `Markup`.

    The same bytes as Jinja2's code (`tests/unit/test_trusted_templates.py` compares every
    shipped template with the sandbox's rendering). Never the sandbox's: it checks each
    lookup."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        self.writeline("from orderwf.templating import trusted_escape as orderwf_escape")
        super().visit_Template(node, frame)

    @optimizeconst
    def visit_Getattr(self, node: nodes.Getattr, frame: Frame) -> None:
        if node.attr in _DICT_ATTRIBUTES:
            super().visit_Getattr(node, frame)
            return
        held, key = self.temporary_identifier(), repr(node.attr)
        self.write(f"({held}[{key}] if type({held} := ")
        self.visit(node.node, frame)
        self.write(f") is dict and {key} in {held} else environment.getattr({held}, {key}))")

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
            self.write("orderwf_escape(")
            if finalize.src is not None:
                self.write(finalize.src)
            return
        super()._output_child_pre(node, frame, finalize)


class Trusted(_Lookups):
    """The environment of the shipped templates of one folder: Jinja2's own, with the lookups
    and filters of `Sandbox` (`_Lookups`, `_email_env`), and its code written by
    `TrustedCode`. Its loader serves only texts `shipped_sources` checked."""

    code_generator_class = TrustedCode


# The trusted code's cache folder, named after how `TrustedCode` writes it: code written
# another way (an older orderwf's) is never loaded.
_TRUSTED_CACHE = "trusted-2"


@cache
def trusted_environment(templates_dir: Path, bytecode_dir: Path | None = None) -> Trusted:
    """The plain environment of `templates_dir`'s shipped templates (`shipped_sources`).
    Its compiled code is cached apart from the sandbox's (`bytecode_dir/trusted`): code
    compiled without the sandbox must never be loaded into it."""
    verified: dict[str, tuple[str, str]] = {}
    cache = None
    if bytecode_dir is not None:
        try:
            (bytecode_dir / _TRUSTED_CACHE).mkdir(parents=True, exist_ok=True)
            cache = jinja2.FileSystemBytecodeCache(str(bytecode_dir / _TRUSTED_CACHE))
        except OSError:
            cache = None

    def load(name: str) -> tuple[str, str, Callable[[], bool]] | None:
        found = verified.get(name)
        return None if found is None else (found[0], found[1], lambda: True)

    env = _email_env(Trusted, jinja2.FunctionLoader(load), cache)
    env.filters[inlining.WITH_LAST] = inlining.with_last  # loops of `inlining.flattened`
    env.orderwf_verified = verified  # type: ignore[attr-defined]
    return env


def trusted_template(
    templates_dir: Path, name: str, bytecode_dir: Path | None = None
) -> jinja2.Template | None:
    """Email template `name` of `templates_dir` compiled without the sandbox when it and every
    template it uses are shipped ones unchanged (`shipped_sources`); else None."""
    sources = shipped_sources(templates_dir, name)
    if sources is None:
        return None
    env = trusted_environment(templates_dir, bytecode_dir)
    verified: dict[str, tuple[str, str]] = env.orderwf_verified  # type: ignore[attr-defined]
    for each, source in sources.items():
        verified[each] = (source, str(templates_dir / each))
    key = ("inlined", id(env), name, tuple(sorted(sources.items())))
    if key not in _INLINED:
        _INLINED[key] = _inlined(env, name, sources, str(templates_dir / name))
    return _INLINED[key] or env.get_template(name)


# Trusted templates with their layout and partials inlined, by environment, name and texts;
# None: one that cannot be (`inlining.flattened`).
_INLINED: dict[tuple[object, ...], jinja2.Template | None] = {}
# In what the bytecode cache keys an inlined template's code by: changed when `inlining` is.
_INLINING_VERSION = "orderwf inlining 2"


def _inlined(
    env: Trusted, name: str, sources: Mapping[str, str], filename: str
) -> jinja2.Template | None:
    """Template `name` as one template with the layout it extends and the partials it
    includes (`inlining.flattened`; the same output, a third less to render), its code kept
    in the bytecode cache by every text it is made of. Rendered as written instead when it
    fails (`CompiledTemplate.render`), so that a failure names its partial and line."""
    cache = env.bytecode_cache
    texts = "\0".join([_INLINING_VERSION, *(f"{n}\0{t}" for n, t in sorted(sources.items()))])
    # Named by its texts too: each language folder's email of the same name has its own.
    label = f"{name} inlined {_digest(texts)}"
    bucket = None if cache is None else cache.get_bucket(env, label, None, texts)
    code = None if bucket is None else bucket.code
    if code is None:
        tree = inlining.flattened(env, name, lambda each: env.parse(sources[each], each))
        if tree is None:
            return None
        code = env.compile(tree, name, filename)
        if cache is not None and bucket is not None:
            bucket.code = code
            cache.set_bucket(bucket)
    template = env.template_class.from_code(env, code, env.make_globals(None))
    template.orderwf_as_written = lambda: env.get_template(name)  # type: ignore[attr-defined]
    return template


def load_email_template(
    templates_dir: Path, filename: str, *, lazy: bool = False, bytecode_dir: Path | None = None
) -> CompiledTemplate:
    """An email part of `templates_dir`, compiled with the partials it uses. Eager (for
    validation): parsed once, for its code and for the names it reads itself (`own_names`).
    Lazy (for commands): compiled on first use, through the bytecode cache, and without the
    sandbox when it is a shipped template unchanged (`trusted_template`)."""
    resolved = templates_dir.resolve()
    env = email_environment(resolved, bytecode_dir)

    def fields() -> frozenset[str] | None:
        return email_order_fields(env, filename)

    def translated(load: Callable[[], T]) -> T:
        try:
            return load()
        except jinja2.TemplateNotFound as e:
            raise TemplateProblem(f"template {e.name} not found in {templates_dir}") from None
        except jinja2.TemplateSyntaxError as e:
            where = e.name or filename
            raise TemplateProblem(f"template {where}: {_explain(e)}", lineno=e.lineno) from None

    if lazy:

        def compile_lazily() -> jinja2.Template:
            trusted = translated(lambda: trusted_template(resolved, filename, bytecode_dir))
            return trusted or translated(lambda: env.get_template(filename))

        return CompiledTemplate(
            source="", _compile=compile_lazily, name=filename, _file_fields=fields
        )
    loader = env.loader
    assert loader is not None
    source, path, uptodate = translated(lambda: loader.get_source(env, filename))

    def build() -> jinja2.Template:
        found = _load_precompiled(env, filename, source, path, env.make_globals(None))
        return found or _template(env, env.parse(source, filename, path), filename, path, uptodate)

    template = translated(lambda: _shared(("file", id(env), filename, source), build))
    return CompiledTemplate(
        source=source, _compile=lambda: template, name=filename, _file_fields=fields
    )
