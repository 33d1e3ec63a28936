"""Scenario files in: found in folders, read, checked and built (SPEC §10). The same stages
as a workflow's, through the same modules: YAML with positions (`workflow.yamlsrc`), JSON Schema
(`workflow.schema`, with `schemas/scenario.schema.json`), then the semantic checks of
`scenario.checks` against the workflow the scenario names. Findings carry `OWT` codes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orderwf import money
from orderwf.engine.memory import LineSpec, OrderSpec, Product
from orderwf.errors import UsageError, WorkflowError
from orderwf.scenario import checks
from orderwf.scenario import model as sm
from orderwf.suggest import did_you_mean
from orderwf.workflow import loader, schema, yamlsrc
from orderwf.workflow.findings import Collector, Finding, display_path, json_path
from orderwf.workflow.projectchecks import declared_name
from orderwf.workflows import looks_like_path

if TYPE_CHECKING:
    from orderwf.project import Project
    from orderwf.workflow.model import Workflow
    from orderwf.workflow.yamlsrc import Source

DEFAULT_FOLDER = Path("scenarios")
_SUFFIXES = (".yaml", ".yml")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
DEFAULT_ACTOR = "admin"
DEFAULT_NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
# A scenario without products or an order starts from one stocked product, ordered once.
DEFAULT_PRODUCT = Product(1, "SAMPLE", "Sample product", Decimal("10.00"), 10)


def scenario_files(paths: Iterable[Path]) -> list[Path]:
    """Each file named, and every `*.yaml`/`*.yml` of each folder named (hidden ones
    skipped). A path that does not exist is a usage error."""
    files: list[Path] = []
    for path in paths:
        if not path.exists():
            raise UsageError(f"path {path} does not exist")
        if path.is_dir():
            files.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.suffix in _SUFFIXES
                and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            files.append(path)
    return files


def duration(text: str) -> timedelta:
    """`90s`, `60m`, `2h`, `3d` (the schema has checked the form)."""
    return timedelta(**{_UNITS[text[-1]]: int(text[:-1])})


# -- workflows --------------------------------------------------------------------------------


class Workflows:
    """The workflows a scenario may name, found as every command finds them (SPEC §8): in a
    project, each workflow of its folder by its `name`, and `--workflow NAME|PATH`; without
    one, the `--workflow` file, else every workflow of `workflows/` here and the default
    workflow. A scenario without `workflow:` runs the default one: `--workflow`, else the
    project's `default` (or its only workflow), else the built-in behaviour."""

    def __init__(self, project: Project | None = None, forced: str | None = None) -> None:
        self.project = project
        forced_path = None
        if forced is not None and (project is None or looks_like_path(forced)):
            forced_path = Path(forced)
            if not forced_path.is_file():
                raise UsageError(f"workflow file {forced} does not exist")
        candidates: list[Path] = [forced_path] if forced_path is not None else []
        if project is not None:
            if project.workflows.is_dir():
                candidates += loader.workflow_files([project.workflows])
        elif forced_path is None:
            candidates.append(loader.default_workflow_path())
            if loader.DEFAULT_FOLDER.is_dir():
                candidates += loader.workflow_files([loader.DEFAULT_FOLDER])
        self.candidates = list(dict.fromkeys(p.resolve() for p in candidates))
        self._paths: dict[str, Path] | None = None
        self._loaded: dict[Path, Workflow] = {}
        self.default_path: Path | None = None
        self.default_name: str | None = None
        if forced_path is not None:
            self.default_path = forced_path.resolve()
            self.default_name = declared_name(forced_path)
        elif forced is not None:
            self.default_name = forced
        elif project is not None:
            names = sorted(self.paths)
            self.default_name = project.default or (names[0] if len(names) == 1 else None)
        else:
            self.default_path = loader.default_workflow_path().resolve()
            self.default_name = declared_name(self.default_path)
        if self.default_path is None and self.default_name in self.paths:
            self.default_path = self.paths[self.default_name]

    @property
    def paths(self) -> dict[str, Path]:
        """name → file, from each file's top-level `name:` (the first file wins)."""
        if self._paths is None:
            self._paths = {}
            for path in self.candidates:
                name = declared_name(path)
                if name is not None:
                    self._paths.setdefault(name, path)
        return self._paths

    def load(self, name: str) -> Workflow:
        """The workflow called `name`, validated and built; `WorkflowError` when invalid."""
        path = self.paths[name]
        if path not in self._loaded:
            self._loaded[path] = loader.load_workflow(path)
        return self._loaded[path]


