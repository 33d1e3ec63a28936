"""The checks of everything a workflow renders, run on its typed model: each `if` expression
and each string template (notes, guard messages, subjects, tracking fields, metadata, timer
notes, the system messages the file sets) and each email template file. Each one is compiled
in the sandbox, its names are checked against the names its context provides
(`context_names.CONTEXT_NAMES`), and it is rendered against `context_names.sample_context`
under StrictUndefined, with a sample of each param the engine gives the action, so an
undefined name is found here and not in a customer's mailbox."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from orderwf import l10n, templating
from orderwf.context_names import CONTEXT_NAMES, MESSAGE_NAMES, sample_context
from orderwf.suggest import did_you_mean
from orderwf.workflow import model as m
from orderwf.workflow.build import email_template_paths
from orderwf.workflow.checks import Checker
from orderwf.workflow.findings import Collector, Finding, display_path, json_path
from orderwf.workflow.yamlsrc import JsonPath, Source

# Samples of the params an action that refunds from the params takes without declaring them
# (SPEC §2.3; `model.REFUND_PARAMS`).
REFUND_PARAMS: Mapping[str, Any] = {
    "amount": Decimal("5.00"),
    "lines": [],
    "restock": True,
    "reason": "Damaged",
}
_SAMPLES: Mapping[str, Any] = {
    "string": "SAMPLE123",
    "integer": 1,
    "decimal": Decimal("1.00"),
    "boolean": True,
    "date": date(2026, 11, 26),
}
_QUOTED = re.compile(r"'([A-Za-z_][A-Za-z0-9_]*)'")
_NO_ATTRIBUTE = re.compile(r"has no attribute '([^']+)'")


def _siblings(source: str, attribute: str, context: Mapping[str, Any]) -> set[str]:
    """The keys of the object(s) `source` reads `attribute` from (`order.billing.prenom` →
    the keys of `order.billing`), for did-you-mean hints: a close name from another object
    (`prenom` → `from`) misleads more than no hint. Empty when the object is not found in
    the context (a loop variable, an expression)."""
    keys: set[str] = set()
    for match in re.finditer(rf"([A-Za-z_][\w.]*)\.{re.escape(attribute)}\b", source):
        value: Any = context
        for part in match[1].split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        if isinstance(value, Mapping):
            keys.update(str(k) for k in value)
    return keys


@dataclass(frozen=True)
class Text:
    """One expression or string template of the workflow file."""

    path: JsonPath
    source: str
    expression: bool = False
    names: Mapping[str, Any] = field(default_factory=dict)  # extra names and their samples


def sample_params(action: m.Action) -> dict[str, Any]:
    """A sample of each param the engine gives `action` (`Action.declared_params`): its own,
    and a refund's when it refunds from the params."""
    params: dict[str, Any] = {}
    if action.has_refund:
        params.update(REFUND_PARAMS)
    for param in action.params:
        if param.default is not None:
            params[param.name] = param.default
        elif param.enum:
            params[param.name] = param.enum[0]
        else:
            params[param.name] = _SAMPLES.get(param.type, "SAMPLE")
    return params


def _effect_texts(
    path: JsonPath, effect: m.Effect, source: Source
) -> Iterator[tuple[JsonPath, str]]:
    """(path, source) of each template of one effect."""
    if isinstance(effect, m.NoteEffect):
        text = (*path, "note", "text")
        yield (text if source.has(text) else (*path, "note")), effect.text.source
    elif isinstance(effect, m.TrackingEffect):
        for key in ("number", "carrier", "url", "shipped_on"):
            template = getattr(effect, key)
            if template is not None:
                yield (*path, "tracking", key), template.source
    elif isinstance(effect, m.RefundEffect) and effect.reason is not None:
        yield (*path, "refund", "reason"), effect.reason.source
    elif isinstance(effect, m.SetEffect):
        for key, template in effect.values:
            yield (*path, "set", key), template.source


def _action_texts(aid: str, action: m.Action, source: Source) -> Iterator[Text]:
    base: JsonPath = ("actions", aid)
    params = {"params": sample_params(action)}
    if source.has((*base, "to", 0)):  # alternatives, not `to: status`
        for i, alt in enumerate(action.targets):
            if alt.cond is not None:
                yield Text((*base, "to", i, "if"), alt.cond.source, True, params)
    for i, guard in enumerate(action.guards):
        yield Text((*base, "guard", i, "if"), guard.cond.source, True, params)
        yield Text((*base, "guard", i, "message"), guard.message.source, False, params)
    for i, effect in enumerate(action.effects):
        path: JsonPath = (*base, "effects", i)
        if effect.cond is not None:
            yield Text((*path, "if"), effect.cond.source, True, params)
        for at, text in _effect_texts(path, effect, source):
            yield Text(at, text, False, params)


