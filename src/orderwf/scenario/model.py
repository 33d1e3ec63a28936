"""A scenario file as frozen dataclasses (SPEC §10), built by `scenario.load` from data that
passed the schema and the semantic checks. Every step keeps its line and column, so a failure
points at the step that failed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from orderwf.engine.memory import OrderSpec, Product

StepKind = Literal["apply", "refund", "note", "wait"]


@dataclass(frozen=True)
class EmailExpect:
    id: str
    to: str | None = None
    subject: str | None = None
    contains: str | None = None

    def describe(self) -> str:
        extra = [
            f"{k}={v!r}"
            for k, v in (("to", self.to), ("subject", self.subject), ("contains", self.contains))
            if v is not None
        ]
        return self.id + (f" ({', '.join(extra)})" if extra else "")


@dataclass(frozen=True)
class NoteExpect:
    text: str | None = None  # the exact text
    contains: str | None = None
    customer: bool | None = None

    def describe(self) -> str:
        if self.text is not None:
            return repr(self.text)
        parts = []
        if self.contains is not None:
            parts.append(f"containing {self.contains!r}")
        if self.customer is not None:
            parts.append("customer note" if self.customer else "private note")
        return "a note " + " and ".join(parts) if parts else "a note"


@dataclass(frozen=True)
class Expect:
    status: str | None = None
    stock: tuple[tuple[str, int | None], ...] = ()
    emails: tuple[EmailExpect, ...] | None = None
    notes: tuple[NoteExpect, ...] | None = None
    total_refunded: Decimal | None = None
    remaining_refundable: Decimal | None = None
    tracking: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Step:
    index: int  # 1-based
    kind: StepKind
    line: int
    column: int
    action: str = ""  # the action it applies (`refund` and `add_note` for those steps)
    params: dict[str, Any] = field(default_factory=dict)  # raw, as `apply -p` takes them
    wait: timedelta | None = None
    wait_text: str = ""
    actor: str | None = None
    expect: Expect | None = None
    refused: str | None = None
    source: dict[str, Any] = field(default_factory=dict)  # the step as written

    def describe(self) -> str:
        if self.kind == "wait":
            return f"wait {self.wait_text}"
        if self.kind == "apply":
            return f"apply {self.action}"
        return self.kind


@dataclass(frozen=True)
class Scenario:
    path: Path
    file: str  # as shown to people
    name: str
    workflow: str  # the workflow's name
    now: datetime
    actor: str
    products: tuple[Product, ...]
    order: OrderSpec
    steps: tuple[Step, ...]
    data: dict[str, Any] = field(default_factory=dict)  # the file's data
    source: Any = field(default=None, compare=False, repr=False)  # its `yamlsrc.Source`

    def position(self, *path: str | int) -> tuple[int, int]:
        """Line and column of a part of the file (its nearest existing parent)."""
        if self.source is None:
            return (1, 1)
        pos = self.source.position(path)
        return pos.line, pos.column
