"""`orderwf test --explore`: model-based testing of a workflow (SPEC §10). Breadth-first from
sample orders in the initial status, every action with params chosen from defaults, enums and
types (refunds of a part, with and without restock, and of the rest) and every timer, until
each `(status, action)` pair the workflow declares has been tried or the depth is reached.
After every step the invariants of `engine.invariants` are checked; a violation keeps its
shortest path, which `save` writes as a scenario file that reproduces it."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from orderwf import money, resources
from orderwf import orders as s
from orderwf.engine import invariants
from orderwf.engine.memory import LineSpec, OrderSpec, Product, Shop
from orderwf.errors import OrderwfError
from orderwf.scenario.load import DEFAULT_ACTOR, DEFAULT_NOW
from orderwf.workflow import model as m

DEFAULT_DEPTH = 6
# A string param's sample: the first of these its pattern accepts.
_STRINGS = ("SAMPLE123", "6A12345678901", "AB12345678", "sample", "Sample text")


@dataclass(frozen=True)
class Sample:
    """A sample order the exploration starts from."""

    name: str
    products: tuple[Product, ...]
    order: OrderSpec


def samples(workflow: m.Workflow) -> list[Sample]:
    """A shipped order (a stocked product, a product without stock management, shipping and a
    fee) and an order of one download (which needs no processing)."""
    cur = workflow.shop.currency

    def price(text: str) -> Decimal:
        return money.quantize(Decimal(text), cur)

    shirt = Product(1, "TS", "T-shirt", price("20.00"), 10)
    mug = Product(2, "MUG", "Mug", price("8.50"))
    ebook = Product(3, "EBOOK", "E-book", price("9.00"), virtual=True, downloadable=True)
    return [
        Sample(
            "shipped",
            (shirt, mug),
            OrderSpec(
                (LineSpec("TS", 2), LineSpec("MUG", 1)),
                email="sample@example.com",
                shipping=price("4.90"),
                fees=(("Gift wrap", price("2.00")),),
                via="checkout",
            ),
        ),
        Sample(
            "download",
            (ebook,),
            OrderSpec((LineSpec("EBOOK", 1),), email="sample@example.com", via="checkout"),
        ),
    ]


@dataclass(frozen=True)
class Move:
    """One step of a path: an action with its params, or a wait for a timer."""

    action: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    wait: timedelta | None = None

    def describe(self) -> str:
        if self.wait is not None:
            return f"wait {duration_text(self.wait)}"
        if not self.params:
            return self.action
        shown = ", ".join(f"{k}={_plain(v)}" for k, v in self.params.items())
        return f"{self.action} ({shown})"

    def as_yaml(self) -> str:
        if self.wait is not None:
            return f"  - wait: {duration_text(self.wait)}\n"
        out = f"  - apply: {self.action}\n"
        if self.params:
            params = ", ".join(f"{k}: {json.dumps(v)}" for k, v in self.params.items())
            out += f"    params: {{{params}}}\n"
        return out


def _plain(value: Any) -> str:
    return "+".join(map(str, value)) if isinstance(value, list) else str(value)


def duration_text(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _sample_value(param: m.Param) -> Any:
    """A value of the param's type that its own rules accept, as text or a boolean."""
    if param.default is not None:
        return param.default
    if param.enum:
        return param.enum[0]
    if param.type == "boolean":
        return True
    if param.type == "integer":
        return str(param.minimum if param.minimum is not None else 1)
    if param.type == "decimal":
        return str(param.minimum if param.minimum is not None else "1.00")
    if param.type == "date":
        return DEFAULT_NOW.date().isoformat()
    for text in _STRINGS:
        if param.pattern is None or re.search(param.pattern, text):
            return text
    return _STRINGS[0]


def param_variants(action: m.Action) -> list[dict[str, Any]]:
    """The required params only; every param; every param with each boolean flipped."""
    own = [p for p in action.params if p not in m.REFUND_PARAMS]
    required = {p.name: _sample_value(p) for p in own if p.required}
    every = {p.name: _sample_value(p) for p in own}
    variants = [required]
    if every != required:
        variants.append(every)
    for p in own:
        if p.type == "boolean":
            variants.append({**every, p.name: not _truthy(every[p.name])})
    return variants


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "yes", "1", "on", "y")