def folder(project: Project | None) -> Path:
    """Where scenarios are by default: the project's `scenarios` setting, else `scenarios/`."""
    return project.scenarios if project is not None else DEFAULT_FOLDER


# -- files ----------------------------------------------------------------------------------


@dataclass
class Loaded:
    """One scenario file through the pipeline: its findings, and the scenario when it has
    none (`workflow_error`: the workflow it names does not validate)."""

    path: Path
    findings: list[Finding] = field(default_factory=list)
    scenario: sm.Scenario | None = None
    workflow: Workflow | None = None
    workflow_error: WorkflowError | None = None
    workflow_path: Path | None = None


def load(path: Path, workflows: Workflows) -> Loaded:
    file = display_path(path)
    loaded = Loaded(path)

    def problem(code: str, message: str, line: int = 1, column: int = 1) -> Loaded:
        loaded.findings.append(Finding(file, line, column, "error", code, message, None, "$"))
        return loaded

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        return problem("OWT001", f"cannot read the file: {e.strerror}")
    except UnicodeDecodeError as e:
        return problem("OWT001", f"the file is not UTF-8 text (byte {e.start})")
    source = yamlsrc.parse(text)
    for p in source.problems:
        code = "OWT" + p.code.removeprefix("OWF")
        loaded.findings.append(
            Finding(
                file,
                p.position.line,
                p.position.column,
                "error",
                code,
                p.message,
                p.hint,
                json_path(p.json_path),
            )
        )
    if source.problems:
        return loaded
    if source.data is None:
        return problem("OWT006", "the file is empty")
    loaded.findings = schema.check(source, file, "scenario")
    if loaded.findings:
        return loaded
    data: dict[str, Any] = source.data
    name = data.get("workflow") or workflows.default_name
    if name is None:
        collector = Collector(source, file)
        collector.add(
            "OWT101",
            (),
            "the scenario names no workflow and there is no default one "
            f"(workflows: {', '.join(sorted(workflows.paths)) or 'none'})",
            hint='add `workflow: NAME`, or `default = "NAME"` under [shop] in orderwf.toml',
        )
        loaded.findings = collector.findings
        return loaded
    if name not in workflows.paths:
        known = ", ".join(sorted(workflows.paths)) or "none"
        at = ("workflow",) if "workflow" in data else ()
        collector = Collector(source, file)
        collector.add(
            "OWT101",
            at,
            f"no workflow is named {name!r} (workflows: {known})",
            hint=_close(name, workflows.paths),
            key=not at,
        )
        loaded.findings = collector.findings
        return loaded
    loaded.workflow_path = workflows.paths[name]
    try:
        workflow = workflows.load(name)
    except WorkflowError as e:
        loaded.workflow_error = e
        return loaded
    loaded.workflow = workflow
    loaded.findings = checks.check(data, source, file, workflow)
    if not loaded.findings:
        loaded.scenario = build(path, file, data, source, workflow)
    return loaded


def _close(name: object, names: Iterable[str]) -> str | None:
    return did_you_mean(name, names)


# -- building ---------------------------------------------------------------------------------


def parse_now(text: str) -> datetime:
    """An ISO 8601 time; UTC when it has no offset. Raises ValueError."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def amount(value: Any, currency: str) -> Decimal:
    return money.parse(str(value), currency)


def products_of(data: Mapping[str, Any], currency: str) -> tuple[Product, ...]:
    given = data.get("products")
    if given is None:
        return (DEFAULT_PRODUCT,)
    return tuple(
        Product(
            id=n,
            sku=p["sku"],
            name=p.get("name", p["sku"]),
            price=amount(p["price"], currency),
            stock=p.get("stock"),
            virtual=bool(p.get("virtual", False)),
            downloadable=bool(p.get("downloadable", False)),
        )
        for n, p in enumerate(given, start=1)
    )


def order_of(data: Mapping[str, Any], products: tuple[Product, ...], currency: str) -> OrderSpec:
    order = data.get("order") or {}
    lines = order.get("lines") or [{"sku": products[0].sku, "quantity": 1}]
    return OrderSpec(
        lines=tuple(
            LineSpec(
                line["sku"],
                line["quantity"],
                amount(line["total"], currency) if "total" in line else None,
            )
            for line in lines
        ),
        email=order.get("email", "customer@example.com"),
        status=order.get("status"),
        shipping=amount(order["shipping"], currency) if "shipping" in order else None,
        fees=tuple((fee["name"], amount(fee["total"], currency)) for fee in order.get("fees", ())),
        via=order.get("via", "admin"),
        billing=dict(order.get("billing") or {}),
        customer_note=order.get("customer_note", ""),
        number=str(order.get("number", 1)),
    )


def item_ids(spec: OrderSpec) -> dict[str, int]:
    """How a refund step may name a line: its SKU, `shipping`, a fee's name, or its id."""
    names: dict[str, int] = {}
    n = 0
    for line in spec.lines:
        n += 1
        names.setdefault(line.sku, n)
    if spec.shipping is not None:
        n += 1
        names.setdefault("shipping", n)
    for fee, _ in spec.fees:
        n += 1
        names.setdefault(fee, n)
    for i in range(1, n + 1):
        names[str(i)] = i
        names[f"#{i}"] = i
    return names


