"""The validation pipeline (SPEC §3) and the one way every command gets its workflow.

read → YAML and its path → position map (`yamlsrc`) → JSON Schema (`schema`) → the typed model,
built once (`build`) → semantic checks (`checks`) and expressions, templates and email files
(`textchecks`) on that model, reporting through the map. Each stage runs only when the previous
one accepted the file, and every stage collects all its findings.

A file that validated without errors is remembered by a marker file named after the hash of
everything its validity depends on (its bytes, its email template folder, the schema and the
orderwf version), under `$ORDERWF_CACHE_DIR` or `$XDG_CACHE_HOME/orderwf`, with its parsed
data kept as JSON under the hash of its bytes. Loading it again skips YAML (and its import),
the schema (and jsonschema) and the checks: that is what keeps every command's start-up fast.
`ORDERWF_NO_CACHE=1` turns the cache off."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orderwf import __version__, resources
from orderwf.errors import UsageError, WorkflowError
from orderwf.workflow.findings import Finding, display_path, json_path, sort

if TYPE_CHECKING:
    from orderwf.project import Project
    from orderwf.workflow import yamlsrc
    from orderwf.workflow.model import Workflow

DEFAULT_FOLDER = Path("workflows")
_SUFFIXES = (".yaml", ".yml")
# In a folder, a YAML file is taken for a workflow when it says so (CI configs and the like
# living next to workflows are skipped); a file named on the command line is always checked.
_LOOKS_LIKE_WORKFLOW = re.compile(r"^(orderwf|statuses)\s*:|workflow\.schema\.json", re.M)


@dataclass
class Checked:
    """One file through the pipeline."""

    path: Path
    findings: list[Finding] = field(default_factory=list)
    data: Any = None
    digest: str = ""
    text: str = ""
    workflow: Workflow | None = None  # the model the checks ran on, when they ran

    @property
    def ok(self) -> bool:
        return not any(f.is_error for f in self.findings)


# -- the cache -------------------------------------------------------------------------------


def _cache_key(path: Path, raw: bytes, data: Any) -> str:
    h = hashlib.sha256()
    h.update(f"orderwf {__version__}\0{path.resolve()}\0".encode())
    h.update(resources.schema_path().read_bytes())
    h.update(raw)
    folder = data.get("templates") if isinstance(data, dict) else None
    if isinstance(folder, str):
        templates = (path.parent / folder).resolve()
        for part in sorted(templates.rglob("*")) if templates.is_dir() else ():
            if part.is_file():
                h.update(f"\0{part.relative_to(templates)}\0".encode())
                h.update(part.read_bytes())
    return h.hexdigest()


def _marker(key: str) -> Path | None:
    folder = resources.cache_dir()
    return None if folder is None else folder / "validated" / key


def _cached(key: str) -> list[Finding] | None:
    marker = _marker(key)
    try:
        if marker is None:
            return None
        stored = json.loads(marker.read_text(encoding="utf-8"))
        found = [Finding(**{**f, "path": display_path(Path(f["path"]))}) for f in stored]
    except (OSError, ValueError, TypeError):
        return None
    resources.refresh(marker)
    return found


def _remember(key: str, warnings: list[Finding]) -> None:
    marker = _marker(key)
    if marker is not None:
        stored = [{**asdict(f), "path": str(Path(f.path).resolve())} for f in warnings]
        _write(marker, json.dumps(stored))
        resources.prune_cache()  # a file validated afresh: what no command used goes


def _write(target: Path, text: str) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
    except OSError:  # a read-only home only costs speed
        pass


def _parsed(digest: str) -> Path | None:
    """Where the parsed data of a file with these bytes is kept (JSON: faster than YAML)."""
    folder = resources.cache_dir()
    return None if folder is None else folder / "parsed" / f"{digest}.json"


def _remember_data(digest: str, data: Any) -> None:
    parsed = _parsed(digest)
    if parsed is not None:
        _write(parsed, json.dumps(data))


def _known_good(path: Path, raw: bytes, digest: str) -> tuple[Any, list[Finding]] | None:
    """The data and findings of a file that validated clean with these very bytes and still
    has the same templates, or None."""
    stored = _parsed(digest)
    if stored is None:
        return None
    try:
        data = json.loads(stored.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    findings = _cached(_cache_key(path, raw, data))
    if findings is None:
        return None
    resources.refresh(stored)
    return data, findings


# -- the pipeline ----------------------------------------------------------------------------


def _file_finding(file: str, code: str, message: str, line: int = 1, column: int = 1) -> Finding:
    return Finding(file, line, column, "error", code, message, None, "$")


# Past this size a file is not read at all: 4 bytes per character at most in UTF-8, so any
# file above it has more than `yamlsrc.MAX_CHARS` characters.
MAX_BYTES = 4_000_000


def check_file(path: Path, *, use_cache: bool = True) -> Checked:
    """Every finding of one workflow file, and its data when it parsed."""
    file = display_path(path)
    checked = Checked(path)
    try:
        if path.stat().st_size > MAX_BYTES:  # refused unread: yamlsrc bounds characters too
            checked.findings.append(
                _file_finding(
                    file,
                    "OWF007",
                    f"the file has {path.stat().st_size:,} bytes, more than the "
                    f"{MAX_BYTES:,} a workflow may have",
                )
            )
            return checked
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except OSError as e:
        checked.findings.append(
            _file_finding(file, "OWF001", f"cannot read the file: {e.strerror}")
        )
        return checked
    except UnicodeDecodeError as e:
        checked.findings.append(
            _file_finding(file, "OWF001", f"the file is not UTF-8 text (byte {e.start})")
        )
        return checked
    checked.digest = hashlib.sha256(raw).hexdigest()  # = Workflow.content_hash
    checked.text = text
    if use_cache and (known := _known_good(path, raw, checked.digest)) is not None:
        checked.data, checked.findings = known
        return checked
    from orderwf.workflow import yamlsrc

    source = yamlsrc.parse(text)
    for p in source.problems:
        checked.findings.append(
            Finding(
                file,
                p.position.line,
                p.position.column,
                "error",
                p.code,
                p.message,
                p.hint,
                json_path(p.json_path),
            )
        )
    if source.problems:
        return checked
    if source.data is None:
        checked.findings.append(_file_finding(file, "OWF006", "the file is empty"))
        return checked
    checked.data = source.data
    if not use_cache:
        _check(checked, source, file)
        return checked
    key = _cache_key(path, raw, source.data)
    cached = _cached(key)
    if cached is not None:
        checked.findings = cached
        _remember_data(checked.digest, source.data)
        return checked
    _check(checked, source, file)
    if checked.ok:
        _remember(key, checked.findings)
        _remember_data(checked.digest, source.data)
    return checked


def _check(checked: Checked, source: yamlsrc.Source, file: str) -> None:
    """The schema, then the model and the checks on it: a file the schema rejects is not
    built, its other findings would only repeat the schema's."""
    from orderwf.workflow import checks, schema, textchecks

    checked.findings = schema.check(source, file)
    if checked.findings:
        return
    checked.workflow = _build(checked)
    checked.findings = checks.check(checked.workflow, source, file)
    checked.findings += textchecks.check(checked.workflow, source, file)


