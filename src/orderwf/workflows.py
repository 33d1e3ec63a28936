"""Which workflow a command runs for which order (SPEC §8): the project's folder of workflows,
each file known by its `name`, the one `--workflow NAME|PATH` names, the routes and the
default. Without a project: `--workflow PATH`, else `workflows/woocommerce.yaml` here, else the
packaged default, as before.

A file's name is read with a regular expression (the top-level `name:` line), so finding one
workflow among twenty loads only that one; `orderwf validate` checks the names properly.
A use case beside `service`: it loads workflow files and evaluates routes over orders."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orderwf.errors import NotFound, UsageError, WorkflowError
from orderwf.urls import redact
from orderwf.workflow import loader
from orderwf.workflow.findings import display_path
from orderwf.workflow.projectchecks import declared_name, route_expr

if TYPE_CHECKING:
    from orderwf import orders as s
    from orderwf.project import Project, Route
    from orderwf.workflow.model import Expr, Workflow


def looks_like_path(value: str) -> bool:
    return "/" in value or "\\" in value or value.endswith((".yaml", ".yml")) or value == "."


class Workflows:
    """The workflows a command may use, loaded on first use and kept."""

    def __init__(self, project: Project | None, forced: str | None = None) -> None:
        self.project = project
        self.forced = forced
        self._loaded: dict[Path, Workflow] = {}
        self._files: dict[str, list[Path]] | None = None
        self._routes: list[tuple[Route, Expr]] | None = None

    # -- the files ---------------------------------------------------------------------------

    @property
    def folder(self) -> Path | None:
        return self.project.workflows if self.project is not None else None

    def files(self) -> dict[str, list[Path]]:
        """name → the files declaring it (two is a mistake `validate` reports)."""
        if self._files is None:
            self._files = {}
            if self.folder is not None and self.folder.is_dir():
                for path in loader.workflow_files([self.folder]):
                    name = declared_name(path) or path.stem
                    self._files.setdefault(name, []).append(path)
        return self._files

    def names(self) -> list[str]:
        return sorted(self.files())

    def load(self, path: Path) -> Workflow:
        key = path.absolute()
        if key not in self._loaded:
            self._loaded[key] = loader.load_workflow(path)
        return self._loaded[key]

    def _file_of(self, name: str) -> Path | None:
        paths = self.files().get(name)
        if not paths:
            return None
        if len(paths) > 1:
            raise WorkflowError(
                f"workflow name {name!r} is declared by two files, "
                f"{display_path(paths[0])} and {display_path(paths[1])}; "
                "see `orderwf validate`"
            )
        return paths[0]

    # -- which workflow ----------------------------------------------------------------------

    def forced_workflow(self) -> Workflow | None:
        """The workflow `--workflow NAME|PATH` names, or None."""
        if self.forced is None:
            return None
        value = self.forced
        if self.project is not None and not looks_like_path(value):
            path = self._file_of(value)
            if path is None:
                known = ", ".join(self.names()) or "none"
                raise UsageError(
                    f"--workflow {value!r} is not a workflow of {display_path(self.folder)} "
                    f"(its workflows: {known})"
                    if self.folder is not None
                    else f"--workflow {value!r} is not a known workflow"
                )
            return self.load(path)
        path = Path(value)
        if not path.is_file():
            if self.project is None and not looks_like_path(value):
                raise UsageError(
                    f"--workflow {value!r} is neither a workflow file nor the name of one "
                    "(without an orderwf.toml, names are not looked up; give a path)"
                )
            raise UsageError(f"workflow file {value} does not exist")
        return self.load(path)

    def default(self) -> Workflow:
        """The workflow of a new order no route picks: `--workflow`, else the project's
        `default` (or its only workflow), else the built-in behaviour."""
        forced = self.forced_workflow()
        if forced is not None:
            return forced
        if self.project is None:
            return self.load(loader.default_workflow_path())
        name = self.project.default
        if name is None:
            names = self.names()
            if len(names) != 1:
                raise UsageError(
                    f"{display_path(self.project.file)} names no default workflow and "
                    f"{display_path(self.folder or Path())} holds {len(names)}; "
                    'add default = "NAME" to [shop]'
                )
            name = names[0]
        path = self._file_of(name)
        if path is None:
            raise UsageError(
                f"the default workflow {name!r} of {display_path(self.project.file)} is not "
                f"declared by any file in {display_path(self.folder or Path())}"
                f" (its workflows: {', '.join(self.names()) or 'none'})"
            )
        return self.load(path)

    def by_name(self, name: str, what: str = "an order") -> Workflow:
        """The workflow an existing order recorded. Without a project the one workflow in use
        (the engine then refuses an order of another name, naming both)."""
        forced = self.forced_workflow()
        if forced is not None and (forced.name == name or self.project is None):
            return forced
        if self.project is None:
            return self.default()
        path = self._file_of(name)
        if path is None:
            raise NotFound(
                f"{what} uses workflow {name!r}, which no file in "
                f"{display_path(self.folder or Path())} declares "
                f"(its workflows: {', '.join(self.names()) or 'none'}); restore the file or "
                "run `orderwf validate --live`"
            )
        return self.load(path)

    def named(self, name: str) -> Workflow:
        """The workflow a person named (`migrate --workflow NAME`): one of the folder's,
        else a usage error naming them."""
        if self.project is None:
            found = self.default()
            if found.name != name:
                raise UsageError(f"--workflow {name!r} is not the workflow in use ({found.name!r})")
            return found
        forced = self.forced_workflow()
        if forced is not None and forced.name == name:
            return forced
        path = self._file_of(name)
        if path is None:
            raise UsageError(
                f"--workflow {name!r} is not a workflow of "
                f"{display_path(self.folder or Path())} (its workflows: "
                f"{', '.join(self.names()) or 'none'})"
            )
        return self.load(path)

    def all(self) -> list[Workflow]:
        """Every workflow: the folder's (or the one in use without a project), `--workflow`'s
        replacing the file of the same name."""
        if self.project is None:
            return [self.default()]
        forced = self.forced_workflow()
        found = [self.load(paths[0]) for name, paths in sorted(self.files().items())]
        if forced is not None:
            found = [forced, *(w for w in found if w.name != forced.name)]
        return found

    def info(self, counts: Mapping[str, int], *, database: str, smtp: str) -> dict[str, Any]:
        """What `orderwf info --json` prints (SPEC §8), given the order count of each workflow
        name in the database."""
        known = self.all()
        rows: list[dict[str, Any]] = [
            {
                "name": wf.name,
                "path": display_path(wf.path) if wf.path is not None else None,
                "hash": wf.content_hash,
                "orders": counts.get(wf.name, 0),
            }
            for wf in known
        ]
        declared = {wf.name for wf in known}
        rows += [
            {"name": name, "path": None, "hash": None, "orders": n}
            for name, n in sorted(counts.items())
            if name not in declared
        ]
        project = self.project
        return {
            "project": str(project.file) if project is not None else None,
            "database": redact(database),
            "workflows": rows,
            "default": self.default().name,
            "routes": [
                {"workflow": r.workflow, "if": r.cond}
                for r in (project.routes if project is not None else ())
            ],
            "smtp": redact(smtp),
            "scenarios": display_path(project.scenarios) if project is not None else None,
        }

    def statuses(self) -> set[str]:
        return {sid for wf in self.all() for sid in wf.statuses}

    def require_status(self, status: str) -> str:
        """The status id `--status S` names in some workflow in use: an id, else a label
        (ignoring case and accents); a usage error otherwise."""
        if self.project is None:
            return self.default().require_status(status).id
        known = self.statuses()
        if status in known:  # an id wins over a label
            return status
        for wf in self.all():
            try:
                return wf.require_status(status).id
            except UsageError:
                continue
        raise UsageError(f"unknown status {status!r} (expected one of: {', '.join(sorted(known))})")

    def for_new(self, order: s.Order) -> Workflow:
        """A new or imported order's workflow: `--workflow`, else the first route whose `if`
        holds over `order` (`woo.route_snapshot`), else the default."""
        forced = self.forced_workflow()
        if forced is not None:
            return forced
        if self.project is None or not self.project.routes:
            return self.default()
        from orderwf.engine import context

        default = self.default()
        names = context.base_context(default, order, actor="system")
        for route, cond in self._compiled_routes():
            if cond.evaluate(names):
                path = self._file_of(route.workflow)
                if path is None:
                    raise UsageError(
                        f"{display_path(self.project.file)}:{route.line}: route workflow "
                        f"{route.workflow!r} is not declared by any file in "
                        f"{display_path(self.folder or Path())}"
                    )
                return self.load(path)
        return default

    def _compiled_routes(self) -> list[tuple[Route, Expr]]:
        if self._routes is None:
            assert self.project is not None
            self._routes = []
            for route in self.project.routes:
                cond, problem = route_expr(route.cond)
                if cond is None:
                    raise UsageError(f"{display_path(self.project.file)}:{route.line}: {problem}")
                self._routes.append((route, cond))
        return self._routes
