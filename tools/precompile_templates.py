"""Write `src/orderwf/precompiled/`: Jinja2's Python for every shipped email template, one
folder of modules per language folder of `templates/emails` (`root` for the folder itself),
written by Jinja2's documented `Environment.compile_templates` with the environment
`orderwf validate` and the commands use (`templating.email_environment`), and an `index.json`
per folder (template name → SHA-256 of its text, `templating.fingerprint`, the names it reads,
the templates it uses: `templating.index_entry`), so that a cold process loads them with
`jinja2.ModuleLoader` instead of parsing and generating them again (`templating.EmailLoader`),
and knows a shipped text by its digest (`templating.shipped_sources`). Run it after editing a
shipped template, or after upgrading Jinja2; `tests/unit/test_precompiled_templates.py` fails
until then.

    python tools/precompile_templates.py"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from orderwf import resources, templating

ROOT = "root"  # the folder of `templates/emails` itself (English)


def folders() -> dict[str, Path]:
    """Target folder name → language folder of the shipped templates."""
    root = resources.templates_dir()
    return {ROOT: root, **{p.name: p for p in sorted(root.iterdir()) if p.is_dir()}}


def _own(name: str) -> bool:
    return "/" not in name and name.endswith(".j2")  # not a subfolder's (another language)


def write(out: Path) -> None:
    """Every language folder's modules and index, in `out/<folder>/`."""
    for label, folder in folders().items():
        env = templating.email_environment(folder.resolve())
        target = out / label
        env.compile_templates(target, filter_func=_own, zip=None, ignore_errors=False)
        index = {
            name: templating.index_entry(env, name, (folder / name).read_text(encoding="utf-8"))
            for name in env.list_templates(filter_func=_own)
        }
        text = json.dumps(index, indent=1, sort_keys=True) + "\n"
        (target / templating.INDEX).write_text(text, encoding="utf-8")


def main() -> None:
    out = templating.PRECOMPILED
    shutil.rmtree(out, ignore_errors=True)
    write(out)
    print(f"wrote {len(list(out.glob('*/*.py')))} templates in {out}")


if __name__ == "__main__":
    main()
