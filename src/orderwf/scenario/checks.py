"""The semantic checks of a scenario file, against the workflow it runs: every action, status,
email, SKU and param it names must exist there. Run on data the schema accepted; each finding
has an `OWT1xx` code (docs/testing.md lists them) and the position of the name at fault."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from orderwf import money
from orderwf.engine.memory import Product
from orderwf.errors import OrderwfError
from orderwf.scenario import load
from orderwf.suggest import did_you_mean
from orderwf.workflow.findings import Collector, Finding, where
from orderwf.workflow.model import Workflow
from orderwf.workflow.yamlsrc import JsonPath, Source


class Checker(Collector):
    def __init__(self, data: Mapping[str, Any], source: Source, file: str, wf: Workflow) -> None:
        super().__init__(source, file)
        self.data = data
        self.wf = wf
        self.currency = wf.shop.currency
        self.skus: set[str] = set()

    def unknown(
        self, code: str, path: JsonPath, what: str, value: str, known: Iterable[str], *, key: bool
    ) -> None:
        names = list(known)
        listed = ", ".join(names) if names else "none"
        self.add(
            code,
            path,
            f"{what} {value!r} is not in workflow {self.wf.name!r}",
            hint=did_you_mean(value, names) or f"known: {listed}",
            key=key,
        )

    def status(self, path: JsonPath, value: str) -> None:
        if value not in self.wf.statuses:
            self.unknown("OWT103", path, "status", value, self.wf.statuses, key=False)

    def sku(self, path: JsonPath, value: str, *, key: bool = False) -> None:
        if value not in self.skus:
            names = sorted(self.skus)
            self.add(
                "OWT105",
                path,
                f"SKU {value!r} is not one of the scenario's products",
                hint=did_you_mean(value, names) or f"products: {', '.join(names) or 'none'}",
                key=key,
            )

    def money(self, path: JsonPath, value: Any) -> None:
        try:
            money.parse(str(value), self.currency)
        except OrderwfError as e:
            self.add("OWT107", path, f"{where(path)}: {e.message}")

    def run(self) -> list[Finding]:
        if "now" in self.data:
            try:
                load.parse_now(self.data["now"])
            except ValueError:
                self.add("OWT107", ("now",), f"now: {self.data['now']!r} is not a valid time")
        for i, product in enumerate(self.data.get("products") or ()):
            if product["sku"] in self.skus:
                self.add(
                    "OWT108", ("products", i, "sku"), f"SKU {product['sku']!r} is listed twice"
                )
            self.skus.add(product["sku"])
            self.money(("products", i, "price"), product["price"])
        if "products" not in self.data:
            self.skus.add(load.DEFAULT_PRODUCT.sku)
        order = self.data.get("order") or {}
        if "status" in order:
            self.status(("order", "status"), order["status"])
        for i, line in enumerate(order.get("lines") or ()):
            self.sku(("order", "lines", i, "sku"), line["sku"])
            if "total" in line:
                self.money(("order", "lines", i, "total"), line["total"])
        if "shipping" in order:
            self.money(("order", "shipping"), order["shipping"])
        for i, fee in enumerate(order.get("fees") or ()):
            self.money(("order", "fees", i, "total"), fee["total"])
        ids = load.item_ids(load.order_of(self.data, self._products(), self.currency))
        for i, step in enumerate(self.data["steps"]):
            self.step(("steps", i), step, ids)
        return self.findings

    def _products(self) -> tuple[Product, ...]:
        known = [Product(0, sku, sku, money.zero(self.currency)) for sku in sorted(self.skus)]
        return tuple(known) or (load.DEFAULT_PRODUCT,)

    def action(self, path: JsonPath, action_id: str, why: str = "") -> bool:
        if action_id in self.wf.actions:
            return True
        self.add(
            "OWT102",
            path,
            f"{why}action {action_id!r} is not in workflow {self.wf.name!r}",
            hint=did_you_mean(action_id, self.wf.actions)
            or f"actions: {', '.join(self.wf.actions)}",
        )
        return False

    def step(self, path: JsonPath, step: Mapping[str, Any], ids: Mapping[str, int]) -> None:
        if "apply" in step:
            if self.action((*path, "apply"), step["apply"]):
                declared = {p.name for p in self.wf.actions[step["apply"]].declared_params}
                for name in step.get("params") or {}:
                    if name not in declared:
                        self.add(
                            "OWT106",
                            (*path, "params", name),
                            f"action {step['apply']!r} has no param {name!r}",
                            hint=did_you_mean(name, declared)
                            or f"params: {', '.join(sorted(declared)) or 'none'}",
                            key=True,
                        )
        elif "params" in step:
            self.add("OWT106", (*path, "params"), "only an `apply` step takes params", key=True)
        if "refund" in step:
            why = "a refund step applies the "
            if (
                self.action((*path, "refund"), "refund", why)
                and not self.wf.actions["refund"].has_refund
            ):
                self.add(
                    "OWT102",
                    (*path, "refund"),
                    f"action 'refund' of workflow {self.wf.name!r} makes no refund",
                )
            refund = step["refund"]
            if "amount" in refund:
                self.money((*path, "refund", "amount"), refund["amount"])
            for item in refund.get("lines") or {}:
                if str(item) not in ids:
                    names = [k for k in ids if not k.lstrip("#").isdigit()]
                    self.add(
                        "OWT105",
                        (*path, "refund", "lines", item),
                        f"refund line {item!r} is not a line of the order",
                        hint=did_you_mean(item, names)
                        or f"name a SKU, `shipping`, a fee or an item id ({', '.join(names)})",
                        key=True,
                    )
        if "note" in step:
            self.action((*path, "note"), "add_note", "a note step applies the ")
        if "wait" in step and "refused" in step:
            self.add("OWT109", (*path, "refused"), "a wait step cannot be refused", key=True)
        expect = step.get("expect") or {}
        if "status" in expect:
            self.status((*path, "expect", "status"), expect["status"])
        for sku in expect.get("stock") or {}:
            self.sku((*path, "expect", "stock", sku), str(sku), key=True)
        for j, email in enumerate(expect.get("emails") or ()):
            eid = email if isinstance(email, str) else email["id"]
            if eid not in self.wf.emails:
                at: JsonPath = (*path, "expect", "emails", j)
                self.unknown(
                    "OWT104",
                    at if isinstance(email, str) else (*at, "id"),
                    "email",
                    eid,
                    self.wf.emails,
                    key=False,
                )
        for key in ("total_refunded", "remaining_refundable"):
            if key in expect:
                self.money((*path, "expect", key), expect[key])


def check(data: Mapping[str, Any], source: Source, file: str, wf: Workflow) -> list[Finding]:
    """Every semantic finding of one schema-valid scenario against its workflow."""
    return Checker(data, source, file, wf).run()
