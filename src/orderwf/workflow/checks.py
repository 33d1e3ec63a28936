"""The semantic checks of SPEC §3, run on data that already matches the schema: references
between statuses, actions, emails and timers; the status graph (final statuses, reachability,
emails that nothing sends). Parameters are checked by `workflow.paramchecks`, templates and
expressions by `workflow.textchecks`. Every finding has a stable code, documented in
docs/validation.md."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from orderwf.suggest import did_you_mean
from orderwf.workflow import build, paramchecks
from orderwf.workflow.findings import Collector, Finding
from orderwf.workflow.yamlsrc import JsonPath, Source

Data = Mapping[str, Any]


def ids(value: Any) -> list[str] | None:
    """A `from`/`to` value as a list of ids; None for any."""
    if value is None or value == "any":
        return None
    return [value] if isinstance(value, str) else list(value)


def targets(action: Data) -> list[tuple[JsonPath, str]]:
    """(relative path, status) of each `to` alternative."""
    to = action.get("to")
    if to is None:
        return []
    if isinstance(to, str):
        return [(("to",), to)]
    return [(("to", i, "status"), t["status"]) for i, t in enumerate(to)]


def effects(action: Data) -> Iterator[tuple[int, str, Any]]:
    """(index, kind, value) of each effect; the bare `refund` is ("refund", None)."""
    for i, effect in enumerate(action.get("effects") or ()):
        if isinstance(effect, str):
            yield i, effect, None
        else:
            kind = next(k for k in effect if k != "if")
            yield i, kind, effect[kind]


class Checker(Collector):
    def __init__(self, data: Data, source: Source, file: str) -> None:
        super().__init__(source, file)
        self.data = data
        self.statuses: Mapping[str, Data] = data["statuses"]
        self.actions: Mapping[str, Data] = data.get("actions") or {}
        self.emails: Mapping[str, Data] = data.get("emails") or {}
        self.timers: Mapping[str, Data] = data.get("timers") or {}

    def run(self) -> list[Finding]:
        self.shop_language()
        self.renames()
        self.references()
        self.alternatives()
        self.final_statuses()
        self.reachability()
        self.emails_sent()
        self.timers_apply()
        for aid, action in self.actions.items():
            for name, param in (action.get("params") or {}).items():
                paramchecks.check_param(
                    self, ("actions", aid, "params", name), build.param(name, param)
                )
        return self.findings

    # -- the shop's language ---------------------------------------------------------------

    def shop_language(self) -> None:
        """`shop.locale` must be a locale Babel knows, `shop.timezone` an IANA time zone."""
        from orderwf import l10n

        shop = self.data.get("shop") or {}
        for key, code, problem in (
            ("locale", "OWF022", l10n.locale_problem),
            ("timezone", "OWF023", l10n.timezone_problem),
        ):
            if key in shop and (found := problem(str(shop[key]))) is not None:
                self.add(code, ("shop", key), found[0], hint=found[1])

    # -- references ----------------------------------------------------------------------

    def status_ref(self, code: str, path: JsonPath, value: str, message: str) -> None:
        if value not in self.statuses:
            self.add(
                code,
                path,
                message.format(value=value),
                hint=did_you_mean(value, self.statuses) or self._declared("statuses"),
            )

    def _declared(self, what: str) -> str:
        names = {"statuses": self.statuses, "emails": self.emails, "actions": self.actions}[what]
        if not names:
            return f"no {what} are declared"
        return f"declared {what}: {', '.join(names)}"

    def references(self) -> None:
        self.status_ref(
            "OWF101",
            ("initial",),
            self.data["initial"],
            "initial status {value!r} is not declared under statuses",
        )
        for aid, action in self.actions.items():
            for i, sid in enumerate(ids(action.get("from")) or ()):
                self.status_ref(
                    "OWF102",
                    ("actions", aid, "from", i),
                    sid,
                    f"action {aid!r} is allowed from unknown status {{value!r}}",
                )
            for rel, sid in targets(action):
                self.status_ref(
                    "OWF104",
                    ("actions", aid, *rel),
                    sid,
                    f"action {aid!r} goes to unknown status {{value!r}}",
                )
            for i, kind, value in effects(action):
                if kind != "email":
                    continue
                eid, rel = (value["id"], ("id",)) if isinstance(value, Mapping) else (value, ())
                if eid not in self.emails:
                    self.add(
                        "OWF107",
                        ("actions", aid, "effects", i, "email", *rel),
                        f"action {aid!r} sends unknown email {eid!r}",
                        hint=did_you_mean(eid, self.emails) or self._declared("emails"),
                    )
        for eid, email in self.emails.items():
            for i, event in enumerate(email.get("on") or ()):
                self.event_refs(eid, ("emails", eid, "on", i), event)
        for tid, timer in self.timers.items():
            self.status_ref(
                "OWF105",
                ("timers", tid, "status"),
                timer["status"],
                f"timer {tid!r} watches unknown status {{value!r}}",
            )
            if timer["action"] not in self.actions:
                self.add(
                    "OWF108",
                    ("timers", tid, "action"),
                    f"timer {tid!r} applies unknown action {timer['action']!r}",
                    hint=did_you_mean(timer["action"], self.actions) or self._declared("actions"),
                )
        full = (self.data.get("refunds") or {}).get("full_status")
        if full is not None:
            self.status_ref(
                "OWF106",
                ("refunds", "full_status"),
                full,
                "refunds.full_status names unknown status {value!r}",
            )

    def event_refs(self, eid: str, path: JsonPath, event: Any) -> None:
        if not isinstance(event, Mapping):
            return
        status = event.get("status")
        if isinstance(status, Mapping):
            for end in ("from", "to"):
                value = status.get(end)
                if isinstance(value, str):
                    self.status_ref(
                        "OWF103",
                        (*path, "status", end),
                        value,
                        f"email {eid!r} is sent on a status change {end} "
                        "unknown status {value!r}",
                    )
                for j, sid in enumerate(value if isinstance(value, list) else ()):
                    self.status_ref(
                        "OWF103",
                        (*path, "status", end, j),
                        sid,
                        f"email {eid!r} is sent on a status change {end} "
                        "unknown status {value!r}",
                    )
        action = event.get("action")
        if action is not None and action not in self.actions:
            self.add(
                "OWF109",
                (*path, "action"),
                f"email {eid!r} is sent after unknown action {action!r}",
                hint=did_you_mean(action, self.actions) or self._declared("actions"),
            )

    def renames(self) -> None:
        """`renamed_from` names old ids: not a status still declared (OWF112), and each old
        id renamed into one status only (OWF113)."""
        owner: dict[str, str] = {}
        for sid, status in self.statuses.items():
            for i, old in enumerate(status.get("renamed_from") or ()):
                path = ("statuses", sid, "renamed_from", i)
                if old in self.statuses:
                    self.add(
                        "OWF112",
                        path,
                        f"status {sid!r} is renamed from {old!r}, which is still a status",
                        hint=f"remove {old!r} from statuses, or from renamed_from",
                    )
                elif old in owner:
                    self.add(
                        "OWF113",
                        path,
                        f"status {sid!r} is renamed from {old!r}, and so is {owner[old]!r}",
                        hint="orders in an old id can move to one status only",
                    )
                else:
                    owner[old] = sid

    # -- the status graph ----------------------------------------------------------------

    def sources(self, action: Data) -> list[str]:
        return ids(action.get("from")) or list(self.statuses)

    def alternatives(self) -> None:
        for aid, action in self.actions.items():
            to = action.get("to")
            if not isinstance(to, list):
                continue
            for i, alt in enumerate(to[:-1]):
                if "if" not in alt:
                    self.add(
                        "OWF205",
                        ("actions", aid, "to", i),
                        f"action {aid!r}: alternative {i + 1} has no `if`, so the "
                        "alternatives after it are never chosen",
                        hint="give it an `if`, or move it last",
                    )

    def final_statuses(self) -> None:
        for aid, action in self.actions.items():
            goes = {sid for _, sid in targets(action)}
            listed = ids(action.get("from"))
            for sid in self.sources(action):
                status = self.statuses.get(sid)
                if not status or not status.get("final") or not goes - {sid}:
                    continue
                path: JsonPath = ("actions", aid, "from")
                if listed is not None:
                    path = (*path, listed.index(sid))
                self.add(
                    "OWF201",
                    path,
                    f"action {aid!r} leaves the final status {sid!r}",
                    hint=f"remove {sid!r} from `from`, or drop `final: true` from the status",
                )

    def transitions(self, actions: Iterable[Data] | None = None) -> set[tuple[str, str]]:
        """Every (from, to) status change the workflow (or these `actions`) can make, refunds
        included."""
        pairs: set[tuple[str, str]] = set()
        full = (self.data.get("refunds") or {}).get("full_status")
        for action in self.actions.values() if actions is None else actions:
            sources = self.sources(action)
            pairs.update((s, t) for s in sources for _, t in targets(action) if s != t)
            if full and any(kind == "refund" for _, kind, _v in effects(action)):
                # a refund that leaves nothing refundable moves the order to full_status,
                # from wherever the action's own `to` left it
                ends = [t for _, t in targets(action)] or sources
                pairs.update((s, full) for s in ends if s != full)
        return pairs

    def reachability(self) -> None:
        edges = self.transitions()
        seen = {self.data["initial"]}
        todo = [self.data["initial"]]
        while todo:
            here = todo.pop()
            for s, t in edges:
                if s == here and t not in seen:
                    seen.add(t)
                    todo.append(t)
        for sid in self.statuses:
            if sid not in seen:
                self.add(
                    "OWF202",
                    ("statuses", sid),
                    f"status {sid!r} cannot be reached from the initial status "
                    f"{self.data['initial']!r}",
                    hint="add it to the `to` of an action, or remove it",
                    severity="warning",
                    key=True,
                )

    def senders(self, eid: str) -> list[str]:
        """The actions that can send email `eid`: an `email` effect queues it, or one of its
        events can follow from the action alone (its own status changes, refunds, notes…).
        Its templates see `params` of these actions, and only these."""
        email = self.emails.get(eid) or {}
        found = []
        for aid, action in self.actions.items():
            queued = any(
                kind == "email" and (value["id"] if isinstance(value, Mapping) else value) == eid
                for _, kind, value in effects(action)
            )
            only = {aid: action}
            edges = self.transitions(only.values())
            if queued or any(self.can_fire(e, edges, only) for e in email.get("on") or ()):
                found.append(aid)
        return found

    def can_fire(
        self, event: Any, edges: set[tuple[str, str]], actions: Mapping[str, Data] | None = None
    ) -> bool:
        """Whether `event` can happen, given these `edges` and `actions` (default: all)."""
        actions = self.actions if actions is None else actions
        kinds = [k for a in actions.values() for _, k, _v in effects(a)]
        if isinstance(event, str):
            event = {event: None}
        kind, value = next(iter(event.items()))
        if kind == "status":
            value = value or {}
            src, dst = ids(value.get("from")), ids(value.get("to"))
            return any((src is None or s in src) and (dst is None or t in dst) for s, t in edges)
        if kind == "refund":
            if value == "partial":  # only a refund from the params can be partial
                return any(
                    k == "refund" and not (isinstance(v, Mapping) and v.get("remaining"))
                    for a in actions.values()
                    for _, k, v in effects(a)
                )
            return "refund" in kinds
        if kind == "note":
            return any(
                k == "note" and isinstance(v, Mapping) and v.get("customer")
                for a in actions.values()
                for _, k, v in effects(a)
            )
        if kind == "tracking":
            return "tracking" in kinds
        return value is None or value in actions

    def emails_sent(self) -> None:
        edges = self.transitions()
        queued = set()
        for action in self.actions.values():
            for _, kind, value in effects(action):
                if kind == "email":
                    queued.add(value["id"] if isinstance(value, Mapping) else value)
        for eid, email in self.emails.items():
            fires = False
            for i, event in enumerate(email.get("on") or ()):
                if self.can_fire(event, edges):
                    fires = True
                else:
                    self.add(
                        "OWF204",
                        ("emails", eid, "on", i),
                        f"email {eid!r}: no action of this workflow can cause this event",
                        severity="warning",
                    )
            if not fires and eid not in queued:
                self.add(
                    "OWF203",
                    ("emails", eid),
                    f"email {eid!r} is never sent: no event fires it and no `email` "
                    "effect queues it",
                    hint="add an `on:` event, or an `email` effect to an action",
                    severity="warning",
                    key=True,
                )

    def timers_apply(self) -> None:
        for tid, timer in self.timers.items():
            action = self.actions.get(timer["action"])
            if action is None or timer["status"] not in self.statuses:
                continue
            if timer["status"] not in self.sources(action):
                self.add(
                    "OWF110",
                    ("timers", tid, "action"),
                    f"timer {tid!r} applies action {timer['action']!r}, which is not "
                    f"allowed from status {timer['status']!r}",
                    hint=f"add {timer['status']!r} to the action's `from`",
                )
            for name, param in (action.get("params") or {}).items():
                if param.get("required") and "default" not in param:
                    self.add(
                        "OWF111",
                        ("timers", tid, "action"),
                        f"timer {tid!r} applies action {timer['action']!r}, which needs "
                        f"the parameter {name!r} that a timer cannot give",
                        hint="give the parameter a default, or make it optional",
                    )


def check(data: Data, source: Source, file: str) -> list[Finding]:
    """The structural semantic findings of one schema-valid workflow."""
    return Checker(data, source, file).run()