def refund_params(refund: Mapping[str, Any], ids: Mapping[str, int]) -> dict[str, Any]:
    """A refund step as the `refund` action's params (what `orderwf refund` passes)."""
    params: dict[str, Any] = {}
    if "amount" in refund:
        params["amount"] = str(refund["amount"])
    if refund.get("lines"):
        params["lines"] = [f"{ids[str(item)]}={value}" for item, value in refund["lines"].items()]
    for key in ("restock", "reason"):
        if key in refund:
            params[key] = refund[key]
    return params


def params_of(raw: Mapping[str, Any]) -> dict[str, Any]:
    """YAML values as the CLI passes them: text, except booleans and lists."""
    out: dict[str, Any] = {}
    for name, value in raw.items():
        if isinstance(value, list):
            out[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            out[name] = value
        else:
            out[name] = str(value)
    return out


def _expect(data: Mapping[str, Any] | None, currency: str) -> sm.Expect | None:
    if data is None:
        return None
    emails = None
    if "emails" in data:
        emails = tuple(
            sm.EmailExpect(e)
            if isinstance(e, str)
            else sm.EmailExpect(e["id"], e.get("to"), e.get("subject"), e.get("contains"))
            for e in data["emails"]
        )
    notes = None
    if "notes" in data:
        notes = tuple(
            sm.NoteExpect(text=n)
            if isinstance(n, str)
            else sm.NoteExpect(contains=n.get("contains"), customer=n.get("customer"))
            for n in data["notes"]
        )
    return sm.Expect(
        status=data.get("status"),
        stock=tuple((str(k), v) for k, v in (data.get("stock") or {}).items()),
        emails=emails,
        notes=notes,
        total_refunded=amount(data["total_refunded"], currency)
        if "total_refunded" in data
        else None,
        remaining_refundable=amount(data["remaining_refundable"], currency)
        if "remaining_refundable" in data
        else None,
        tracking=tuple(data["tracking"]) if "tracking" in data else None,
    )


def step_of(
    index: int, raw: Mapping[str, Any], source: Source, ids: Mapping[str, int], currency: str
) -> sm.Step:
    pos = source.position(("steps", index - 1))
    common: dict[str, Any] = {
        "index": index,
        "line": pos.line,
        "column": pos.column,
        "actor": raw.get("actor"),
        "expect": _expect(raw.get("expect"), currency),
        "refused": raw.get("refused"),
        "source": dict(raw),
    }
    if "apply" in raw:
        return sm.Step(
            kind="apply", action=raw["apply"], params=params_of(raw.get("params") or {}), **common
        )
    if "refund" in raw:
        return sm.Step(
            kind="refund", action="refund", params=refund_params(raw["refund"], ids), **common
        )
    if "note" in raw:
        note = raw["note"]
        if isinstance(note, str):
            note = {"text": note}
        return sm.Step(kind="note", action="add_note", params=params_of(note), **common)
    return sm.Step(kind="wait", wait=duration(raw["wait"]), wait_text=raw["wait"], **common)


def build(
    path: Path, file: str, data: Mapping[str, Any], source: Source, workflow: Workflow
) -> sm.Scenario:
    """The scenario of data that passed the schema and the checks."""
    currency = workflow.shop.currency
    products = products_of(data, currency)
    order = order_of(data, products, currency)
    ids = item_ids(order)
    return sm.Scenario(
        path=path,
        file=file,
        name=data.get("name") or path.stem,
        workflow=workflow.name,
        now=parse_now(data["now"]) if "now" in data else DEFAULT_NOW,
        actor=data.get("actor", DEFAULT_ACTOR),
        products=products,
        order=order,
        steps=tuple(
            step_of(i, raw, source, ids, currency) for i, raw in enumerate(data["steps"], start=1)
        ),
        data=dict(data),
        source=source,
    )
