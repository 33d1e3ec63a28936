"""`orderwf test`: scenario files run in memory, their findings, and what a failure shows."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from syrupy.assertion import SnapshotAssertion
from typer.testing import CliRunner

from orderwf.cli.app import get_app

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = REPO / "workflows" / "woocommerce.yaml"
INVALID = REPO / "tests" / "data" / "scenarios" / "invalid"

PASSING = """\
# yaml-language-server: $schema=../schemas/scenario.schema.json
name: pay, ship, refund one
products:
  - {sku: TS, name: T-shirt, price: "20.00", stock: 5}
order:
  email: jeanne@example.fr
  lines: [{sku: TS, quantity: 2}]
  shipping: "4.90"
steps:
  - apply: pay
    expect:
      status: processing
      stock: {TS: 3}
      emails: [new_order, customer_processing_order]
  - apply: complete
    params: {tracking_number: 6A12345678901}
    expect:
      status: completed
      emails: [{id: customer_completed_order, to: jeanne@example.fr, contains: 6A12345678901}]
      notes: ["Order status changed from Processing to Completed."]
      tracking: [6A12345678901]
  - refund: {lines: {TS: 1}, restock: true, reason: Damaged}
    expect: {total_refunded: "20.00", remaining_refundable: "24.90", stock: {TS: 4}}
  - apply: hold
    refused: not allowed
"""

FAILING = """\
name: wrong expectations
products:
  - {sku: TS, name: T-shirt, price: "20.00", stock: 5}
order:
  lines: [{sku: TS, quantity: 2}]
steps:
  - apply: pay
    expect:
      status: processing
  - apply: complete
    expect:
      status: on-hold
      stock: {TS: 5}
      emails: [customer_completed_order, new_order]
      notes: ["Order status changed from Processing to Complete."]
  - apply: cancel
"""


def run(*args: str, workflow: Path | None = WORKFLOW) -> tuple[int, str, str]:
    options = ["--workflow", str(workflow)] if workflow else []
    result = CliRunner().invoke(get_app(), [*options, *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(autouse=True)
def _here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


class _BrokenCarriers(dict[str, str]):
    def get(self, *args: object) -> str | None:  # type: ignore[override]
        raise ZeroDivisionError("division by zero")


def break_tracking(monkeypatch: pytest.MonkeyPatch) -> None:
    """An engine bug, on purpose: planning a tracking effect (the carrier's page is looked up
    in `carriers.TRACKING_URLS`) raises ZeroDivisionError; nothing else of a plan is hurt."""
    from orderwf.engine import carriers

    monkeypatch.setattr(carriers, "TRACKING_URLS", _BrokenCarriers())


def write(name: str, text: str) -> Path:
    path = Path("scenarios", name)
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_passing_scenario_is_one_line_and_exit_0() -> None:
    write("ship.yaml", PASSING)
    code, out, err = run("test")
    assert code == 0, out + err
    assert out == "ok    scenarios/ship.yaml: pay, ship, refund one (4 steps)\n"
    assert err.startswith("1 scenario, 4 steps: 1 passed (")


def test_failure_names_file_step_line_expected_and_actual(snapshot: SnapshotAssertion) -> None:
    write("ship.yaml", PASSING)
    write("wrong.yaml", FAILING)
    code, out, err = run("test")
    assert code == 1
    assert out == snapshot
    assert err.startswith("2 scenarios, 6 steps: 1 passed, 1 failed (")


def test_a_step_that_is_refused_unexpectedly_fails_with_the_reason() -> None:
    write("r.yaml", "steps:\n  - apply: pay\n  - apply: pay\n")
    code, out, _ = run("test")
    assert code == 1
    assert out.splitlines()[1] == (
        "  scenarios/r.yaml:3:5: refused: expected the step to be applied, got action 'pay' is "
        "not allowed when order #1 is Processing (allowed from: Pending payment, On hold, "
        "Failed, Cancelled)"
    )


def test_expected_refusal_that_does_not_happen_fails() -> None:
    write("r.yaml", "steps:\n  - apply: pay\n    refused: not allowed\n")
    code, out, _ = run("test")
    assert code == 1
    assert out.splitlines()[1] == (
        "  scenarios/r.yaml:3:14: refused: expected a refusal containing 'not allowed', "
        "got the step was applied (status processing)"
    )


def test_wait_runs_due_timers_as_tick_does() -> None:
    write(
        "t.yaml",
        """\
