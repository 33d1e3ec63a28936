"""Run a scenario: its order in memory (`engine.memory.Shop`), each step through the planner as
`apply` runs it, then the step's `expect` (or `refused`) and the invariants of SPEC §10
compared with what happened. A scenario stops at its first failing step: the steps after it
would start from an order the file did not mean."""

from __future__ import annotations

import difflib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, Protocol

from orderwf import money
from orderwf import orders as s
from orderwf.engine import invariants
from orderwf.engine.memory import Shop
from orderwf.engine.plan import Plan
from orderwf.errors import OrderwfError
from orderwf.scenario import model as sm
from orderwf.workflow.model import Workflow

Outcome = Literal["passed", "failed", "error"]


class Observer(Protocol):
    """Sees every order a scenario starts from, every action tried and every plan applied
    (`scenario.coverage`)."""

    def started(self, workflow: Workflow, order: s.Order) -> None: ...

    def tried(self, shop: Shop, action: str, params: dict[str, object], actor: str) -> None: ...

    def applied(self, workflow: Workflow, plan: Plan) -> None: ...


@dataclass(frozen=True)
class Problem:
    """One difference between what a step expected and what it did."""

    what: str  # `status`, `emails`, `refused`, `invariant`…
    expected: str
    actual: str
    line: int
    column: int
    diff: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        if self.what == "invariant":
            return f"invariant broken: {self.actual}"
        if self.what == "error":
            return f"internal error: {self.actual}"
        return f"{self.what}: expected {self.expected}, got {self.actual}"


@dataclass
class Result:
    scenario: sm.Scenario
    outcome: Outcome = "passed"
    steps_run: int = 0
    step: sm.Step | None = None  # the step that failed
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0


def _emails(plans: Sequence[Plan]) -> list[str]:
    return [e.email for p in plans for e in p.emails]


class _Step:
    """Compares one step's outcome with what the file expects of it."""

    def __init__(self, scenario: sm.Scenario, step: sm.Step, shop: Shop) -> None:
        self.scenario = scenario
        self.step = step
        self.shop = shop
        self.problems: list[Problem] = []

    def add(
        self, what: str, expected: str, actual: str, *path: str | int, diff: Sequence[str] = ()
    ) -> None:
        line, column = self.scenario.position("steps", self.step.index - 1, *path)
        self.problems.append(Problem(what, expected, actual, line, column, tuple(diff)))

    def refusal(self, reasons: list[str] | None) -> None:
        wanted = self.step.refused
        if wanted is None:
            if reasons is not None:
                self.add("refused", "the step to be applied", "; ".join(reasons))
            return
        if reasons is None:
            self.add(
                "refused",
                f"a refusal containing {wanted!r}",
                f"the step was applied (status {self.shop.order.status})",
                "refused",
            )
        elif wanted.casefold() not in " ".join(reasons).casefold():
            self.add("refused", f"a refusal containing {wanted!r}", "; ".join(reasons), "refused")

    def expect(self, plans: Sequence[Plan]) -> None:
        expect = self.step.expect
        if expect is None:
            return
        order = self.shop.order
        cur = order.currency
        if expect.status is not None and order.status != expect.status:
            self.add("status", expect.status, order.status, "expect", "status")
        by_sku = {p.sku: p.id for p in self.scenario.products}
        for sku, level in expect.stock:
            actual = self.shop.levels.get(by_sku[sku])
            if actual != level:
                self.add(f"stock of {sku}", str(level), str(actual), "expect", "stock", sku)
        for key, wanted in (
            ("total_refunded", expect.total_refunded),
            ("remaining_refundable", expect.remaining_refundable),
        ):
            got: Decimal = getattr(order, key)
            if wanted is not None and got != wanted:
                self.add(key, money.fmt(wanted, cur), money.fmt(got, cur), "expect", key)
        if expect.tracking is not None:
            numbers = [t.number for t in order.tracking]
            if numbers != list(expect.tracking):
                self.add("tracking", _list(expect.tracking), _list(numbers), "expect", "tracking")
        if expect.emails is not None:
            self.emails(expect.emails, plans)
        if expect.notes is not None:
            self.notes(expect.notes, [n for p in plans for n in p.notes])

    def emails(self, wanted: Sequence[sm.EmailExpect], plans: Sequence[Plan]) -> None:
        queued = [e for p in plans for e in p.emails]
        ids = [e.email for e in queued]
        if ids != [w.id for w in wanted]:
            self.add("emails", _list([w.id for w in wanted]), _list(ids), "expect", "emails")
            return
        for i, (w, email) in enumerate(zip(wanted, queued, strict=True)):
            at = ("expect", "emails", i)
            if w.to is not None and email.to != w.to:
                self.add(f"email {w.id} to", repr(w.to), repr(email.to), *at, "to")
            if w.subject is not None and email.subject != w.subject:
                self.add(
                    f"email {w.id} subject",
                    repr(w.subject),
                    repr(email.subject),
                    *at,
                    "subject",
                    diff=_diff(w.subject, email.subject),
                )
            if w.contains is not None and not any(
                w.contains in part for part in (email.subject, email.text, email.html or "")
            ):
                first = next((ln for ln in email.text.splitlines() if ln.strip()), "")
                self.add(
                    f"email {w.id}",
                    f"a message containing {w.contains!r}",
                    f"no such text (subject {email.subject!r}, first line {first!r})",
                    *at,
                    "contains",
                )

    def notes(self, wanted: Sequence[sm.NoteExpect], added: Sequence[s.Note]) -> None:
        """Each expected note must be among the notes the step added, in order."""
        rest = list(added)
        for i, w in enumerate(wanted):
            found = next((j for j, n in enumerate(rest) if _matches(w, n)), None)
            if found is not None:
                rest = rest[found + 1 :]
                continue
            texts = [n.note for n in added]
            shown = _list([repr(x) for x in texts]) if texts else "no notes"
            diff: list[str] = []
            if w.text is not None and texts:
                wanted_text = w.text
                closest = max(
                    texts, key=lambda t: difflib.SequenceMatcher(None, wanted_text, t).ratio()
                )
                diff = _diff(wanted_text, closest)
            self.add("notes", w.describe(), shown, "expect", "notes", i, diff=diff)
            return

    def invariants(
        self, plans: Sequence[Plan], start: s.Order, levels: dict[int, int | None]
    ) -> None:
        for plan in plans:
            for message in invariants.violations(
                self.shop.workflow, plan, start=start, start_levels=levels, levels=self.shop.levels
            ):
                self.add("invariant", "", message)


