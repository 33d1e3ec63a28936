"""The languages orderwf ships a whole shop in (SPEC §11): for a locale, the workflow file to
start from (its labels, notes, guard messages, subjects and system messages) and its email
templates folder. `orderwf init --locale` asks `starter` and copies what it names. A new
language is a workflow file and a templates folder added to `SHIPPED`: no other code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from orderwf import resources
from orderwf.errors import UsageError

DEFAULT = "en_US"
# locale → (workflow file, email templates folder), relative to the data root (`resources`)
SHIPPED: dict[str, tuple[Path, Path]] = {
    "en_US": (resources.DEFAULT_WORKFLOW, resources.TEMPLATES),
    "fr_FR": (Path("workflows", "examples", "french.yaml"), resources.TEMPLATES / "fr"),
    "de_DE": (Path("workflows", "examples", "german.yaml"), resources.TEMPLATES / "de"),
}


@dataclass(frozen=True)
class Starter:
    """What a shop in one language starts from."""

    locale: str
    workflow: Path
    templates: Path

    def workflow_text(self, *, name: str, templates: str = "../templates/emails") -> str:
        """The workflow file as the new shop keeps it, as `workflows/<file>.yaml`: named
        `name`, its templates in `templates`, the schema in `../schemas/`."""
        text = self.workflow.read_text(encoding="utf-8")
        text = re.sub(
            r"^(# yaml-language-server: \$schema=).*$",
            r"\g<1>../schemas/workflow.schema.json",
            text,
            count=1,
            flags=re.M,
        )
        text = re.sub(r"^name: .*$", f"name: {name}", text, count=1, flags=re.M)
        return re.sub(r"^templates: .*$", f"templates: {templates}", text, count=1, flags=re.M)


def starter(locale: str = DEFAULT) -> Starter:
    """The starter shop of `locale` (`fr_FR`; `fr` and `fr-FR` are taken for it too)."""
    chosen = _match(locale)
    if chosen is None:
        raise UsageError(
            f"--locale {locale!r}: orderwf ships a starter shop in {', '.join(sorted(SHIPPED))}; "
            "for another language, start from one and translate its workflow and templates"
        )
    workflow, templates = SHIPPED[chosen]
    return Starter(chosen, resources.find(workflow), resources.find(templates))


def _match(locale: str) -> str | None:
    wanted = locale.strip().replace("-", "_").lower()
    for name in SHIPPED:
        if wanted in (name.lower(), name.split("_")[0].lower()):
            return name
    return None