order: {via: checkout, lines: [{sku: SAMPLE, quantity: 1}]}
steps:
  - wait: 59m
    expect: {status: pending, emails: []}
  - wait: 1m
    expect:
      status: cancelled
      emails: [cancelled_order]
      notes:
        - "Unpaid order cancelled - time limit reached. Order status changed from \\
          Pending payment to Cancelled."
  - wait: 3d
    expect: {status: cancelled, emails: []}
""",
    )
    code, out, err = run("test")
    assert code == 0, out


def test_timer_condition_is_honoured() -> None:
    write("t.yaml", "order: {via: admin}\nsteps:\n  - wait: 2h\n    expect: {status: pending}\n")
    assert run("test")[0] == 0


@pytest.mark.parametrize("path", sorted(INVALID.glob("*.yaml")), ids=lambda p: p.stem)
def test_invalid_scenarios_are_located_findings_exit_2(
    path: Path, snapshot: SnapshotAssertion, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    code, out, _ = run("test", str(path.relative_to(REPO)))
    assert code == 2
    assert f"[{path.stem.split('_')[0].upper()}]" in out
    assert out == snapshot


def test_findings_in_json_and_github_formats() -> None:
    path = str(INVALID / "owt102_unknown_action.yaml")
    code, out, _ = run("test", "--format", "json", path)
    assert code == 2
    [finding] = json.loads(out)
    assert (finding["code"], finding["line"], finding["column"], finding["json_path"]) == (
        "OWT102",
        2,
        12,
        "$.steps[0].apply",
    )
    code, out, _ = run("test", "--format", "github", path)
    assert code == 2
    assert out.startswith("::error file=")
    assert ",line=2,col=12,title=orderwf OWT102::[OWT102] action 'ship'" in out


def test_no_scenarios_folder_is_a_usage_error() -> None:
    code, out, err = run("test")
    assert (code, out) == (2, "")
    assert err.startswith("error: no scenarios: scenarios/ does not exist (give scenario files")


def test_an_empty_scenarios_folder_is_a_usage_error() -> None:
    Path("scenarios").mkdir()
    code, out, err = run("test")
    assert (code, out, err) == (2, "", "error: no scenario files (*.yaml) in scenarios\n")


def test_a_workflow_that_does_not_validate_is_reported_and_nothing_runs(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        WORKFLOW.read_text(encoding="utf-8")
        .replace("templates: ../templates/emails", f"templates: {REPO}/templates/emails")
        .replace("to: cancelled\n", "to: canceled\n", 1),
        encoding="utf-8",
    )
    write("ship.yaml", PASSING)
    code, out, err = run("test", workflow=broken)
    assert code == 1
    assert "error[OWF104] action 'cancel' goes to unknown status 'canceled'" in out
    assert "nothing was run" in err


def test_an_engine_bug_is_that_scenarios_error_and_the_others_still_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    break_tracking(monkeypatch)  # a bug, on purpose
    write(
        "a.yaml",
        "steps:\n  - apply: pay\n  - apply: add_tracking\n    params: {number: AB123456}\n",
    )
    write("b.yaml", "steps:\n  - apply: pay\n    expect: {status: processing}\n")
    code, out, err = run("test")
    assert code == 1
    assert out.splitlines() == [
        "ERROR scenarios/a.yaml: a: step 2 (apply add_tracking), line 3",
        "  scenarios/a.yaml:3:5: internal error: ZeroDivisionError: division by zero",
        "ok    scenarios/b.yaml: b (1 step)",
    ]
    assert "1 passed, 1 error" in err


def test_json_output_has_each_scenario_and_its_failure() -> None:
    write("ship.yaml", PASSING)
    write("wrong.yaml", FAILING)
    code, out, _ = run("test", "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert (data["passed"], data["failed"], data["error"]) == (1, 1, 0)
    ok, wrong = data["scenarios"]
    assert (ok["file"], ok["outcome"], ok["steps_run"], ok["failure"]) == (
        "scenarios/ship.yaml",
        "passed",
        4,
        None,
    )
    assert wrong["failure"]["step"] == 2
    assert wrong["failure"]["line"] == 10
    assert wrong["failure"]["problems"][0] == {
        "line": 12,
        "column": 15,
        "what": "status",
        "expected": "on-hold",
        "actual": "completed",
        "message": "status: expected on-hold, got completed",
    }


def test_junit_xml_has_one_testcase_per_scenario() -> None:
    write("ship.yaml", PASSING)
    write("wrong.yaml", FAILING)
    code, _, _ = run("test", "--junit-xml", "report.xml")
    assert code == 1
    root = ET.parse("report.xml").getroot()
    assert (root.tag, root.get("tests"), root.get("failures"), root.get("errors")) == (
        "testsuites",
        "2",
        "1",
        "0",
    )
    [suite] = root.findall("testsuite")
    assert suite.get("name") == "workflow woocommerce"
    ok, wrong = suite.findall("testcase")
    assert ok.get("name") == "scenarios/ship.yaml: pay, ship, refund one"
    assert ok.find("failure") is None
    failure = wrong.find("failure")
    assert failure is not None
    assert failure.get("message") == (
        "step 2 (apply complete), line 10: status: expected on-hold, got completed"
    )
    assert "scenarios/wrong.yaml:13:19: step 2 (apply complete), line 10: stock of TS: " in (
        failure.text or ""
    )


def test_github_format_annotates_the_failing_line() -> None:
    write("wrong.yaml", FAILING)
    code, out, _ = run("test", "--format", "github")
    assert code == 1
    assert out.splitlines()[0] == (
        "::error file=scenarios/wrong.yaml,line=12,col=15,title=orderwf test%3A wrong "
        "expectations::step 2 (apply complete), line 10: status: expected on-hold, got completed"
    )


def test_unwritable_junit_path_is_a_usage_error() -> None:
    write("ship.yaml", PASSING)
    code, _, err = run("test", "--junit-xml", "missing/dir/report.xml")
    assert code == 2
    assert "error: cannot write missing/dir/report.xml: No such file" in err


def test_coverage_lists_what_was_never_exercised(snapshot: SnapshotAssertion) -> None:
    write(
        "c.yaml",
        """\
