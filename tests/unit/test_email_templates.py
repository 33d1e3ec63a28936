"""Every email of the default workflow and of the examples (English, French, German), rendered
against the sample order: subject, text and HTML are snapshotted; escaping, refund wording,
tracking, dates and money by locale are checked exactly."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from orderwf import context_names
from orderwf.engine import context as ctx
from orderwf.workflow.build import build
from orderwf.workflow.model import Email, Workflow

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = {
    "woocommerce": ROOT / "workflows" / "woocommerce.yaml",
    "french": ROOT / "workflows" / "examples" / "french.yaml",
    "digital": ROOT / "workflows" / "examples" / "digital.yaml",
    "german": ROOT / "workflows" / "examples" / "german.yaml",
}
TRACKING_URL = "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901"


def _data(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(WORKFLOWS[name].read_text(encoding="utf-8"))
    return data


@cache
def _workflow(name: str) -> Workflow:
    return build(_data(name), path=WORKFLOWS[name])


def sample_context(workflow: Workflow) -> dict[str, Any]:
    return context_names.sample_context(
        workflow=workflow.name,
        status=ctx.status_context(workflow, workflow.initial),
        shop=ctx.shop_context(workflow),
    )


def _render(email: Email, context: dict[str, Any]) -> dict[str, str]:
    assert email.text is not None, f"{email.id} has no .txt.j2 part"
    assert email.html is not None, f"{email.id} has no .html.j2 part"
    return {
        "subject": email.subject.render(context),
        "text": email.text.render(context),
        "html": email.html.render(context),
    }


EMAILS = [(name, email_id) for name in WORKFLOWS for email_id in _data(name)["emails"]]


@pytest.mark.parametrize(("workflow_name", "email_id"), EMAILS)
def test_email_renders(workflow_name: str, email_id: str, snapshot: Any) -> None:
    workflow = _workflow(workflow_name)
    rendered = _render(workflow.emails[email_id], sample_context(workflow))
    # Mail clients strip <style> blocks: every style must be inline.
    assert "<style" not in rendered["html"]
    assert rendered == snapshot


@pytest.mark.parametrize("workflow_name", WORKFLOWS)
@pytest.mark.parametrize("email_id", ["new_order", "customer_invoice"])
def test_html_in_a_name_is_escaped_in_html_and_readable_in_text(
    workflow_name: str, email_id: str
) -> None:
    workflow = _workflow(workflow_name)
    context = sample_context(workflow)
    context["order"]["billing"]["first_name"] = "<script>alert(1)</script>"
    rendered = _render(workflow.emails[email_id], context)
    assert "<script>" not in rendered["html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered["html"]
    assert "<script>alert(1)</script>" in rendered["text"]
    assert "&lt;" not in rendered["text"]


REFUND_WORDING = {
    "woocommerce": "partially refunded",
    "french": "partiellement remboursée",
    "digital": "partially refunded",
    "german": "teilweise erstattet",
}


@pytest.mark.parametrize("workflow_name", WORKFLOWS)
def test_partial_refund_says_partially(workflow_name: str) -> None:
    workflow = _workflow(workflow_name)
    rendered = _render(workflow.emails["customer_refunded_order"], sample_context(workflow))
    for part in rendered.values():
        assert REFUND_WORDING[workflow_name] in part


@pytest.mark.parametrize("workflow_name", WORKFLOWS)
def test_full_refund_does_not_say_partially(workflow_name: str) -> None:
    workflow = _workflow(workflow_name)
    context = sample_context(workflow)
    context["refund"] = {**context["refund"], "full": True, "partial": False}
    rendered = _render(workflow.emails["customer_refunded_order"], context)
    for part in rendered.values():
        assert REFUND_WORDING[workflow_name].split()[0] not in part


@pytest.mark.parametrize("workflow_name", WORKFLOWS)
def test_completed_email_links_the_tracking_page(workflow_name: str) -> None:
    workflow = _workflow(workflow_name)
    rendered = _render(workflow.emails["customer_completed_order"], sample_context(workflow))
    assert TRACKING_URL in rendered["text"]
    assert f'href="{TRACKING_URL}"' in rendered["html"]


# The sample order: created 2026-11-26 09:30 UTC, total 31, a 5.00 refund, EUR. `\u202f` is the
# narrow no-break space CLDR puts between French thousands, `\xa0` the no-break space before €.
LOCALE_FORMS = {
    "woocommerce": ("en-US", "November 26, 2026", "€31.00", "€5.00"),
    "french": ("fr-FR", "26 novembre 2026", "31,00\xa0€", "5,00\xa0€"),
    "german": ("de-DE", "26. November 2026", "31,00\xa0€", "5,00\xa0€"),
}


@pytest.mark.parametrize("workflow_name", LOCALE_FORMS)
def test_dates_money_and_html_lang_follow_the_locale(workflow_name: str) -> None:
    lang, day, total, refunded = LOCALE_FORMS[workflow_name]
    workflow = _workflow(workflow_name)
    rendered = _render(workflow.emails["customer_refunded_order"], sample_context(workflow))
    assert f'<html lang="{lang}">' in rendered["html"]
    for part in ("text", "html"):
        assert day in rendered[part]
        assert total in rendered[part]
        assert refunded in rendered[part]


def test_a_thousand_euros_in_french() -> None:
    workflow = _workflow("french")
    context = sample_context(workflow)
    context["order"]["total"] = Decimal("1234.5")
    text = _render(workflow.emails["new_order"], context)["text"]
    assert "Total : 1\u202f234,50\xa0€" in text