def refund_variants(order: s.Order) -> list[dict[str, Any]]:
    """A unit of the first product line not yet refunded, restocked and kept; a part of the
    first shipping or fee line by amount; and the rest of the order by amount."""
    variants: list[dict[str, Any]] = []
    line = next((ln for ln in order.line_items if ln.quantity > ln.quantity_refunded), None)
    if line is not None:
        variants.append({"lines": [f"{line.id}=1"], "restock": True})
        variants.append({"lines": [f"{line.id}=1"], "restock": False})
    other = next((ln for ln in order.lines if ln.kind != "line_item" and ln.remaining > 0), None)
    if other is not None:
        part = money.quantize(other.remaining / 2, order.currency)
        if part > 0:
            variants.append({"lines": [f"{other.id}=@{money.fmt(part, order.currency)}"]})
    if order.remaining_refundable > 0:
        variants.append({"amount": money.fmt(order.remaining_refundable, order.currency)})
    return variants


def moves(workflow: m.Workflow, order: s.Order) -> Iterator[Move]:
    for action in workflow.actions.values():
        if not action.allowed_from(order.status):
            continue
        base = param_variants(action)
        if action.has_refund:
            for refund in refund_variants(order) or [{"amount": "1"}]:
                yield Move(action.id, {**base[-1], **refund})
        else:
            for params in base:
                yield Move(action.id, params)
    for timer in workflow.timers.values():
        if timer.status == order.status:
            yield Move(wait=timer.after)


def _key(sample: str, order: s.Order) -> tuple[Any, ...]:
    """What tells two orders apart for the exploration: status, refunds and stock bookkeeping,
    the `once` emails, tracking and metadata (not notes, ids or times)."""
    return (
        sample,
        order.status,
        order.stock_reduced,
        order.emails_sent,
        order.remaining_refundable,
        tuple(
            (ln.quantity_refunded, ln.reduced_stock, ln.refunded_kept, ln.refunded_restocked)
            for ln in order.lines
        ),
        bool(order.tracking),
        tuple(sorted((k, str(v)) for k, v in order.meta.items())),
    )


@dataclass
class Violation:
    message: str
    sample: Sample
    path: tuple[Move, ...]


@dataclass
class Exploration:
    workflow: m.Workflow
    depth: int
    declared: list[tuple[str, str]]
    reached: dict[tuple[str, str], tuple[Move, ...]] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)
    steps: int = 0
    states: int = 0

    @property
    def unreachable(self) -> list[tuple[str, str]]:
        return [pair for pair in self.declared if pair not in self.reached]


def declared_pairs(workflow: m.Workflow) -> list[tuple[str, str]]:
    """Every `(status, action)` the workflow allows, but an action leaving a final status."""
    pairs = []
    for status in workflow.statuses.values():
        for action in workflow.actions.values():
            if not action.allowed_from(status.id):
                continue
            if status.final and any(t.status != status.id for t in action.targets):
                continue
            pairs.append((status.id, action.id))
    return pairs


def explore(workflow: m.Workflow, depth: int = DEFAULT_DEPTH) -> Exploration:
    result = Exploration(workflow, depth, declared_pairs(workflow))
    seen_messages: set[str] = set()
    frontier: list[tuple[Sample, Shop, tuple[Move, ...]]] = []
    seen: set[tuple[Any, ...]] = set()
    for sample in samples(workflow):
        shop = Shop.start(workflow, sample.products, sample.order, DEFAULT_NOW)
        seen.add(_key(sample.name, shop.order))
        frontier.append((sample, shop, ()))
    starts = {sample.name: shop.order for sample, shop, _ in frontier}
    start_levels = {sample.name: dict(shop.levels) for sample, shop, _ in frontier}
    for _ in range(depth):
        if not frontier:
            break
        following: list[tuple[Sample, Shop, tuple[Move, ...]]] = []
        for sample, shop, path in frontier:
            start = starts[sample.name]
            for move in moves(workflow, shop.order):
                here = (shop.order.status, move.action)
                if move.wait is None and here not in result.reached:
                    result.reached[here] = (*path, move)
                child = shop.fork()
                result.steps += 1
                try:
                    if move.wait is not None:
                        plans = child.wait(move.wait).plans
                    else:
                        plans = [child.apply(move.action, move.params, actor=DEFAULT_ACTOR)]
                except OrderwfError:
                    continue  # a refusal is the workflow doing its job
                except Exception as e:  # a bug the exploration found: report it, go on
                    problems = [f"internal error: {type(e).__name__}: {e}"]
                    plans = []
                else:
                    problems = [
                        message
                        for plan in plans
                        for message in invariants.violations(
                            workflow,
                            plan,
                            start=start,
                            start_levels=start_levels[sample.name],
                            levels=child.levels,
                        )
                    ]
                for message in problems:
                    if message not in seen_messages:
                        seen_messages.add(message)
                        result.violations.append(Violation(message, sample, (*path, move)))
                if not plans and move.wait is None:
                    continue  # an internal error: nothing to go on from
                key = _key(sample.name, child.order)
                if key not in seen:
                    seen.add(key)
                    following.append((sample, child, (*path, move)))
                if len(result.reached) == len(result.declared):
                    return result  # every pair has its shortest path: done
        frontier = following
        result.states += len(frontier)
    return result


