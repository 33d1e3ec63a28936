"""Where orderwf's own data lives: the JSON Schema, the default workflow and its email
templates; and where it keeps what it caches (`cache_dir`). An installed wheel carries the
data under `orderwf/data/` (see the `force-include` table in pyproject.toml); a checkout has
them at the repository root, two folders above `src/orderwf/`. The wheel's copy wins when both
exist."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_WHEEL_DATA = _PACKAGE / "data"
_CHECKOUT = _PACKAGE.parents[1]  # src/orderwf → the repository root

SCHEMA = Path("schemas", "workflow.schema.json")
SCENARIO_SCHEMA = Path("schemas", "scenario.schema.json")
DEFAULT_WORKFLOW = Path("workflows", "woocommerce.yaml")
TEMPLATES = Path("templates", "emails")


def data_root() -> Path:
    """The folder holding `schemas/`, `workflows/` and `templates/`."""
    if (_WHEEL_DATA / SCHEMA).is_file():
        return _WHEEL_DATA
    return _CHECKOUT


def find(relative: Path | str) -> Path:
    """A packaged data file or folder, wherever this installation keeps it."""
    return data_root() / relative


def schema_path() -> Path:
    return find(SCHEMA)


def scenario_schema_path() -> Path:
    return find(SCENARIO_SCHEMA)


def default_workflow_path() -> Path:
    return find(DEFAULT_WORKFLOW)


def templates_dir() -> Path:
    return find(TEMPLATES)


def cache_dir() -> Path | None:
    """orderwf's cache folder: `$ORDERWF_CACHE_DIR`, else `$XDG_CACHE_HOME/orderwf`, else
    `~/.cache/orderwf`; None when `ORDERWF_NO_CACHE` is set. Validated workflows, Jinja2's
    bytecode and Babel's loaded locales are kept there."""
    if os.environ.get("ORDERWF_NO_CACHE"):
        return None
    if explicit := os.environ.get("ORDERWF_CACHE_DIR"):
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "orderwf"


# What the cache folder keeps of a workflow, a template or a locale no command has used for
# this long goes at the next workflow validated afresh (`prune_cache`).
CACHE_KEPT_DAYS = 30
_DAY = 24 * 3600
# orderwf's own files in the cache folder, by subfolder: nothing else there is ever removed
# (`ORDERWF_CACHE_DIR` may name a folder that holds more).
_CACHED_FILES = {
    "validated": re.compile(r"[0-9a-f]{64}(\.\d+\.tmp)?"),
    "parsed": re.compile(r"[0-9a-f]{64}(\.\d+\.tmp|\.json)"),
    "jinja": re.compile(r"__jinja2_[0-9a-f]{40}\.cache"),
    "babel": re.compile(r"[A-Za-z0-9_]{1,40}(\.\d+\.tmp|\.pickle)"),
}


def refresh(entry: Path) -> None:
    """Mark a cache entry as used now (its modification time; at most once a day, one `stat`
    otherwise), so that `prune_cache` keeps it."""
    try:
        if time.time() - entry.stat().st_mtime > _DAY:
            os.utime(entry)
    except OSError:  # gone meanwhile, or a read-only cache: nothing to keep
        pass


def prune_cache(now: float | None = None) -> int:
    """Remove the cache's entries not written or used (`refresh`) for `CACHE_KEPT_DAYS`: the
    markers and data of workflow files since edited, email templates since changed, locales
    of an older Babel. Only orderwf's own files (`_CACHED_FILES`); no folder (another process
    may be about to write in it). Run when a workflow validates afresh (a new marker: rare, and
    slow anyway), so a cache in use never grows without bound. A compiled email template in
    use is not refreshed when Jinja2 reads it: it is compiled again once (~10–50 ms) after it
    goes. The number of files removed."""
    folder = cache_dir()
    if folder is None:
        return 0
    cutoff = (time.time() if now is None else now) - CACHE_KEPT_DAYS * _DAY
    removed = 0
    for name, pattern in _CACHED_FILES.items():
        top = folder / name
        for dirpath, _, filenames in os.walk(top):
            for filename in filenames:
                entry = os.path.join(dirpath, filename)
                try:
                    if pattern.fullmatch(filename) and os.stat(entry).st_mtime < cutoff:
                        os.unlink(entry)
                        removed += 1
                except OSError:
                    pass
    return removed
