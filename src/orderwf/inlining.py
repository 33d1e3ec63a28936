"""One template out of an email template, the layout it extends and the partials it includes:
the shipped emails' fast path (`templating.trusted_template`).

Jinja2 renders `{% extends %}` and `{% include %}` at run time: every render looks each
partial up in the environment, builds it a new context from the caller's names, and calls the
layout's blocks through the context. For the shipped order emails that is about a third of a
render (`bench/render_emails.py`): an email's layout, order details, tracking and addresses are
four lookups and four contexts for the HTML part, four more for the text. Here their syntax
trees are put together instead: the layout's body with each `{% block %}` replaced by the
child's, each `{% include %}` by the partial's body. The result is one template with one
render function and the same output.

Only what keeps its meaning when moved is inlined, so the output is the same byte for byte:
statements that print, test and loop (`Output`, `If`, `For`, `FilterBlock`) and the blocks,
extends and includes being resolved, all naming their templates literally, with context, and
of one autoescaping. Anything that makes or reads a scope of its own (`set`, macros, imports,
`with`, `{% autoescape %}`, `self`, `super()`, a scoped or required block, a block inside a
loop, an include of a list or an expression) makes `flattened` give None: the template is then
rendered as Jinja2 loads it. A test compares both ways on every shipped template."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from jinja2 import Environment, nodes
from jinja2.visitor import NodeTransformer

# The statements that mean the same wherever they stand, and those resolved here.
_ALLOWED = (
    nodes.Output, nodes.If, nodes.For, nodes.FilterBlock, nodes.Block, nodes.Include, nodes.Extends
)  # fmt: skip
_DEPTH = 8  # layouts and partials nested deeper than this are not inlined


class _Cannot(Exception):
    """The template uses something whose meaning depends on where it is written."""


def flattened(
    env: Environment, name: str, parse: Callable[[str], nodes.Template]
) -> nodes.Template | None:
    """Template `name` with the layout it extends and the partials it includes put into one
    syntax tree, or None when it uses anything that could mean something else once moved.
    `parse(name)` gives a template's tree (an unknown name raises `LookupError`)."""
    try:
        body = _Inliner(env, parse, _autoescaped(env, name)).template(name, {}, ())
    except (_Cannot, LookupError):
        return None
    tree = nodes.Template(body, lineno=1)
    if WITH_LAST in env.filters:
        tree = _LastWithoutLoop().visit(tree)
    tree.set_environment(env)
    return tree


N = TypeVar("N", bound=nodes.Node)

# The filter `flattened` loops through instead of reading `loop.last` (`with_last`); an
# environment that has it registered gets those loops.
WITH_LAST = "orderwf_with_last"


def with_last(items: Iterable[Any]) -> list[tuple[Any, bool]]:
    """Each item with whether it is the last one: what `loop.last` tells, for a loop that
    reads nothing else of `loop` (`_LastWithoutLoop`)."""
    listed = list(items)
    last = len(listed) - 1
    return [(item, i == last) for i, item in enumerate(listed)]


class _LastWithoutLoop(NodeTransformer):
    """`{% for x in xs %}…{{ loop.last }}…{% endfor %}` as `{% for x, last in xs|with_last %}
    …{{ last }}…`: the same output without Jinja2's `LoopContext`, an object whose iteration
    and `last` (a look ahead) run in Python, ~3 µs a loop against ~0.3 (the shipped emails'
    address blocks: four loops an email). Only a plain loop (one name, no filter, no `else`,
    not recursive) with no loop inside it, whose body reads `loop` only as `loop.last`."""

    def __init__(self) -> None:
        self.count = 0

    def visit_For(self, node: nodes.For) -> nodes.Node:  # noqa: N802 (Jinja2's visitor names)
        if (
            node.recursive
            or node.else_
            or node.test is not None
            or not isinstance(node.target, nodes.Name)
            or any(_within(child, nodes.For) for child in node.body)
        ):
            return self.generic_visit(node)
        uses = [n for child in node.body for n in _within(child, nodes.Name) if n.name == "loop"]
        lasts = [
            n
            for child in node.body
            for n in _within(child, nodes.Getattr)
            if isinstance(n.node, nodes.Name) and n.node.name == "loop" and n.attr == "last"
        ]
        if not uses or len(uses) != len(lasts):
            return node
        self.count += 1
        name = f"orderwf_last_{self.count}"
        node.iter = nodes.Filter(node.iter, WITH_LAST, [], [], None, None, lineno=node.lineno)
        node.target = nodes.Tuple(
            [node.target, nodes.Name(name, "store", lineno=node.lineno)], "store"
        )
        node.body = [_Replace(lasts, name).visit(child) for child in node.body]
        return node


