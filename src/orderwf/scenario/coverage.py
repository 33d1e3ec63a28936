"""What the scenarios exercised of each workflow (`orderwf test --coverage`): the transitions
`(action, from, to)` the workflow declares, the statuses entered, the actions applied, the
emails queued, and each guard seen both holding and failing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from orderwf import orders as s
from orderwf.engine import context as ctx
from orderwf.engine import params as p
from orderwf.engine import plan as planner
from orderwf.engine.events import StatusChanged
from orderwf.engine.memory import Shop
from orderwf.errors import OrderwfError
from orderwf.workflow.model import Workflow

Transition = tuple[str, str, str]


def declared_transitions(workflow: Workflow) -> list[Transition]:
    """Every `(action, from, to)` status change the workflow declares: each `to` alternative
    from each status the action is allowed from, and the move to `refunds.full_status` of a
    refund that leaves nothing refundable (from wherever the action's own `to` left it)."""
    full = workflow.refunds.full_status
    found: dict[Transition, None] = {}
    for action in workflow.actions.values():
        sources = action.sources if action.sources is not None else tuple(workflow.statuses)
        for source in sources:
            if workflow.status(source).final and any(t.status != source for t in action.targets):
                continue  # refused by the engine (and by validation, OWF201)
            for target in action.targets:
                if target.status != source:
                    found[(action.id, source, target.status)] = None
            if full and action.has_refund:
                for end in [t.status for t in action.targets] or [source]:
                    if end != full and not workflow.status(end).final:
                        found[(action.id, end, full)] = None
    return list(found)


@dataclass
class Measure:
    """One measure: what was exercised of what the workflow declares."""

    name: str
    declared: list[str]
    covered: set[str]
    why: dict[str, str] = field(default_factory=dict)  # what is missing of a declared item

    @property
    def count(self) -> int:
        return sum(1 for d in self.declared if d in self.covered)

    @property
    def percent(self) -> float:
        return 100.0 if not self.declared else 100.0 * self.count / len(self.declared)

    @property
    def missing(self) -> list[str]:
        return [
            f"{d}: {self.why[d]}" if d in self.why else d
            for d in self.declared
            if d not in self.covered
        ]


@dataclass
class WorkflowCoverage:
    workflow: Workflow
    transitions: set[Transition] = field(default_factory=set)
    statuses: set[str] = field(default_factory=set)
    actions: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    guards_held: set[tuple[str, int]] = field(default_factory=set)
    guards_failed: set[tuple[str, int]] = field(default_factory=set)

    def measures(self) -> list[Measure]:
        wf = self.workflow
        guards = [
            (a.id, i, g.cond.source) for a in wf.actions.values() for i, g in enumerate(a.guards)
        ]
        both = self.guards_held & self.guards_failed
        why = {}
        for a, i, src in guards:
            seen = [
                side
                for side, where in (("holding", self.guards_held), ("failing", self.guards_failed))
                if (a, i) not in where
            ]
            why[f"{a}[{i}] ({src})"] = "never seen " + " or ".join(seen)
        return [
            Measure(
                "transitions",
                [transition_name(t) for t in declared_transitions(wf)],
                {transition_name(t) for t in self.transitions},
            ),
            Measure("statuses", list(wf.statuses), self.statuses),
            Measure("actions", list(wf.actions), self.actions),
            Measure("emails", list(wf.emails), self.emails),
            Measure(
                "guards",
                [f"{a}[{i}] ({src})" for a, i, src in guards],
                {f"{a}[{i}] ({src})" for a, i, src in guards if (a, i) in both},
                why,
            ),
        ]

    @property
    def transition_percent(self) -> float:
        return self.measures()[0].percent


def transition_name(t: Transition) -> str:
    return f"{t[0]}: {t[1]} → {t[2]}"


class Coverage:
    """An observer of scenario runs (`scenario.run.Observer`), per workflow name."""

    def __init__(self) -> None:
        self.workflows: dict[str, WorkflowCoverage] = {}

    def of(self, workflow: Workflow) -> WorkflowCoverage:
        cov = self.workflows.get(workflow.name)
        if cov is None:
            cov = self.workflows[workflow.name] = WorkflowCoverage(workflow)
        return cov

    def started(self, workflow: Workflow, order: s.Order) -> None:
        self.of(workflow).statuses.add(order.status)

    def tried(self, shop: Shop, action_id: str, params: dict[str, Any], actor: str) -> None:
        """Each guard of the action, evaluated as the planner evaluates it."""
        wf, order = shop.workflow, shop.order
        action = wf.actions.get(action_id)
        if action is None or not action.guards:
            return
        if planner.status_reasons(wf, order, action):
            return
        values, _ = p.convert(action, params, order.currency)
        context = ctx.base_context(wf, order, params=values, actor=actor, now=shop.now)
        cov = self.of(wf)
        for i, guard in enumerate(action.guards):
            try:
                held = bool(guard.cond.evaluate(context))
            except OrderwfError:
                continue
            (cov.guards_held if held else cov.guards_failed).add((action.id, i))

    def applied(self, workflow: Workflow, plan: planner.Plan) -> None:
        cov = self.of(workflow)
        cov.actions.add(plan.action)
        for event in plan.events:
            if isinstance(event, StatusChanged):
                cov.transitions.add((plan.action, event.source, event.target))
                cov.statuses.add(event.target)
        cov.emails.update(e.email for e in plan.emails)


def text(coverage: Coverage, paths: dict[str, str]) -> str:
    lines = []
    for name, cov in coverage.workflows.items():
        where = f" ({paths[name]})" if name in paths else ""
        lines.append(f"coverage of workflow {name}{where}:")
        missing: list[str] = []
        for m in cov.measures():
            note = "  (seen holding and failing)" if m.name == "guards" else ""
            lines.append(
                f"  {m.name:<12} {m.count:>3} of {len(m.declared):<3} {m.percent:5.1f} %{note}"
            )
            singular = m.name.removesuffix("es" if m.name == "statuses" else "s")
            missing += [f"    {singular} {item}" for item in m.missing]
        if missing:
            lines.append("  never exercised:")
            lines += missing
    return "".join(line + "\n" for line in lines)


def as_json(coverage: Coverage) -> dict[str, Any]:
    return {
        name: {
            m.name: {
                "covered": m.count,
                "declared": len(m.declared),
                "percent": round(m.percent, 1),
                "missing": m.missing,
            }
            for m in cov.measures()
        }
        for name, cov in coverage.workflows.items()
    }


def under(coverage: Coverage, percent: float) -> Iterable[str]:
    """A sentence for each workflow whose transition coverage is below `percent`."""
    for name, cov in coverage.workflows.items():
        if cov.transition_percent < percent:
            yield (
                f"transition coverage of workflow {name!r} is {cov.transition_percent:.1f} %, "
                f"under --fail-under {percent:g}"
            )