order: {billing: {email: ""}}
steps:
  - apply: cancel
  - apply: send_order_details
    refused: no billing email
""",
    )
    code, out, err = run("test", "--coverage")
    assert code == 0
    assert out.replace(str(REPO), "<repo>") == snapshot
    code, out, err = run("test", "--coverage", "--fail-under", "3")
    assert code == 0
    code, out, err = run("test", "--coverage", "--fail-under", "50")
    assert code == 1
    assert err.splitlines()[-1] == (
        "error: transition coverage of workflow 'woocommerce' is 3.0 %, under --fail-under 50"
    )


def test_coverage_in_json() -> None:
    write("c.yaml", "steps:\n  - apply: hold\n  - apply: send_order_details\n")
    code, out, _ = run("test", "--coverage", "--format", "json")
    assert code == 0
    coverage = json.loads(out)["coverage"]["woocommerce"]
    assert coverage["transitions"]["covered"] == 1
    assert coverage["transitions"]["declared"] == 33
    assert "hold: pending → on-hold" not in coverage["transitions"]["missing"]
    assert coverage["statuses"]["missing"] == [
        "processing",
        "completed",
        "cancelled",
        "refunded",
        "failed",
    ]
    # the guard held, but was never seen failing
    assert coverage["guards"]["missing"] == [
        "send_order_details[0] (order.billing.email): never seen failing"
    ]


def test_fail_under_needs_coverage() -> None:
    write("c.yaml", "steps:\n  - apply: hold\n")
    code, _, err = run("test", "--fail-under", "90")
    assert code == 2
    assert err == "error: --fail-under needs --coverage\n"


def test_shipped_scenarios_cover_every_transition(monkeypatch: pytest.MonkeyPatch) -> None:
    """What CI runs: the repository's scenarios, the default and example workflows."""
    monkeypatch.chdir(REPO)
    code, out, err = run("test", "--coverage", "--fail-under", "100", workflow=None)
    assert code == 0, out + err
    assert "transitions   33 of 33  100.0 %" in out
    assert {line.split()[0] for line in out.splitlines() if line.endswith("steps)")} == {"ok"}
    for name in ("woocommerce", "boutique-fr", "digital"):
        assert f"coverage of workflow {name} " in out


