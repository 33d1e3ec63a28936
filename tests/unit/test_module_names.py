"""No file of the project is named after a standard-library module: run as a script (as the
concurrency tests run their workers), such a file shadows the real module for every import in
that process (`operator.py` broke `import operator` inside SQLAlchemy)."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_no_python_file_shadows_a_standard_library_module() -> None:
    files = [
        p
        for folder in ("src", "tests", "bench", "tools")
        for p in (REPO / folder).rglob("*.py")
        if p.stem != "__init__" and p.stem != "__main__"
    ]
    assert files, "no Python files found: the walk is wrong"
    shadows = sorted(str(p.relative_to(REPO)) for p in files if p.stem in sys.stdlib_module_names)
    assert shadows == []
