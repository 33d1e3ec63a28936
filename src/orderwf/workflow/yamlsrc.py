"""YAML, and only here: bytes → plain data plus the positions of every key and value.

The file is composed into PyYAML's node tree with a resolver that follows YAML 1.2's core
schema rather than 1.1's: only `true`/`false` are booleans (so an email's `on:` key and a
`yes`/`no` label stay strings), dates stay strings, `1:30` is not sexagesimal 90. The tree is
then turned into data by hand, which is what makes it safe: only the plain tags (string,
integer, float, boolean, null, mapping, sequence) are accepted, so `!!python/object/apply` and
friends are findings, never constructed. A duplicate key is a finding too. Every value keeps
its node's mark so a JSON path (`("actions", "ship", "to")`) maps back to line:col.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

JsonPath = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _Loader(_BaseLoader):
    """A loader whose implicit resolvers are YAML 1.2 core's (set up below)."""

    yaml_implicit_resolvers: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}


def _resolve(tag: str, pattern: str, first: str) -> None:
    _Loader.add_implicit_resolver(tag, re.compile(pattern, re.X), list(first))


_resolve(_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF")
_resolve(_INT, r"^[-+]?[0-9]+$", "-+0123456789")
_resolve(
    _FLOAT,
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
    "-+0123456789.",
)
_resolve(_NULL, r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""])  # type: ignore[arg-type]


@dataclass(frozen=True)
class Position:
    """1-based line and column."""

    line: int
    column: int


@dataclass(frozen=True)
class Problem:
    """Something wrong with the YAML itself, at a position."""

    code: str
    message: str
    position: Position
    json_path: JsonPath = ()
    hint: str | None = None


@dataclass
class Source:
    """The data of one YAML document and where each part of it came from."""

    data: Any = None
    problems: list[Problem] = field(default_factory=list)
    # path → (position of the key, position of the value); the root has no key
    _marks: dict[JsonPath, tuple[Position, Position]] = field(default_factory=dict)

    def has(self, path: JsonPath) -> bool:
        """Whether the file writes a value at `path`: which of a value's forms it used
        (`to: shipped` or a list of alternatives, `email: x` or `email: {id: x}`)."""
        return path in self._marks

    def position(self, path: JsonPath, *, key: bool = False) -> Position:
        """Where the value at `path` starts (or its key, with `key=True`). A path that goes
        deeper than the file (a missing key) falls back to its nearest existing parent."""
        while path not in self._marks and path:
            path = path[:-1]
            key = True
        marks = self._marks.get(path)
        if marks is None:
            return Position(1, 1)
        return marks[0] if key else marks[1]


def _pos(mark: Any) -> Position:
    return Position(mark.line + 1, mark.column + 1)


_SCALARS: dict[str, Callable[[str], Any]] = {
    _STR: str,
    _INT: int,
    _FLOAT: lambda v: float(v.replace("_", "")),
    _BOOL: lambda v: v.lower() == "true",
    _NULL: lambda v: None,
}


# Bounds on what one file may cost. A workflow is a few hundred lines; aliases (`*name`) are
# expanded into the data, so nine levels of nine aliases make 9^9 values from 100 lines
# (a "billion laughs") unless the number of values built is bounded.
MAX_CHARS = 1_000_000
MAX_VALUES = 100_000


class _TooLarge(Exception):
    """The file expands past `MAX_VALUES`: building stops at once."""


class _Builder:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.active: set[int] = set()
        self.values = 0

    def problem(self, code: str, message: str, node: Any, path: JsonPath) -> None:
        self.source.problems.append(Problem(code, message, _pos(node.start_mark), path))

    def value(self, node: Any, path: JsonPath, key_pos: Position) -> Any:
        self.values += 1
        if self.values > MAX_VALUES:
            self.problem(
                "OWF007",
                f"the file expands to more than {MAX_VALUES:,} values through its aliases "
                "(*name); a workflow needs far fewer",
                node,
                path,
            )
            raise _TooLarge
        self.source._marks[path] = (key_pos, _pos(node.start_mark))
        if isinstance(node, yaml.ScalarNode):
            convert = _SCALARS.get(node.tag)
            if convert is None:
                self.problem("OWF004", f"YAML tag {node.tag!r} is not allowed", node, path)
                return None
            try:
                return convert(node.value)
            except ValueError:
                self.problem("OWF004", f"{node.value!r} is not a valid {node.tag}", node, path)
                return None
        if id(node) in self.active:
            self.problem("OWF005", "an alias refers to a mapping that contains it", node, path)
            return None
        if node.tag not in (_MAP, _SEQ):
            self.problem("OWF004", f"YAML tag {node.tag!r} is not allowed", node, path)
            return None
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [
                    self.value(item, (*path, i), _pos(item.start_mark))
                    for i, item in enumerate(node.value)
                ]
            return self.mapping(node, path)
        finally:
            self.active.discard(id(node))

    def mapping(self, node: Any, path: JsonPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem("OWF005", "a key must be a plain name", key_node, path)
                continue
            if key_node.value == "<<" and not key_node.style:  # plain, not quoted
                self.problem("OWF005", "merge keys (<<) are not supported", key_node, path)
                continue
            key = key_node.value  # the text as written: `on`, `1` and `true` stay names
            if key in result:
                first = self.source.position((*path, key), key=True)
                self.problem(
                    "OWF003",
                    f"duplicate key {key!r} (first defined at line {first.line})",
                    key_node,
                    (*path, key),
                )
                continue
            result[key] = self.value(value_node, (*path, key), _pos(key_node.start_mark))
        return result


def parse(text: str) -> Source:
    """Compose `text` and turn it into data; problems are collected, never raised."""
    source = Source()
    if len(text) > MAX_CHARS:
        source.problems.append(
            Problem(
                "OWF007",
                f"the file has {len(text):,} characters, more than the {MAX_CHARS:,} a "
                "workflow may have",
                Position(1, 1),
            )
        )
        return source
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        position = _pos(mark) if mark is not None else Position(1, 1)
        if _char_at(text, position) == "\t" or "tab" in (e.problem or ""):
            source.problems.append(
                Problem(
                    "OWF002",
                    "YAML syntax error: a tab character where YAML expects spaces",
                    position,
                    hint="indent with spaces: YAML does not allow tabs there",
                )
            )
            return source
        message = " ".join(part for part in (e.context, e.problem) if part) or str(e)
        source.problems.append(Problem("OWF002", f"YAML syntax error: {message}", position))
        return source
    except yaml.YAMLError as e:
        source.problems.append(Problem("OWF002", f"YAML error: {e}", Position(1, 1)))
        return source
    if node is None:
        source.data = None
        return source
    try:
        source.data = _Builder(source).value(node, (), _pos(node.start_mark))
    except _TooLarge:
        source.data = None
        source._marks.clear()
    return source


def _char_at(text: str, position: Position) -> str:
    lines = text.split("\n", position.line)
    if position.line > len(lines):
        return ""
    line = lines[position.line - 1]
    return line[position.column - 1] if 0 < position.column <= len(line) else ""
