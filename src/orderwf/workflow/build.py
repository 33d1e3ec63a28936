"""From the plain data of a workflow file (already checked against the JSON Schema) to the
frozen model, once per file: validation runs its checks on this model, and `load_workflow`
returns it. Every expression and template is compiled on its first use (a command uses only a
few). The keys the schema allows and the model's fields are compared by a test
(tests/unit/workflow/test_schema.py), so neither can drift."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from orderwf import templating
from orderwf.workflow import model as m

_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(text: str) -> timedelta:
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"duration {text!r} is not a number followed by s, m, h or d")
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


def _ids(value: Any) -> tuple[str, ...] | None:
    if value is None or value == "any":
        return None
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _cond(data: Mapping[str, Any]) -> m.Expr | None:
    source = data.get("if")
    return None if source is None else templating.compile_expr(str(source), lazy=True)


def _tmpl(source: Any) -> m.Template:
    return templating.compile_template(str(source), lazy=True)


def _targets(value: Any) -> tuple[m.Target, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (m.Target(status=value),)
    return tuple(m.Target(status=t["status"], cond=_cond(t)) for t in value)


def _status(status_id: str, data: Mapping[str, Any]) -> m.Status:
    fields = dict(data)
    fields["renamed_from"] = tuple(fields.get("renamed_from") or ())
    return m.Status(id=status_id, **fields)


def _param(name: str, data: Mapping[str, Any]) -> m.Param:
    enum = data.get("enum")
    return m.Param(
        name=name,
        type=data.get("type", "string"),
        required=bool(data.get("required", False)),
        default=data.get("default"),
        enum=tuple(enum) if enum is not None else None,
        pattern=data.get("pattern"),
        minimum=data.get("minimum"),
        maximum=data.get("maximum"),
        description=data.get("description"),
    )


def build_effect(data: Mapping[str, Any] | str) -> m.Effect:
    if isinstance(data, str):  # the bare forms: `refund`
        if data == "refund":
            return m.RefundEffect()
        raise ValueError(f"unknown effect {data!r}")
    cond = _cond(data)
    kind = next(k for k in data if k != "if")  # the schema allows exactly one
    value = data[kind]
    if kind == "note":
        if isinstance(value, Mapping):
            return m.NoteEffect(_tmpl(value["text"]), bool(value.get("customer", False)), cond)
        return m.NoteEffect(_tmpl(value), False, cond)
    if kind == "email":
        if isinstance(value, Mapping):
            return m.EmailEffect(value["id"], bool(value.get("force", False)), cond)
        return m.EmailEffect(str(value), False, cond)
    if kind == "tracking":
        opt = {k: _tmpl(value[k]) for k in ("carrier", "url", "shipped_on") if k in value}
        return m.TrackingEffect(number=_tmpl(value["number"]), cond=cond, **opt)
    if kind == "refund":
        if not isinstance(value, Mapping):
            return m.RefundEffect(cond=cond)
        reason = value.get("reason")
        return m.RefundEffect(
            remaining=bool(value.get("remaining", False)),
            reason=None if reason is None else _tmpl(reason),
            restock=value.get("restock"),
            cond=cond,
        )
    if kind == "set":
        return m.SetEffect(tuple((str(k), _tmpl(v)) for k, v in value.items()), cond)
    return m.StockEffect(policy=value, cond=cond)


def _action(action_id: str, data: Mapping[str, Any]) -> m.Action:
    return m.Action(
        id=action_id,
        label=data.get("label", action_id),
        sources=_ids(data.get("from", "any")),
        targets=_targets(data.get("to")),
        params=tuple(_param(n, p or {}) for n, p in (data.get("params") or {}).items()),
        guards=tuple(
            m.Guard(templating.compile_expr(str(g["if"]), lazy=True), _tmpl(g["message"]))
            for g in data.get("guard") or ()
        ),
        effects=tuple(build_effect(e) for e in data.get("effects") or ()),
        description=data.get("description"),
    )


def build_event(data: Mapping[str, Any] | str) -> m.EventFilter:
    if isinstance(data, str):  # `on: [refund]` style shorthand
        return m.EventFilter(kind=data, value="any")  # type: ignore[arg-type]  # schema-checked
    kind = next(iter(data))
    value = data[kind]
    if kind == "status":
        value = value or {}
        return m.EventFilter("status", _ids(value.get("from")), _ids(value.get("to")))
    return m.EventFilter(kind, value=str(value))  # type: ignore[arg-type]  # schema-checked


def email_template_paths(templates_dir: Path, base: str) -> tuple[Path, Path]:
    return templates_dir / f"{base}.txt.j2", templates_dir / f"{base}.html.j2"


def _email(
    email_id: str, data: Mapping[str, Any], templates_dir: Path | None, bytecode_dir: Path | None
) -> m.Email:
    to = str(data.get("to", "customer"))
    base = data.get("template", email_id)
    text = html = None
    if templates_dir is not None:
        text_path, html_path = email_template_paths(templates_dir, base)
        load = templating.load_email_template
        if text_path.exists():
            text = load(templates_dir, text_path.name, lazy=True, bytecode_dir=bytecode_dir)
        if html_path.exists():
            html = load(templates_dir, html_path.name, lazy=True, bytecode_dir=bytecode_dir)
    return m.Email(
        id=email_id,
        to=to,
        subject=_tmpl(data.get("subject", email_id)),
        on=tuple(build_event(e) for e in data.get("on") or ()),
        once=bool(data.get("once", False)),
        template=base,
        to_template=None if to in ("shop", "customer") else _tmpl(to),
        text=text,
        html=html,
    )


def build(
    data: Mapping[str, Any],
    *,
    path: Path | None = None,
    digest: str = "",
    bytecode_dir: Path | None = None,
    text: str = "",
) -> m.Workflow:
    """The model of a workflow file whose data passed the schema. `bytecode_dir`: where email
    templates keep their compiled form between processes (None: compile in each)."""
    base = path.parent if path is not None else Path.cwd()
    templates = data.get("templates")
    templates_dir = (base / templates).resolve() if templates is not None else None
    shop = data.get("shop") or {}
    refunds = data.get("refunds") or {}
    messages = {k: _tmpl(v) for k, v in m.DEFAULT_MESSAGES.items()}
    messages.update({k: _tmpl(v) for k, v in (data.get("messages") or {}).items()})
    return m.Workflow(
        version=data["orderwf"],
        name=data["name"],
        title=data.get("title", data["name"]),
        initial=data["initial"],
        statuses={sid: _status(sid, s) for sid, s in data["statuses"].items()},
        actions={aid: _action(aid, a or {}) for aid, a in (data.get("actions") or {}).items()},
        emails={
            eid: _email(eid, e or {}, templates_dir, bytecode_dir)
            for eid, e in (data.get("emails") or {}).items()
        },
        timers={
            tid: m.Timer(
                id=tid,
                status=t["status"],
                after=parse_duration(t["after"]),
                action=t["action"],
                cond=_cond(t),
                note=_tmpl(t["note"]) if "note" in t else None,
            )
            for tid, t in (data.get("timers") or {}).items()
        },
        messages=messages,
        refunds=m.RefundRules(
            restock=refunds.get("restock", True),
            reason=refunds.get("reason", "optional"),
            full_status=refunds.get("full_status"),
            line_cap=refunds.get("line_cap", True),
        ),
        stock=m.StockRules(negative=(data.get("stock") or {}).get("negative", "allow")),
        shop=m.Shop(
            name=shop.get("name", "Shop"),
            email=shop.get("email", ""),
            sender=shop.get("from", shop.get("email", "")),
            currency=shop.get("currency", "EUR"),
            locale=shop.get("locale", m.Shop.locale),
            timezone=shop.get("timezone", m.Shop.timezone),
        ),
        path=path,
        templates=templates,
        templates_dir=templates_dir,
        content_hash=digest,
        text=text,
    )