def _build(checked: Checked) -> Workflow:
    from orderwf.workflow import build  # compiles templates: Jinja2 is only needed here

    cache = resources.cache_dir()
    bytecode = cache / "jinja" if cache is not None else None
    if bytecode is not None:
        try:
            bytecode.mkdir(parents=True, exist_ok=True)
        except OSError:
            bytecode = None  # a read-only home: compile in each process instead
    return build.build(
        checked.data,
        path=checked.path,
        digest=checked.digest,
        bytecode_dir=bytecode,
        text=checked.text,
    )


def workflow_files(paths: Iterable[Path]) -> list[Path]:
    """The files to validate: each file named, and the workflows of each folder named. A path
    that does not exist is a usage error."""
    files: list[Path] = []
    for path in paths:
        if not path.exists():
            raise UsageError(f"path {path} does not exist")
        if path.is_dir():
            files.extend(p for p in sorted(path.rglob("*")) if _is_workflow(p, path))
        else:
            files.append(path)
    return files


def _is_workflow(path: Path, root: Path) -> bool:
    if path.suffix not in _SUFFIXES or not path.is_file():
        return False
    if any(part.startswith(".") for part in path.relative_to(root).parts):
        return False
    try:
        return bool(_LOOKS_LIKE_WORKFLOW.search(path.read_text(encoding="utf-8", errors="replace")))
    except OSError:
        return True  # let the pipeline report it


def validate_files(files: Sequence[Path], *, use_cache: bool = True) -> list[Finding]:
    """Every finding of every file, sorted by file and position."""
    return sort(f for path in files for f in check_file(path, use_cache=use_cache).findings)


def validate_project(
    project: Project, files: Sequence[Path], *, use_cache: bool = True
) -> list[Finding]:
    """Every finding of the project's workflow files, and of the folder as a whole (names,
    default, routes: `projectchecks`)."""
    from orderwf.workflow import projectchecks

    checked = [check_file(path, use_cache=use_cache) for path in files]
    found = [f for c in checked for f in c.findings]
    return sort([*found, *projectchecks.check(project, checked)])


def default_workflow_path() -> Path:
    """SPEC §5: `workflows/woocommerce.yaml` here if it exists, else the built-in one."""
    local = DEFAULT_FOLDER / "woocommerce.yaml"
    return local if local.is_file() else resources.default_workflow_path()


def load_workflow(path: Path | None = None) -> Workflow:
    """The workflow every command runs: validated (or known valid), then built."""
    path = path or default_workflow_path()
    if not path.is_file():
        raise UsageError(f"workflow file {path} does not exist")
    checked = check_file(path)
    if not checked.ok:
        errors = [f for f in checked.findings if f.is_error]
        count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
        error = WorkflowError(
            f"workflow {display_path(path)} is invalid ({count}); "
            f"see `orderwf validate {display_path(path)}`",
            list(errors),
        )
        error.reasons = [error.message, *(f.headline() for f in errors[:10])]
        raise error
    return checked.workflow or _build(checked)
