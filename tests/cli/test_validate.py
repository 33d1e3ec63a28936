from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion
from typer.testing import CliRunner

from orderwf.cli.app import get_app

REPO = Path(__file__).resolve().parents[2]
INVALID = "tests/data/workflows/invalid"


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(get_app(), list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_default_folder_is_clean() -> None:
    code, out, err = run("validate")
    assert (code, out) == (0, "")
    assert err.endswith("checked: no problems found\n")


def test_errors_exit_1_with_sorted_findings_of_all_files(snapshot: SnapshotAssertion) -> None:
    code, out, err = run(
        "validate", f"{INVALID}/owf104_unknown_to.yaml", f"{INVALID}/many_problems.yaml"
    )
    assert code == 1
    assert out == snapshot
    assert err == "2 files checked: 5 errors, 4 warnings\n"


def test_warnings_pass_unless_strict() -> None:
    path = f"{INVALID}/owf202_unreachable.yaml"
    assert run("validate", path)[0] == 0
    assert run("validate", "--strict", path)[0] == 1


def test_json_format() -> None:
    code, out, _ = run("validate", "--format", "json", f"{INVALID}/owf104_unknown_to.yaml")
    assert code == 1
    findings = json.loads(out)
    assert [
        (f["code"], f["severity"], f["line"], f["column"], f["json_path"]) for f in findings
    ] == [
        ("OWF202", "warning", 11, 3, "$.statuses.done"),
        ("OWF104", "error", 20, 9, "$.actions.ship.to"),
    ]
    assert set(findings[0]) == {
        "path",
        "line",
        "column",
        "severity",
        "code",
        "message",
        "hint",
        "json_path",
    }


def test_github_format(snapshot: SnapshotAssertion) -> None:
    code, out, err = run("validate", "--format", "github", f"{INVALID}/owf107_unknown_email.yaml")
    assert code == 1
    assert err == ""
    assert out == snapshot


def test_missing_path_exits_2_with_one_sentence() -> None:
    code, out, err = run("validate", "workflows/nope.yaml")
    assert (code, out) == (2, "")
    assert err == "error: path workflows/nope.yaml does not exist\n"


def test_a_hostile_file_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.yaml"
    path.write_text(f"orderwf: !!python/object/apply:os.system ['touch {marker}']\n")
    code, out, _ = run("validate", str(path))
    assert code == 1
    assert "error[OWF004]" in out
    assert not marker.exists()


def test_not_yaml_is_a_finding(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(b"\x00\xff\xfe")
    code, out, _ = run("validate", str(path))
    assert code == 1
    assert "error[OWF001]" in out


def test_no_cache_option(isolated_cache: Path) -> None:
    assert run("validate", "--no-cache", "workflows/woocommerce.yaml")[0] == 0
    assert not (isolated_cache / "validated").exists()
    assert run("validate", "workflows/woocommerce.yaml")[0] == 0
    assert (isolated_cache / "validated").exists()


def test_help(snapshot: SnapshotAssertion) -> None:
    result = CliRunner().invoke(get_app(), ["validate", "--help"], terminal_width=100)
    assert result.exit_code == 0
    assert result.stdout == snapshot


def test_validate_does_not_import_the_database_stack() -> None:
    for args in (["validate", "workflows/woocommerce.yaml"], ["--help"]):
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "orderwf", *args],
            capture_output=True,
            text=True,
            cwd=REPO,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        imported = {line.split("|")[-1].strip().split(".")[0] for line in proc.stderr.splitlines()}
        assert not imported & {"sqlalchemy", "sqlmodel", "alembic", "psycopg"}, args


def _babel_loaded(*args: str) -> bool:
    """Whether `orderwf ARGS` (in a new process) ends with Babel in `sys.modules`."""
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('babel' in sys.modules))\n"
        f"sys.argv = ['orderwf', *{list(args)!r}]\n"
        "from orderwf.cli.app import main\n"
        "main()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.strip().splitlines()[-1] == "True"


def test_babel_is_imported_only_to_render(isolated_cache: Path) -> None:
    """Babel (dates and money by locale) loads when templates render: on a first `validate`,
    which renders every template against the sample order, not on `--help`, nor on a `validate`
    the cache answers, nor on a command that loads the workflow and renders nothing."""
    french = "workflows/examples/french.yaml"
    assert _babel_loaded("--help") is False
    assert _babel_loaded("validate", french) is True
    assert _babel_loaded("validate", french) is False
    assert _babel_loaded("--workflow", french, "graph") is False
