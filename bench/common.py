"""Helpers shared by the benchmarks: timing cold processes, medians, tables, workflow copies."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
WORKFLOW = ROOT / "workflows" / "woocommerce.yaml"


def script(name: str) -> str | None:
    """The console script `name` as pip installed it for this interpreter (what users run),
    else the one on PATH. The interpreter's own bin folder comes first: on a machine with
    pyenv, PATH finds a shim, a shell script that costs ~65 ms to find the real one."""
    installed = Path(sys.executable).with_name(name)
    return str(installed) if installed.is_file() else shutil.which(name)


def orderwf_cmd() -> list[str]:
    """The installed console script, else `python -m orderwf`."""
    found = script("orderwf")
    return [found] if found else [sys.executable, "-m", "orderwf"]


def env(src: str | Path | None = None) -> dict[str, str]:
    """The environment of every child: no stray ORDERWF_* setting from the caller's shell, and
    bytecode caching on (this sandbox sets PYTHONDONTWRITEBYTECODE, which would make every cold
    start recompile orderwf's sources: no installed package runs like that). `src`: a source
    tree put first on `PYTHONPATH` (a before and after runs each side's own)."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("ORDERWF_")}
    e.pop("PYTHONDONTWRITEBYTECODE", None)
    e["ORDERWF_ACTOR"] = "bench"
    if src is not None:
        e["PYTHONPATH"] = str(Path(src).resolve())
    return e


def run_measured(
    cmd: Sequence[str], *, cwd: Path = ROOT, environ: dict[str, str] | None = None
) -> tuple[float, float]:
    """(wall seconds, CPU seconds user+system) of one cold process, with the children it
    waited for. CPU time is the steadier figure on a shared, busy machine: it does not count
    the time spent waiting for a core."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=env() if environ is None else environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {err.strip()}")
    return elapsed, usage.ru_utime + usage.ru_stime


def median_ms(samples: Sequence[float]) -> float:
    return statistics.median(samples) * 1000


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in headers], *[[str(c) for c in r] for r in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def workflow_copy(name: str, emails: dict[str, object]) -> Path:
    """A copy of the default workflow under `bench/out/` with only `emails` kept and the
    templates folder made absolute. Written as JSON (valid YAML) so no YAML library is needed
    here, and so `on` keys stay strings."""
    from orderwf.workflow import yamlsrc

    source = yamlsrc.parse(WORKFLOW.read_text(encoding="utf-8"))
    data = dict(source.data)
    data["templates"] = str((WORKFLOW.parent / data["templates"]).resolve())
    data["emails"] = emails

    def sends_dropped(action: dict[str, object]) -> bool:
        for effect in action.get("effects") or ():  # type: ignore[attr-defined]
            sent = effect.get("email") if isinstance(effect, dict) else None
            sent = sent.get("id") if isinstance(sent, dict) else sent
            if sent is not None and sent not in emails:
                return True
        return False

    # Actions that send an email the copy no longer declares go too (send_order_details…).
    data["actions"] = {k: a for k, a in data["actions"].items() if not sends_dropped(a)}
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"workflow-{name}.yaml"
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def default_emails() -> dict[str, object]:
    from orderwf.workflow import yamlsrc

    return dict(yamlsrc.parse(WORKFLOW.read_text(encoding="utf-8")).data["emails"])
