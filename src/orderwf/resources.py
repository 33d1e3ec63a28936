"""Where orderwf's own data lives: the JSON Schema, the default workflow and its email
templates; and where it keeps what it caches (`cache_dir`). An installed wheel carries the
data under `orderwf/data/` (see the `force-include` table in pyproject.toml); a checkout has
them at the repository root, two folders above `src/orderwf/`. The wheel's copy wins when both
exist."""

from __future__ import annotations

import os
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
