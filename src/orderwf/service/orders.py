"""Use cases on one order: apply an action (refund and note included), show it, its
available actions, an email preview. Each runs one transaction and returns results; none
prints. The engine plans, the store writes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from orderwf import addresses, money, quantities
from orderwf import orders as s
from orderwf.engine import emails, pricing, reads
from orderwf.engine import plan as planner
from orderwf.engine.params import declared
from orderwf.errors import NotFound, Refused, UsageError
from orderwf.store import faults, repo, snapshots
from orderwf.store.db import look, read_transaction, transaction, write_transaction
from orderwf.workflow.model import Workflow

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from orderwf import woo
    from orderwf.engine.pricing import PricedOrder


@dataclass(frozen=True)
class ApplyResult:
    plan: planner.Plan | None  # None when an idempotency key replayed an earlier apply
    order: s.Order  # after the apply; new notes, refunds and tracking have no ids yet
    effects: list[dict[str, Any]]
    dry_run: bool = False
    replayed: bool = False


def request_hash(order_id: int, action: str, params: Mapping[str, Any]) -> str:
    blob = json.dumps([order_id, action, params], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def apply(
    db: Engine,
    workflow: Workflow,
    order_id: int,
    action: str,
    params: Mapping[str, Any] | None = None,
    *,
    actor: str,
    now: datetime | None = None,
    dry_run: bool = False,
    key: str | None = None,
    note_prefix: str | None = None,
    whole_order: bool = False,
) -> ApplyResult:
    """Apply one action in one transaction (the order locked, re-read and re-checked).

    The lock wait is bounded (`--lock-timeout`): an order someone else holds longer is
    refused, and so is an idempotency key another apply took at the same moment.

    Only what the action reads is loaded (`engine.reads`: the order's row, its lines, and its
    notes, refunds, tracking or `once` markers when a guard, template or email reads them), so
    the result's order may lack parts: reading one raises `orders.NotLoadedError`. A caller
    that prints the whole order afterwards asks for it with `whole_order`."""
    try:
        return _apply(
            db,
            workflow,
            order_id,
            action,
            dict(params or {}),
            actor=actor,
            now=now or datetime.now(UTC),
            dry_run=dry_run,
            key=key,
            note_prefix=note_prefix,
            whole_order=whole_order,
        )
    except faults.Busy as e:
        if e.whole_database:
            raise Refused(
                f"order #{order_id} cannot be changed now: the database is locked by another "
                f"process (waited {faults.waited(e.waited)}); try again"
            ) from None
        raise Refused(
            f"order #{order_id} is being changed by someone else "
            f"(waited {faults.waited(e.waited)}); try again"
        ) from None
    except faults.Conflict as e:
        if key is None or "idempotency_key" not in e.constraint:
            raise
        # Another apply with this key, on another order, committed while this one ran.
        with read_transaction(db) as session:
            earlier = repo.history_by_key(session, key)
        if earlier is None:
            raise Refused(
                f"idempotency key {key!r} is in use by another apply; try again"
            ) from None
        raise _key_refused(key, earlier, action, order_id) from None
    except faults.ConnectionLost as e:
        raise faults.ConnectionLost(
            f"{e.message} during '{action}' on order #{order_id}; see `orderwf order history "
            f"{order_id}` for whether it was applied"
            + (f", or run the command again (the key {key!r} makes that safe)" if key else "")
        ) from None


def _key_refused(key: str, earlier: Mapping[str, Any], action: str, order_id: int) -> Refused:
    same = (earlier["action"], earlier["order_id"]) == (action, order_id)
    return Refused(
        f"idempotency key {key!r} was already used for "
        f"{earlier['action']!r} on order #{earlier['order_id']}"
        f"{' with other params' if same else ''}; use a new key"
    )


def _apply(
    db: Engine,
    workflow: Workflow,
    order_id: int,
    action: str,
    params: dict[str, Any],
    *,
    actor: str,
    now: datetime,
    dry_run: bool,
    key: str | None,
    note_prefix: str | None,
    whole_order: bool,
) -> ApplyResult:
    digest = request_hash(order_id, action, params)
    with transaction(db) as session:
        # Lock first, then look the key up: a concurrent apply with the same key has either
        # committed (and is found here) or waits behind this one.
        parts = None if whole_order else reads.parts_for(workflow, action)
        order = snapshots.load_order(session, order_id, lock=True, parts=parts)
        if key is not None:
            earlier = repo.history_by_key(session, key)
            if earlier is not None:
                if earlier["request_hash"] != digest:
                    raise _key_refused(key, earlier, action, order_id)
                return ApplyResult(None, order, list(earlier["effects"]), replayed=True)
        plan = planner.plan(
            workflow, order, action, params, actor=actor, now=now, note_prefix=note_prefix
        )
        if dry_run:
            session.rollback()
            return ApplyResult(plan, plan.after, list(plan.effects), dry_run=True)
        version = repo.workflow_version(session, workflow, now)
        # The last write: on PostgreSQL its pipeline ends the transaction too.
        repo.apply_plan(
            session, plan, key=key, request_hash=digest, version_id=version, commit=True
        )
    # `plan.after` is the order as stored, but for the ids of its new rows (`show` has them).
    return ApplyResult(plan, plan.after, list(plan.effects))


def workflow_of(db: Engine, order_id: int) -> str:
    """The workflow name an order recorded; `NotFound` for an unknown order."""
    name = look(db, lambda session: repo.workflow_of(session, order_id))
    if name is None:
        raise NotFound(f"order #{order_id} does not exist")
    return name


def show(db: Engine, order_id: int, *, parts: Collection[str] | None = None) -> s.Order:
    """The order; `parts`: only those of its parts (`store.snapshots.ALL_PARTS`; an empty
    set: its row alone), the others raising on any use. None: the whole order."""
    return look(db, lambda session: snapshots.load_order(session, order_id, parts=parts))


def available_actions(
    db: Engine, workflow: Workflow, order_id: int, *, actor: str
) -> list[dict[str, Any]]:
    """Every action of the workflow for this order: allowed or not, and why not."""
    order = show(db, order_id)
    now = datetime.now(UTC)
    rows = []
    for action in workflow.actions.values():
        reasons = planner.availability(workflow, order, action, actor, now)
        rows.append(
            {
                "action": action.id,
                "label": action.label,
                "allowed": not reasons,
                "reasons": reasons,
                "to": [t.status for t in action.targets] or None,
                "params": {
                    p.name: {
                        "type": p.type,
                        "required": p.required,
                        **({"default": p.default} if p.default is not None else {}),
                        **({"enum": list(p.enum)} if p.enum else {}),
                        **({"description": p.description} if p.description else {}),
                    }
                    for p in declared(action)
                },
            }
        )
    return rows


def preview_email(
    db: Engine, workflow: Workflow, email_id: str, order_id: int, *, actor: str
) -> s.QueuedEmail:
    """Render an email for an order without queueing it."""
    return emails.preview(
        workflow, show(db, order_id), email_id, actor=actor, now=datetime.now(UTC)
    )


def list_orders(
    db: Engine, *, status: str | None = None, search: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """The orders list, newest first: number, date, status, customer, total."""
    with read_transaction(db) as session:
        return repo.list_orders(session, status=status, search=search, limit=limit)


def history(db: Engine, order_id: int) -> list[dict[str, Any]]:
    """Every apply on the order, oldest first, with the workflow version it ran under;
    `NotFound` for an unknown order."""
    show(db, order_id)  # refuses an unknown order
    with read_transaction(db) as session:
        return repo.history(session, order_id)


@dataclass(frozen=True)
class NewOrder:
    """What `order create` asked for, checked: `lines` are (SKU, quantity)."""

    email: str
    lines: tuple[tuple[str, int], ...]
    shipping: Decimal | None = None


def new_order(
    workflow: Workflow, *, email: str, lines: Sequence[str], shipping: str | Decimal | None = None
) -> NewOrder:
    """Check an order to create without the database: `lines` are `SKU=QTY` texts
    (`order create --line`); `shipping` an amount in the workflow's currency."""
    wanted = tuple(_line_spec(text) for text in lines)
    if not wanted:
        raise UsageError("an order needs at least one --line SKU=QTY")
    why = addresses.problem(email)
    if why is not None:
        raise UsageError(
            f"--email {email!r} is not one email address ({why}): expected e.g. jane@example.com"
        )
    currency = workflow.shop.currency
    shipping_total = money.parse(shipping, currency, what="shipping") if shipping else None
    if shipping_total is not None and shipping_total < 0:
        raise UsageError(f"shipping {shipping_total} is negative")
    return NewOrder(email, wanted, shipping_total)