def _matches(w: sm.NoteExpect, note: s.Note) -> bool:
    if w.text is not None and note.note != w.text:
        return False
    if w.contains is not None and w.contains not in note.note:
        return False
    return w.customer is None or note.customer_note == w.customer


def _list(items: Sequence[str]) -> str:
    return "[" + ", ".join(items) + "]"


def _diff(expected: str, actual: str) -> list[str]:
    """A short diff of two texts, for a failure to show where they differ."""
    if expected == actual or "\n" not in expected + actual and len(expected + actual) < 60:
        return []
    lines = difflib.unified_diff(
        expected.splitlines(), actual.splitlines(), "expected", "actual", lineterm="", n=1
    )
    return list(lines)[2:12]


def run(scenario: sm.Scenario, workflow: Workflow, observer: Observer | None = None) -> Result:
    """Run every step of `scenario` until one fails."""
    started = time.perf_counter()
    result = Result(scenario)
    shop = Shop.start(workflow, scenario.products, scenario.order, scenario.now)
    start, levels = shop.order, dict(shop.levels)
    if observer is not None:
        observer.started(workflow, shop.order)
    for step in scenario.steps:
        check = _Step(scenario, step, shop)
        plans: list[Plan] = []
        reasons: list[str] | None = None
        actor = step.actor or scenario.actor
        try:
            if step.kind == "wait":
                assert step.wait is not None
                plans = shop.wait(step.wait).plans
            else:
                if observer is not None:
                    observer.tried(shop, step.action, step.params, actor)
                plans = [shop.apply(step.action, step.params, actor=actor)]
        except OrderwfError as e:
            reasons = e.reasons
        except Exception as e:  # a bug in the engine: this scenario's error, the others run
            check.add("error", "", f"{type(e).__name__}: {e}")
            result.outcome, result.step, result.problems = "error", step, check.problems
            break
        result.steps_run += 1
        if observer is not None:
            for plan in plans:
                observer.applied(workflow, plan)
        check.refusal(reasons)
        check.invariants(plans, start, levels)
        check.expect(plans)
        if check.problems:
            result.outcome, result.step, result.problems = "failed", step, check.problems
            break
    result.seconds = time.perf_counter() - started
    return result