def _within(node: nodes.Node, kind: type[N]) -> list[N]:
    """The nodes of `kind` in `node`, itself included (`find_all` looks below it only)."""
    found = list(node.find_all(kind))
    return [node, *found] if isinstance(node, kind) else found


class _Replace(NodeTransformer):
    """Each of the `loop.last` nodes given replaced by the name `name`."""

    def __init__(self, lasts: list[nodes.Getattr], name: str) -> None:
        self.ids = {id(n) for n in lasts}
        self.name = name

    def visit_Getattr(self, node: nodes.Getattr) -> nodes.Node:  # noqa: N802
        if id(node) in self.ids:
            return nodes.Name(self.name, "load", lineno=node.lineno)
        return self.generic_visit(node)


def _autoescaped(env: Environment, name: str) -> bool:
    return bool(env.autoescape(name) if callable(env.autoescape) else env.autoescape)


def _literal(node: nodes.Expr) -> str:
    if not isinstance(node, nodes.Const) or not isinstance(node.value, str):
        raise _Cannot
    return node.value


class _Inliner:
    def __init__(
        self, env: Environment, parse: Callable[[str], nodes.Template], autoescape: bool
    ) -> None:
        self.env = env
        self.parse = parse
        self.autoescape = autoescape

    def template(
        self, name: str, blocks: Mapping[str, list[nodes.Node]], stack: tuple[str, ...]
    ) -> list[nodes.Node]:
        """The body of template `name` as it renders, with `blocks` (a child's, by name)
        in place of its own blocks of those names."""
        if len(stack) >= _DEPTH or _autoescaped(self.env, name) != self.autoescape:
            raise _Cannot
        tree = self.parse(name)
        _check(tree)
        stack = (*stack, name)
        body = tree.body
        if body and isinstance(body[0], nodes.Extends):
            # What a child renders is its layout, with its own blocks; nothing else it holds
            # is printed (Jinja2 skips a child's output after `extends`).
            own: dict[str, list[nodes.Node]] = {}
            for node in body[1:]:
                if isinstance(node, nodes.Block):
                    if node.scoped or node.required or any(node.find_all(nodes.Block)):
                        raise _Cannot  # or a block defined inside another
                    own[node.name] = self.expand(node.body, {}, stack)
                elif not isinstance(node, nodes.Output):
                    raise _Cannot
            return self.template(_literal(body[0].template), {**own, **blocks}, stack)
        if any(tree.find_all(nodes.Extends)):
            raise _Cannot  # an `extends` that is not the first statement, or a conditional one
        return self.expand(body, blocks, stack)

    def expand(
        self, body: list[nodes.Node], blocks: Mapping[str, list[nodes.Node]], stack: tuple[str, ...]
    ) -> list[nodes.Node]:
        return list(_Expand(self, blocks, stack).statements(body))


class _Expand(NodeTransformer):
    """Blocks and includes replaced by the statements they stand for."""

    def __init__(
        self, inliner: _Inliner, blocks: Mapping[str, list[nodes.Node]], stack: tuple[str, ...]
    ) -> None:
        self.inliner = inliner
        self.blocks = blocks
        self.stack = stack
        self.loops = 0

    def visit_For(self, node: nodes.For) -> nodes.Node:  # noqa: N802 (Jinja2's visitor names)
        self.loops += 1
        try:
            return self.generic_visit(node)
        finally:
            self.loops -= 1

    def visit_Block(self, node: nodes.Block) -> list[nodes.Node]:  # noqa: N802
        # A block renders with the template's names, not a loop's: only outside loops is it
        # the same inlined.
        if node.scoped or node.required or self.loops:
            raise _Cannot
        replacement = self.blocks.get(node.name)
        if replacement is not None:
            return replacement
        return self.statements(node.body)

    def visit_Include(self, node: nodes.Include) -> list[nodes.Node]:  # noqa: N802
        if not node.with_context or node.ignore_missing:
            raise _Cannot
        return self.inliner.template(_literal(node.template), {}, self.stack)

    def statements(self, body: list[nodes.Node]) -> list[nodes.Node]:
        out: list[nodes.Node] = []
        for node in body:
            visited = self.visit(node)
            if isinstance(visited, list):
                out += visited
            elif visited is not None:
                out.append(visited)
        return out


def _check(tree: nodes.Template) -> None:
    """Only statements that mean the same wherever they stand, and no `self` or `super`."""
    for node in tree.find_all(nodes.Stmt):
        if not isinstance(node, _ALLOWED):
            raise _Cannot
    for name in tree.find_all(nodes.Name):
        if name.name in ("self", "super"):
            raise _Cannot