def texts(workflow: m.Workflow, source: Source) -> Iterator[Text]:
    """Every expression and string template the file writes, with where it is and what it
    sees."""
    for aid, action in workflow.actions.items():
        yield from _action_texts(aid, action, source)
    for eid, email in workflow.emails.items():
        if source.has(("emails", eid, "subject")):
            yield Text(("emails", eid, "subject"), email.subject.source)
        if email.to_template is not None:
            yield Text(("emails", eid, "to"), email.to_template.source)
    for tid, timer in workflow.timers.items():
        if timer.cond is not None:
            yield Text(("timers", tid, "if"), timer.cond.source, True)
        if timer.note is not None:
            yield Text(("timers", tid, "note"), timer.note.source)
    for key, template in workflow.messages.items():
        if source.has(("messages", key)):  # the defaults are orderwf's, known good
            yield Text(("messages", key), template.source, False, MESSAGE_NAMES.get(key, {}))


def workflow_sample_context(workflow: m.Workflow) -> dict[str, Any]:
    """`sample_context` for `workflow`: its name, initial status and shop (an undeclared
    initial status, which `checks` reports, is shown by its id as the engine shows one). A
    locale or time zone that is not known (a finding of `checks`) is replaced by the default
    here, so that every template using a filter does not fail a second time for it."""
    status = workflow.status(workflow.initial)
    shop = workflow.shop
    locale = str(shop.locale)
    locale = l10n.DEFAULT_LOCALE if l10n.locale_problem(locale) else locale
    timezone = str(shop.timezone)
    timezone = l10n.DEFAULT_TIMEZONE if l10n.timezone_problem(timezone) else timezone
    return sample_context(
        workflow=workflow.name,
        status={"id": status.id, "label": status.label, "paid": bool(status.paid)},
        shop={
            "name": shop.name,
            "email": shop.email,
            "from": shop.sender,
            "currency": shop.currency,
            "locale": locale,
            "timezone": timezone,
            "lang": locale.replace("_", "-"),
        },
    )


def _expression_problem(source: str) -> str | None:
    try:
        templating.compile_expr(source)
    except templating.TemplateProblem as e:
        return e.message
    return None


def _code_of_failure(message: str) -> str:
    return "OWF405" if "not allowed in the sandbox" in message else "OWF404"


def _guess_line(source: str, message: str) -> int:
    """The first line of `source` naming what the error message quotes (Jinja2 does not
    give a line for an undefined attribute)."""
    for word in reversed(_QUOTED.findall(message)):
        for number, line in enumerate(source.splitlines(), start=1):
            if re.search(rf"\b{re.escape(word)}\b", line):
                return number
    return 1


