"""The semantic checks of SPEC §3, run on the typed model of a file that passed the schema:
references between statuses, actions, emails and timers; the status graph (final statuses,
reachability, emails that nothing sends); parameter declarations (`paramchecks`). Templates and
expressions are `textchecks`'. Each finding is placed through the file's path → position map;
where a value can be written two ways (`to: shipped` or a list of alternatives), the map says
which. Every finding has a stable code, documented in docs/validation.md."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from orderwf.suggest import did_you_mean
from orderwf.workflow import model as m
from orderwf.workflow import paramchecks
from orderwf.workflow.findings import Collector, Finding
from orderwf.workflow.yamlsrc import JsonPath, Source


class Checker(Collector):
    def __init__(self, workflow: m.Workflow, source: Source, file: str) -> None:
        super().__init__(source, file)
        self.workflow = workflow
        self.statuses = workflow.statuses
        self.actions = workflow.actions
        self.emails = workflow.emails
        self.timers = workflow.timers

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
            for param in action.params:
                paramchecks.check_param(self, ("actions", aid, "params", param.name), param)
        return self.findings

    # -- the shop's language ---------------------------------------------------------------

    def shop_language(self) -> None:
        """`shop.locale` must be a locale Babel knows, `shop.timezone` an IANA time zone."""
        from orderwf import l10n

        shop = self.workflow.shop
        for key, value, code, problem in (
            ("locale", shop.locale, "OWF022", l10n.locale_problem),
            ("timezone", shop.timezone, "OWF023", l10n.timezone_problem),
        ):
            if self.source.has(("shop", key)) and (found := problem(str(value))) is not None:
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

    def targets(self, aid: str, action: m.Action) -> list[tuple[JsonPath, str]]:
        """(path, status) of each `to` alternative."""
        if self.source.has(("actions", aid, "to", 0)):
            return [
                (("actions", aid, "to", i, "status"), t.status)
                for i, t in enumerate(action.targets)
            ]
        return [(("actions", aid, "to"), t.status) for t in action.targets]

    def references(self) -> None:
        self.status_ref(
            "OWF101",
            ("initial",),
            self.workflow.initial,
            "initial status {value!r} is not declared under statuses",
        )
        for aid, action in self.actions.items():
            for i, sid in enumerate(action.sources or ()):
                self.status_ref(
                    "OWF102",
                    ("actions", aid, "from", i),
                    sid,
                    f"action {aid!r} is allowed from unknown status {{value!r}}",
                )
            for path, sid in self.targets(aid, action):
                self.status_ref(
                    "OWF104", path, sid, f"action {aid!r} goes to unknown status {{value!r}}"
                )
            for i, effect in enumerate(action.effects):
                if not isinstance(effect, m.EmailEffect) or effect.email in self.emails:
                    continue
                at: JsonPath = ("actions", aid, "effects", i, "email")
                self.add(
                    "OWF107",
                    (*at, "id") if self.source.has((*at, "id")) else at,
                    f"action {aid!r} sends unknown email {effect.email!r}",
                    hint=did_you_mean(effect.email, self.emails) or self._declared("emails"),
                )
        for eid, email in self.emails.items():
            for i, event in enumerate(email.on):
                self.event_refs(eid, i, event)
        for tid, timer in self.timers.items():
            self.status_ref(
                "OWF105",
                ("timers", tid, "status"),
                timer.status,
                f"timer {tid!r} watches unknown status {{value!r}}",
            )
            if timer.action not in self.actions:
                self.add(
                    "OWF108",
                    ("timers", tid, "action"),
                    f"timer {tid!r} applies unknown action {timer.action!r}",
                    hint=did_you_mean(timer.action, self.actions) or self._declared("actions"),
                )
        full = self.workflow.refunds.full_status
        if full is not None:
            self.status_ref(
                "OWF106",
                ("refunds", "full_status"),
                full,
                "refunds.full_status names unknown status {value!r}",
            )

    def event_refs(self, eid: str, i: int, event: m.EventFilter) -> None:
        path: JsonPath = ("emails", eid, "on", i)
        if event.kind == "status":
            for end, ids in (("from", event.sources), ("to", event.targets)):
                at: JsonPath = (*path, "status", end)
                listed = self.source.has((*at, 0))
                if ids is None and self.source.has(at):
                    ids = ("any",)  # the model reads `any` as any status; SPEC has no `any` here
                for j, sid in enumerate(ids or ()):
                    self.status_ref(
                        "OWF103",
                        (*at, j) if listed else at,
                        sid,
                        f"email {eid!r} is sent on a status change {end} "
                        "unknown status {value!r}",
                    )
        elif event.kind == "action" and not self.bare(eid, i, event):
            self.action_ref(eid, (*path, "action"), event.value)

    def action_ref(self, eid: str, path: JsonPath, action: str | None) -> None:
        if action not in self.actions:
            self.add(
                "OWF109",
                path,
                f"email {eid!r} is sent after unknown action {action!r}",
                hint=did_you_mean(action, self.actions) or self._declared("actions"),
            )

    def renames(self) -> None:
        """`renamed_from` names old ids: not a status still declared (OWF112), and each old
        id renamed into one status only (OWF113)."""
        owner: dict[str, str] = {}
        for sid, status in self.statuses.items():
            for i, old in enumerate(status.renamed_from):
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

    def sources(self, action: m.Action) -> tuple[str, ...]:
        return action.sources or tuple(self.statuses)

    def alternatives(self) -> None:
        for aid, action in self.actions.items():
            if not self.source.has(("actions", aid, "to", 0)):
                continue
            for i, alt in enumerate(action.targets[:-1]):
                if alt.cond is None:
                    self.add(
                        "OWF205",
                        ("actions", aid, "to", i),
                        f"action {aid!r}: alternative {i + 1} has no `if`, so the "
                        "alternatives after it are never chosen",
                        hint="give it an `if`, or move it last",
                    )

    def final_statuses(self) -> None:
        for aid, action in self.actions.items():
            goes = {t.status for t in action.targets}
            listed = action.sources
            for sid in self.sources(action):
                status = self.statuses.get(sid)
                if not status or not status.final or not goes - {sid}:
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

    def transitions(self, actions: Iterable[m.Action] | None = None) -> set[tuple[str, str]]:
        """Every (from, to) status change the workflow (or these `actions`) can make, refunds
        included."""
        pairs: set[tuple[str, str]] = set()
        full = self.workflow.refunds.full_status
        for action in self.actions.values() if actions is None else actions:
            sources = self.sources(action)
            ends = [t.status for t in action.targets]
            pairs.update((s, t) for s in sources for t in ends if s != t)
            if full and any(isinstance(e, m.RefundEffect) for e in action.effects):
                # a refund that leaves nothing refundable moves the order to full_status,
                # from wherever the action's own `to` left it
                pairs.update((s, full) for s in ends or sources if s != full)
        return pairs

    def reachability(self) -> None:
        initial = self.workflow.initial
        edges = self.transitions()
        seen = {initial}
        todo = [initial]
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
                    f"status {sid!r} cannot be reached from the initial status {initial!r}",
                    hint="add it to the `to` of an action, or remove it",
                    severity="warning",
                    key=True,
                )

    def senders(self, eid: str) -> list[str]:
        """The actions that can send email `eid`: an `email` effect queues it, or one of its
        events can follow from the action alone (its own status changes, refunds, notes…).
        Its templates see `params` of these actions, and only these."""
        email = self.emails.get(eid)
        events = email.on if email is not None else ()
        found = []
        for aid, action in self.actions.items():
            queued = any(isinstance(e, m.EmailEffect) and e.email == eid for e in action.effects)
            only = {aid: action}
            edges = self.transitions(only.values())
            fires = (
                self.can_fire(event, edges, only, self.bare(eid, i, event))
                for i, event in enumerate(events)
            )
            if queued or any(fires):
                found.append(aid)
        return found

    def bare(self, eid: str, i: int, event: m.EventFilter) -> bool:
        """Whether email `eid`'s event `i` is written as its bare kind (`- action`: any
        action), not with a value (`- action: pay`)."""
        return not self.source.has(("emails", eid, "on", i, event.kind))

    def can_fire(
        self,
        event: m.EventFilter,
        edges: set[tuple[str, str]],
        actions: Mapping[str, m.Action] | None = None,
        bare: bool = False,
    ) -> bool:
        """Whether `event` can happen, given these `edges` and `actions` (default: all)."""
        actions = self.actions if actions is None else actions
        effects = [e for a in actions.values() for e in a.effects]
        if event.kind == "status":
            src, dst = event.sources, event.targets
            return any((src is None or s in src) and (dst is None or t in dst) for s, t in edges)
        if event.kind == "refund":
            if event.value == "partial":  # only a refund from the params can be partial
                return any(isinstance(e, m.RefundEffect) and not e.remaining for e in effects)
            return any(isinstance(e, m.RefundEffect) for e in effects)
        if event.kind == "note":
            return any(isinstance(e, m.NoteEffect) and e.customer for e in effects)
        if event.kind == "tracking":
            return any(isinstance(e, m.TrackingEffect) for e in effects)
        return bare or event.value in actions

    def emails_sent(self) -> None:
        edges = self.transitions()
        queued = {
            e.email
            for action in self.actions.values()
            for e in action.effects
            if isinstance(e, m.EmailEffect)
        }
        for eid, email in self.emails.items():
            fires = False
            for i, event in enumerate(email.on):
                if self.can_fire(event, edges, bare=self.bare(eid, i, event)):
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
            action = self.actions.get(timer.action)
            if action is None or timer.status not in self.statuses:
                continue
            if not action.allowed_from(timer.status):
                self.add(
                    "OWF110",
                    ("timers", tid, "action"),
                    f"timer {tid!r} applies action {timer.action!r}, which is not "
                    f"allowed from status {timer.status!r}",
                    hint=f"add {timer.status!r} to the action's `from`",
                )
            for param in action.params:
                written = ("actions", action.id, "params", param.name, "default")
                if param.required and not self.source.has(written):
                    self.add(
                        "OWF111",
                        ("timers", tid, "action"),
                        f"timer {tid!r} applies action {timer.action!r}, which needs "
                        f"the parameter {param.name!r} that a timer cannot give",
                        hint="give the parameter a default, or make it optional",
                    )


def check(workflow: m.Workflow, source: Source, file: str) -> list[Finding]:
    """The structural semantic findings of the model of one schema-valid file."""
    return Checker(workflow, source, file).run()
