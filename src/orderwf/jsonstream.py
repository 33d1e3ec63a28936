"""Reading a JSON file of one object or a list of objects, one object at a time.

An export of a million orders is gigabytes of text: decoding it whole would hold all of it, and
every object made from it, at once. `JsonFile` reads it in chunks and decodes one element of the
top-level list at a time, so memory follows the largest order, not the file. Every problem is
one `UsageError` sentence naming the file, and the line and column or the item.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any, NoReturn

from orderwf.errors import UsageError

CHUNK = 1 << 20
_WHITESPACE = " \t\n\r"
_DECODER = json.JSONDecoder()


class JsonFile:
    """The objects of a JSON file; iterating reads the file again from the start, so an
    import can check every record before it stores any."""

    def __init__(self, path: Path, *, chunk: int = CHUNK) -> None:
        self.path = path
        self.chunk = chunk

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        try:
            stream = self.path.open(encoding="utf-8-sig", newline="")
        except OSError as e:
            raise UsageError(f"cannot read {self.path}: {e.strerror or e}") from None
        with stream:
            yield from _Reader(stream, str(self.path), self.chunk).objects()


def kind(value: Any) -> str:
    """What a decoded JSON value is, in JSON's words."""
    names = {list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def not_an_object(value: Any, where: str) -> UsageError:
    return UsageError(f"{where} is a JSON {kind(value)}, expected an object (or a list of objects)")


class _Reader:
    def __init__(self, stream: IO[str], source: str, chunk: int) -> None:
        self.stream = stream
        self.source = source
        self.chunk = chunk
        self.buf = ""
        self.pos = 0
        self.lines_before = 0  # newlines in the text already dropped from `buf`
        self.column_before = 0  # characters of `buf[0]`'s line already dropped
        self.eof = False

    def objects(self) -> Iterator[Mapping[str, Any]]:
        if self._peek() != "[":
            value = self._value()
            if self._peek() != "":
                self._fail(json.JSONDecodeError("Extra data", self.buf, self.pos))
            if not isinstance(value, Mapping):
                raise not_an_object(value, self.source)
            yield value
            return
        self.pos += 1
        if self._peek() == "]":
            self.pos += 1
        else:
            index = 0
            while True:
                value = self._value()
                index += 1
                if not isinstance(value, Mapping):
                    raise not_an_object(value, f"item {index} of {self.source}")
                yield value
                self._drop_consumed()
                after = self._peek()
                self.pos += 1
                if after == "]":
                    break
                if after != ",":
                    self.pos -= 1
                    self._fail(json.JSONDecodeError("Expecting ',' delimiter", self.buf, self.pos))
        if self._peek() != "":
            self._fail(json.JSONDecodeError("Extra data", self.buf, self.pos))

    def _value(self) -> Any:
        """One JSON value at `pos`, reading more of the file until it is complete."""
        self._peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as e:
                if self.eof:
                    self._fail(e)
                self._read()  # the value may go on in the next chunk
                continue
            except RecursionError:
                raise UsageError(f"{self.source} nests arrays or objects too deeply") from None
            except ValueError as e:  # e.g. an integer of more than 4,300 digits
                raise UsageError(f"{self.source} is not valid JSON: {e}") from None
            if end == len(self.buf) and not self.eof and not isinstance(value, Mapping | list):
                self._read()  # a number or literal may go on in the next chunk
                continue
            self.pos = end
            return value

    def _peek(self) -> str:
        """The next character that is not whitespace ("" at the end of the file)."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if self.eof:
                return ""
            self._read()

    def _read(self) -> None:
        try:
            text = self.stream.read(self.chunk)
        except UnicodeDecodeError:
            raise UsageError(f"{self.source} is not UTF-8 text") from None
        if text:
            self.buf += text
        else:
            self.eof = True

    def _drop_consumed(self) -> None:
        # Dropping on every item would copy the rest of the buffer each time.
        if self.pos >= self.chunk or self.pos > len(self.buf) // 2:
            self.lines_before += self.buf.count("\n", 0, self.pos)
            newline = self.buf.rfind("\n", 0, self.pos)
            self.column_before = (
                self.pos - newline - 1 if newline >= 0 else self.column_before + self.pos
            )
            self.buf = self.buf[self.pos :]
            self.pos = 0

    def _fail(self, e: json.JSONDecodeError) -> NoReturn:
        line = self.lines_before + self.buf.count("\n", 0, e.pos) + 1
        newline = self.buf.rfind("\n", 0, e.pos)
        column = e.pos - newline if newline >= 0 else self.column_before + e.pos + 1
        raise UsageError(
            f"{self.source} is not valid JSON: {e.msg} at line {line}, column {column}"
        ) from None