def test_pre_commit_offers_orderwf_test() -> None:
    import yaml

    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["orderwf-test"]["entry"] == "orderwf test"
    assert hooks["orderwf-test"]["pass_filenames"] is False
    assert "scenarios" in hooks["orderwf-test"]["files"]


def _shop_with_template(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """A copy of the default workflow and its templates, with one template changed."""
    import shutil

    shutil.copytree(REPO / "templates" / "emails", tmp_path / "templates" / "emails")
    (tmp_path / "workflows").mkdir()
    shutil.copy(WORKFLOW, tmp_path / "workflows" / "woocommerce.yaml")
    template = tmp_path / "templates" / "emails" / name
    text = template.read_text(encoding="utf-8")
    assert old in text
    template.write_text(text.replace(old, new), encoding="utf-8")
    return tmp_path / "workflows" / "woocommerce.yaml"


def test_explore_finds_a_template_that_only_renders_with_a_refund(tmp_path: Path) -> None:
    """The validator renders every template against a sample order that has a refund; an order
    that reaches `customer_completed_order` without one has no `refund` to read."""
    workflow = _shop_with_template(
        tmp_path,
        "customer_completed_order.txt.j2",
        "Thanks for shopping with {{ shop.name }}.",
        "Thanks for shopping with {{ shop.name }}. Refunded: {{ refund.amount }}.",
    )
    assert run("validate", str(workflow), workflow=None)[0] == 0
    code, out, _ = run("test", "--explore", "--save", "found", workflow=workflow)
    assert code == 1
    lines = out.splitlines()
    assert lines[1] == (
        "VIOLATION email 'customer_completed_order' did not render: template "
        "customer_completed_order.txt.j2 failed: undefined name: 'refund' is undefined"
    )
    assert lines[2] == "  path (shipped order): complete"
    assert lines[3] == "  saved: found/woocommerce-1.yaml"
    # The saved scenario replays the path and fails where the exploration did.
    code, out, _ = run("test", "found", workflow=workflow)
    assert code == 1
    assert out.splitlines()[1] == (
        "  found/woocommerce-1.yaml:17:5: invariant broken: email 'customer_completed_order' "
        "did not render: template customer_completed_order.txt.j2 failed: undefined name: "
        "'refund' is undefined"
    )


def test_explore_save_into_a_file_is_a_usage_error(tmp_path: Path) -> None:
    workflow = _shop_with_template(
        tmp_path,
        "customer_completed_order.txt.j2",
        "Thanks for shopping with {{ shop.name }}.",
        "{{ refund.amount }}",
    )
    Path("found").write_text("not a folder", encoding="utf-8")
    code, _, err = run("test", "--explore", "--save", "found", workflow=workflow)
    assert code == 2
    assert err == "error: cannot write scenarios in found: File exists\n"


def test_explore_of_the_shipped_workflows_reaches_every_pair(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(REPO)
    code, out, err = run("test", "--explore", workflow=None)
    assert code == 0, out + err
    assert "VIOLATION" not in out
    assert [line for line in out.splitlines() if line.startswith("pairs")] == [
        "pairs reached: 25 of 25 declared",
        "pairs reached: 52 of 52 declared",
        "pairs reached: 52 of 52 declared",
    ]


def test_explore_lists_the_pairs_it_did_not_reach(snapshot: SnapshotAssertion) -> None:
    code, out, _ = run("test", "--explore", "--depth", "1", "--format", "text")
    assert code == 0
    assert out.replace(str(REPO), "<repo>") == snapshot


def test_explore_json() -> None:
    code, out, _ = run("test", "--explore", "--format", "json")
    assert code == 0
    [report] = json.loads(out)["explore"]
    assert (report["workflow"], report["violations"], report["unreachable"]) == (
        "woocommerce",
        [],
        [],
    )
    assert report["pairs_reached"] == report["pairs_declared"] == 52


def test_explore_reports_an_engine_bug_as_a_violation(monkeypatch: pytest.MonkeyPatch) -> None:
    break_tracking(monkeypatch)  # a bug, on purpose
    code, out, _ = run("test", "--explore")
    assert code == 1
    assert "VIOLATION internal error: ZeroDivisionError: division by zero" in out
    assert "  path (shipped order): complete (tracking_number=SAMPLE123, carrier=colissimo)" in out


def test_explore_of_an_invalid_workflow_reports_its_findings(tmp_path: Path) -> None:
    workflow = _shop_with_template(tmp_path, "customer_note.txt.j2", "{% extends", "{% extends {{")
    code, out, err = run("test", "--explore", workflow=workflow)
    assert code == 1
    assert "error[OWF503]" in out
    assert "explore" not in out
    assert "nothing was run" in err


def test_save_needs_explore() -> None:
    code, _, err = run("test", "--save", "out")
    assert (code, err) == (2, "error: --save needs --explore\n")


@pytest.mark.parametrize("locale", ["en_US", "fr_FR", "de_DE"])
def test_the_three_features_work_from_a_fresh_init_folder(
    locale: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`orderwf init` writes a scenario of its own workflow: it passes, in every language."""
    assert run("init", "shop", "--locale", locale, workflow=None)[0] == 0
    monkeypatch.chdir(tmp_path / "shop")
    first = Path("scenarios/ship-then-refund.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/scenario.schema.json"
    assert Path("schemas/scenario.schema.json").is_file()
    code, out, err = run("test", "--coverage", "--junit-xml", "report.xml", workflow=None)
    assert code == 0, out + err
    assert (
        out.splitlines()[0] == "ok    scenarios/ship-then-refund.yaml: ship-then-refund (4 steps)"
    )
    assert "coverage of workflow shop (workflows/shop.yaml):" in out
    assert ET.parse("report.xml").getroot().get("tests") == "1"
    code, out, err = run("test", "--explore", workflow=None)
    assert code == 0, out + err
    assert out.splitlines()[-1] == "pairs reached: 52 of 52 declared"


def test_in_a_project_scenarios_find_its_workflows_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scenario without `workflow:` runs the project's default; one with it, that workflow
    of the project's folder; the folder is the project's `scenarios` setting."""
    import shutil

    assert run("init", "shop", workflow=None)[0] == 0
    root = tmp_path / "shop"
    digital = (REPO / "workflows" / "examples" / "digital.yaml").read_text(encoding="utf-8")
    (root / "workflows" / "digital.yaml").write_text(
        digital.replace("templates: ../../templates/emails", "templates: ../templates/emails"),
        encoding="utf-8",
    )
    shutil.rmtree(root / "scenarios")
    (root / "checks").mkdir()
    toml = root / "orderwf.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('scenarios = "scenarios"', 'scenarios = "checks"'),
        encoding="utf-8",
    )
    (root / "checks" / "default.yaml").write_text(
        "steps:\n  - apply: hold\n    expect: {status: on-hold}\n", encoding="utf-8"
    )
    (root / "checks" / "digital.yaml").write_text(
        "workflow: digital\nsteps:\n  - apply: hold\n    refused: unknown action\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(root / "workflows")  # below the project: it is found all the same
    code, out, err = run("test", "--coverage", workflow=None)
    assert code == 2, out + err  # the digital workflow has no `hold`: a finding, located
    assert "checks/digital.yaml:3:12: error[OWT102] action 'hold' is not" in out
    (root / "checks" / "digital.yaml").write_text(
        "workflow: digital\nsteps:\n  - apply: pay\n    expect: {status: completed}\n",
        encoding="utf-8",
    )
    code, out, err = run("test", "--coverage", workflow=None)
    assert code == 0, out + err
    assert "coverage of workflow shop (shop.yaml):" in out
    assert "coverage of workflow digital (digital.yaml):" in out