def _line_spec(text: str) -> tuple[str, int]:
    sku, sep, qty = text.partition("=")
    sku, qty = sku.strip(), qty.strip()
    if not sep or not sku or not qty.isascii() or not qty.isdigit() or not qty.strip("0"):
        raise UsageError(f"--line {text!r} should be SKU=QTY with a quantity of at least 1")
    return sku, quantities.parse(qty, f"--line {text!r}: quantity")


def create_order(
    db: Engine,
    workflow: Workflow,
    *,
    email: str,
    lines: Sequence[str],
    shipping: str | Decimal | None = None,
    via: str = "admin",
    now: datetime | None = None,
) -> int:
    """A new order in the workflow's initial status, priced from the products (see
    `new_order`, checked before the database is read). Returns the new order id."""
    request = new_order(workflow, email=email, lines=lines, shipping=shipping)
    return store_new_order(db, workflow, request, via=via, now=now)


def store_new_order(
    db: Engine,
    workflow: Workflow,
    request: NewOrder,
    *,
    via: str = "admin",
    now: datetime | None = None,
    choose: Callable[[s.Order], Workflow] | None = None,
) -> int:
    """Store a checked `NewOrder` under `workflow` or the one `choose` picks (the project's
    routes): its products looked up by SKU, the order priced by the engine, written by the
    store, in one transaction."""
    # Not on a cold `apply` (tests/cli/startup_rules.py): WooCommerce's records, and the
    # ORM's product lookup and order insert (SQLModel, pydantic and the mapped tables).
    from orderwf import woo
    from orderwf.store import catalog, imports

    currency = workflow.shop.currency
    now = now or datetime.now(UTC)
    with write_transaction(db) as session:
        hint = "; import it first (orderwf product import)"
        products = [
            (catalog.product_by_ref(session, sku, hint=hint), qty) for sku, qty in request.lines
        ]
        items = [(pricing.Item(p.id or 0, p.sku, p.name, p.price), qty) for p, qty in products]
        priced = pricing.price(items, request.shipping, currency)
        if choose is not None:
            flags = {p.id: (p.virtual, p.downloadable) for p, _ in products if p.id is not None}
            new = _route_order(request.email, priced, currency, via, now)
            workflow = choose(woo.route_snapshot(new, flags))
        values = {
            "status": workflow.initial,
            "workflow": workflow.name,
            "workflow_hash": workflow.content_hash,
            "currency": currency,
            "customer_email": request.email,
            "billing": {"email": request.email},
            "created_via": via,
            "date_created": now,
            "date_modified": now,
            "status_changed_at": now,
            "total": priced.total,
        }
        rows = [
            {
                "kind": line.kind,
                "position": n,
                "name": line.name,
                "product_id": line.product_id,
                "sku": line.sku,
                "quantity": line.quantity,
                "price": line.price,
                "subtotal": line.total,
                "total": line.total,
            }
            for n, line in enumerate(priced.lines)
        ]
        return imports.insert_order(session, values, rows)


def _route_order(
    email: str, priced: PricedOrder, currency: str, via: str, now: datetime
) -> woo.Order:
    """An order being created, as WooCommerce would send it, for the routes to look at."""
    from orderwf import woo

    lines = [
        woo.Line(
            id=n + 1,
            kind=line.kind,
            name=line.name,
            total=line.total,
            quantity=line.quantity,
            price=line.price,
            product_id=line.product_id,
            sku=line.sku,
        )
        if line.kind == "line_item"
        else woo.Line(id=n + 1, kind=line.kind, name=line.name, total=line.total)
        for n, line in enumerate(priced.lines)
    ]
    return woo.Order(
        id=0,
        number="",
        status="",
        currency=currency,
        total=sum((line.total for line in lines), Decimal(0)),
        date_created=now,
        billing={"email": email},
        created_via=via,
        lines=tuple(lines),
    )
