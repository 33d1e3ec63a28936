"""An error in an edited partial (a template the emails extend, include or import) is
reported at the partial's own file and line, once, not against each email using it
(docs/validation.md, "Email template files")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shop import run

DETAILS = "templates/emails/_order_details.txt.j2"


def _insert(path: Path, after: int, line: str) -> None:
    """`line` inserted after line `after` of `path` (0: at the top)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(after, line + "\n")
    path.write_text("".join(lines), encoding="utf-8")


def _findings() -> list[dict[str, object]]:
    result = run("validate", "--format", "json")
    assert result.exit_code == 1, (result.stdout, result.stderr)
    found: list[dict[str, object]] = json.loads(result.stdout)
    return found


@pytest.mark.parametrize(
    ("edit", "line", "code", "message"),
    [
        (
            "{{ order.number | nosuchfilter }}",
            3,
            "OWF503",
            "template _order_details.txt.j2: syntax error: No filter named 'nosuchfilter'.",
        ),
        ("{{ order.adress_1 }}", 3, "OWF505", "template _order_details.txt.j2 failed: undefined"),
        (
            "{{ 'a' * 10**10 }}",
            3,
            "OWF506",
            "template _order_details.txt.j2 failed: not allowed in the sandbox",
        ),
    ],
    ids=["unknown-filter", "undefined-attribute", "sandbox"],
)
def test_an_error_in_a_partial_is_reported_once_at_the_partial(
    folder: Path, edit: str, line: int, code: str, message: str
) -> None:
    _insert(folder / DETAILS, 2, edit)
    [finding] = _findings()  # once, though ten emails include the partial
    assert (finding["path"], finding["line"], finding["code"]) == (DETAILS, line, code)
    assert str(finding["message"]).startswith(message)


def test_an_unclosed_block_in_a_partial_is_reported_at_the_partial(folder: Path) -> None:
    _insert(folder / DETAILS, 2, "{% if order.number %}")
    [finding] = _findings()
    assert (finding["path"], finding["code"]) == (DETAILS, "OWF503")
    assert finding["line"] == len((folder / DETAILS).read_text(encoding="utf-8").splitlines())
    assert "template _order_details.txt.j2: syntax error: Unexpected end of template" in str(
        finding["message"]
    )


def test_an_error_in_a_layout_is_reported_at_the_layout(folder: Path) -> None:
    layout = "templates/emails/_layout.html.j2"
    _insert(folder / layout, 3, "{{ shop.nme }}")  # after its comment and doctype
    [finding] = _findings()
    assert (finding["path"], finding["line"], finding["code"]) == (layout, 4, "OWF505")
    assert finding["hint"] == "did you mean 'name'?"


def test_an_error_in_the_email_itself_stays_at_the_email(folder: Path) -> None:
    email = "templates/emails/new_order.txt.j2"
    _insert(folder / email, 0, "{{ order.number | nosuchfilter }}")
    [finding] = _findings()
    assert (finding["path"], finding["line"], finding["code"]) == (email, 1, "OWF503")