class TextChecker(Collector):
    def __init__(self, workflow: m.Workflow, source: Source, file: str) -> None:
        super().__init__(source, file)
        self.workflow = workflow
        self.context = workflow_sample_context(workflow)
        self.graph = Checker(workflow, source, file)  # which actions send each email
        self._senders: dict[str, list[tuple[list[str], dict[str, Any]]]] = {}

    def run(self) -> list[Finding]:
        for text in texts(self.workflow, self.source):
            self.text(text)
        self.email_files()
        return self.findings

    def names_ok(self, text: Text, used: frozenset[str]) -> bool:
        allowed = CONTEXT_NAMES | set(text.names)
        unknown = sorted(used - allowed)
        for name in unknown:
            self.add(
                "OWF403",
                text.path,
                f"{name!r} is not a name {self._what(text)} can use",
                hint=did_you_mean(name, allowed) or f"names: {', '.join(sorted(allowed))}",
            )
        return not unknown

    @staticmethod
    def _what(text: Text) -> str:
        return "an expression" if text.expression else "a template"

    def text(self, text: Text) -> None:
        if not text.expression and "{" not in text.source:
            return  # plain text: no syntax, no names, nothing that can fail
        try:
            if text.expression:
                # rendered as a condition, so an undefined name fails as it would in an `if`
                compiled = templating.compile_template(f"{{% if ({text.source}) %}}{{% endif %}}")
            else:
                compiled = templating.compile_template(text.source)
        except templating.TemplateProblem as e:
            message = e.message
            if text.expression:  # compile it alone for a message about the expression
                message = _expression_problem(text.source) or message
            self.add("OWF401" if text.expression else "OWF402", text.path, message)
            return
        if not self.names_ok(text, compiled.own_names):
            return
        if text.path[0] == "emails":
            self.render_email(
                compiled,
                str(text.path[1]),
                lambda _e, m, h: self.add("OWF404", text.path, m, hint=h),
                what=f"{self._what(text)} {text.source!r}",
                other=lambda e: self.failed(text, e.message),
            )
            return
        context = {**self.context, **text.names}
        try:
            compiled.render(context)
        except templating.TemplateProblem as e:
            self.failed(text, e.message)

    def senders(self, eid: str) -> list[tuple[list[str], dict[str, Any]]]:
        """The actions that can send email `eid`, grouped by their sample params (actions
        with the same params render the same); one group with no params when none sends
        it (OWF203 says so)."""
        if eid not in self._senders:
            groups: dict[str, tuple[list[str], dict[str, Any]]] = {}
            for aid in self.graph.senders(eid):
                params = sample_params(self.workflow.actions[aid])
                groups.setdefault(repr(sorted(params.items())), ([], params))[0].append(aid)
            self._senders[eid] = list(groups.values()) or [([], {})]
        return self._senders[eid]

    def render_email(
        self,
        compiled: templating.CompiledTemplate,
        eid: str,
        add: Callable[[templating.TemplateProblem, str, str | None], None],
        *,
        what: str,
        other: Callable[[templating.TemplateProblem], None],
    ) -> None:
        """Render a part of email `eid` (its subject, its recipient, a template file) with
        the params of each action that sends it. `add(error, message, hint)` reports a param
        that some sending actions do not declare, naming them; `other(error)` reports any
        other failure (the first one)."""
        groups = self.senders(eid)
        lacking: list[str] = []  # the actions without the param the first failure reads
        first: tuple[templating.TemplateProblem, str] | None = None
        for actions, params in groups:
            try:
                compiled.render({**self.context, "params": params})
            except templating.TemplateProblem as e:
                missing = _NO_ATTRIBUTE.search(e.message)
                name = missing[1] if missing else ""
                if not missing or f"params.{name}" not in compiled.source or name in params:
                    other(e)
                    return
                if first is None:
                    first = (e, name)
                if name == first[1]:
                    lacking += actions
        if first is None:
            return
        error, name = first
        known = sorted({p for _, params in groups for p in params})
        one = len(lacking) == 1
        add(
            error,
            f"{what} uses params.{name}, which {'action' if one else 'actions'} "
            f"{', '.join(repr(a) for a in lacking)} ({'it sends' if one else 'they send'} "
            f"email {eid!r}) {'does' if one else 'do'} not declare",
            (
                f"declare {name!r} in {'it' if one else 'them'} too, or send the email "
                "only from actions that declare it"
            )
            if name in known
            else did_you_mean(name, known) or f"declared params: {', '.join(known) or 'none'}",
        )

    def failed(self, text: Text, message: str) -> None:
        what = f"{self._what(text)} {text.source!r}"
        missing = _NO_ATTRIBUTE.search(message)
        params = text.names.get("params", {})
        if missing and f"params.{missing[1]}" in text.source and missing[1] not in params:
            declared = ", ".join(params) or "none"
            self.add(
                "OWF404",
                text.path,
                f"{what} uses params.{missing[1]}, which the action does not declare",
                hint=did_you_mean(missing[1], params) or f"declared params: {declared}",
            )
        elif missing:
            self.add(
                "OWF404",
                text.path,
                f"{what} uses {missing[1]!r}, which is undefined",
                hint=self.hint(message, text.source, text.names),
            )
        else:
            message = message.split(" failed: ", 1)[-1]
            self.add(_code_of_failure(message), text.path, f"{what} failed: {message}")

    def hint(self, message: str, source: str, extra: Mapping[str, Any] | None = None) -> str | None:
        missing = _NO_ATTRIBUTE.search(message)
        if not missing:
            return None
        context = {**self.context, **(extra or {})}
        return did_you_mean(missing[1], _siblings(source, missing[1], context))

    # -- email template files ------------------------------------------------------------

    def add_in(
        self, path: Path, line: int, code: str, message: str, hint: str | None = None
    ) -> None:
        self.findings.append(
            Finding(display_path(path), line, 1, "error", code, message, hint, json_path(()))
        )

    def email_files(self) -> None:
        emails = self.workflow.emails
        if not emails:
            return
        folder, templates_dir = self.workflow.templates, self.workflow.templates_dir
        if folder is None or templates_dir is None:
            self.add(
                "OWF502",
                ("emails",),
                "the workflow has emails but no `templates` folder for their parts",
                hint="add e.g. `templates: ../templates/emails`",
                key=True,
            )
            return
        if not templates_dir.is_dir():
            self.add(
                "OWF502",
                ("templates",),
                f"templates folder {folder!r} does not exist ({display_path(templates_dir)})",
            )
            return
        bases = sorted({p.name.split(".")[0] for p in templates_dir.glob("*.j2")})
        for eid, email in emails.items():
            base = email.template
            parts = [p for p in email_template_paths(templates_dir, base) if p.is_file()]
            if not parts:
                written = self.source.has(("emails", eid, "template"))
                at: JsonPath = ("emails", eid, "template") if written else ("emails", eid)
                self.add(
                    "OWF501",
                    at,
                    f"email {eid!r} has no template: expected {base}.txt.j2 or "
                    f"{base}.html.j2 in {display_path(templates_dir)}",
                    hint=did_you_mean(base, bases),
                    key=not written,
                )
            for part in parts:
                self.email_part(templates_dir, part, eid)

    def email_part(self, templates_dir: Path, part: Path, eid: str) -> None:
        try:
            template = templating.load_email_template(templates_dir, part.name)
        except templating.TemplateProblem as e:
            self.add_in(part, e.lineno or 1, "OWF503", e.message)
            return
        unknown = sorted(template.own_names - CONTEXT_NAMES)
        for name in unknown:
            line = _guess_line(template.source, f"'{name}'")
            self.add_in(
                part,
                line,
                "OWF504",
                f"{name!r} is not a name an email template can use",
                did_you_mean(name, CONTEXT_NAMES),
            )
        if unknown:
            return

        def param(e: templating.TemplateProblem, message: str, hint: str | None) -> None:
            line = e.lineno or _guess_line(template.source, e.message)
            self.add_in(part, line, "OWF505", message, hint)

        def other(e: templating.TemplateProblem) -> None:
            if self.in_partial(templates_dir, part, e):
                return
            line = e.lineno or _guess_line(template.source, e.message)
            code = _email_failure_code(e.message)
            self.add_in(part, line, code, e.message, self.hint(e.message, template.source))

        self.render_email(template, eid, param, what=f"template {part.name!r}", other=other)

    def in_partial(self, templates_dir: Path, part: Path, e: templating.TemplateProblem) -> bool:
        """Report a failure that happened in another template file than the email part (a
        partial it extends, includes or imports) at that file's line, in words that do not
        name the part: each email using the partial reports the same finding, which
        `findings.sort` keeps once. False when the failure happened in the part itself (or
        Jinja2 does not say where)."""
        if e.where is None:
            return False
        failed, line = Path(e.where[0]), e.where[1]
        try:
            if failed.resolve() == part.resolve():
                return False
            name = failed.resolve().relative_to(templates_dir.resolve()).as_posix()
        except (OSError, ValueError):
            name = failed.name
        if e.syntax:
            code, message, hint = "OWF503", f"template {name}: {e.reason}", None
        else:
            code = _email_failure_code(e.message)
            message = f"template {name} failed: {e.reason}"
            try:
                source = failed.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                source = ""
            hint = self.hint(e.message, source)
        self.add_in(failed, line, code, message, hint)  # one finding: `findings.sort`
        return True


def _email_failure_code(message: str) -> str:
    """An email template's failure while rendering: OWF505 (it fails) or OWF506 (the sandbox
    refused it), from what `_code_of_failure` says of an inline template's."""
    return {"OWF404": "OWF505", "OWF405": "OWF506"}[_code_of_failure(message)]


def check(workflow: m.Workflow, source: Source, file: str) -> list[Finding]:
    """The findings of every expression, template and email template file of `workflow`."""
    return TextChecker(workflow, source, file).run()