def report(result: Exploration, file: str, saved: Mapping[int, Path]) -> str:
    wf = result.workflow
    lines = [
        f"explore workflow {wf.name} ({file}): {result.steps} steps from "
        f"{len(samples(wf))} sample orders, depth {result.depth}"
    ]
    for i, v in enumerate(result.violations):
        lines.append(f"VIOLATION {v.message}")
        lines.append(
            f"  path ({v.sample.name} order): {' → '.join(mv.describe() for mv in v.path)}"
        )
        if i in saved:
            lines.append(f"  saved: {saved[i]}")
    lines.append(f"pairs reached: {len(result.reached)} of {len(result.declared)} declared")
    if result.unreachable:
        lines.append(f"unreachable within depth {result.depth}:")
        by_status: dict[str, list[str]] = {}
        for status, action in result.unreachable:
            by_status.setdefault(status, []).append(action)
        lines += [f"  {status}: {', '.join(actions)}" for status, actions in by_status.items()]
    return "".join(line + "\n" for line in lines)


def as_json(result: Exploration, file: str, saved: Mapping[int, Path]) -> dict[str, Any]:
    return {
        "workflow": result.workflow.name,
        "file": file,
        "depth": result.depth,
        "steps": result.steps,
        "violations": [
            {
                "message": v.message,
                "sample": v.sample.name,
                "path": [mv.describe() for mv in v.path],
                "saved": str(saved[i]) if i in saved else None,
            }
            for i, v in enumerate(result.violations)
        ],
        "pairs_reached": len(result.reached),
        "pairs_declared": len(result.declared),
        "unreachable": [{"status": st, "action": a} for st, a in result.unreachable],
    }


def scenario_text(workflow: m.Workflow, violation: Violation, schema_ref: str) -> str:
    """A scenario file that replays the violation's path: running it fails at its last step."""
    sample = violation.sample
    cur = workflow.shop.currency
    name = f"explore: {violation.path[-1].describe()} on a {sample.name} order breaks an invariant"
    products = "".join(
        f'  - {{sku: {p.sku}, name: {json.dumps(p.name)}, price: "{money.fmt(p.price, cur)}"'
        + (f", stock: {p.stock}" if p.stock is not None else "")
        + (", virtual: true" if p.virtual else "")
        + (", downloadable: true" if p.downloadable else "")
        + "}\n"
        for p in sample.products
    )
    order = sample.order
    lines = ", ".join(f"{{sku: {ln.sku}, quantity: {ln.quantity}}}" for ln in order.lines)
    order_yaml = f"  email: {order.email}\n  via: {order.via}\n  lines: [{lines}]\n"
    if order.shipping is not None:
        order_yaml += f'  shipping: "{money.fmt(order.shipping, cur)}"\n'
    if order.fees:
        fees = ", ".join(
            f'{{name: {json.dumps(n)}, total: "{money.fmt(a, cur)}"}}' for n, a in order.fees
        )
        order_yaml += f"  fees: [{fees}]\n"
    return (
        f"# yaml-language-server: $schema={schema_ref}\n"
        f"# Found by `orderwf test --explore`; replaying it fails at its last step:\n"
        f"# {violation.message}\n"
        f"name: {json.dumps(name)}\n"
        f"workflow: {workflow.name}\n"
        f'now: "{DEFAULT_NOW.isoformat().replace("+00:00", "Z")}"\n'
        f"products:\n{products}"
        f"order:\n{order_yaml}"
        f"steps:\n" + "".join(mv.as_yaml() for mv in violation.path)
    )


def save(result: Exploration, folder: Path) -> dict[int, Path]:
    """Write each violation as `<workflow>-<n>.yaml` in `folder`; their paths by index."""
    folder.mkdir(parents=True, exist_ok=True)
    schema_ref = os.path.relpath(resources.scenario_schema_path(), folder.resolve())
    saved = {}
    for i, violation in enumerate(result.violations, start=1):
        path = folder / f"{result.workflow.name}-{i}.yaml"
        path.write_text(
            scenario_text(result.workflow, violation, schema_ref.replace(os.sep, "/")),
            encoding="utf-8",
        )
        saved[i - 1] = path
    return saved
