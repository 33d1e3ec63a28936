"""The shop's database itself: opened (and migrated), upgraded, whether its file exists yet,
and what it recorded of the workflows (SPEC §4, §9)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from orderwf.errors import NotFound, UsageError
from orderwf.store import db as store_db
from orderwf.store.db import missing_file, read_transaction

if TYPE_CHECKING:
    from sqlalchemy import Engine


def connect(url: str, *, lock_timeout: float | None = None, must_exist: bool = False) -> Engine:
    """The database at `url`, its schema migrated to the newest revision. A lock wait lasts at
    most `lock_timeout` seconds (default: the store's). `must_exist` (a command that only
    reads): a SQLite file that does not exist is refused, naming it, and none is created."""
    if lock_timeout is None:
        return store_db.connect(url, must_exist=must_exist)
    return store_db.connect(url, lock_timeout=lock_timeout, must_exist=must_exist)


def upgrade(url: str, *, lock_timeout: float | None = None) -> tuple[str | None, str]:
    """Migrate the database at `url` to the newest schema (`orderwf db upgrade`): the revision
    it had before (None for an empty database) and the one it has now."""
    if lock_timeout is None:
        return store_db.upgrade(url)
    return store_db.upgrade(url, lock_timeout=lock_timeout)


def missing_database(url: str) -> Path | None:
    """The SQLite file `url` names when it does not exist yet (no command has written)."""
    return missing_file(url)


def workflow_counts(db: Engine) -> dict[str, int]:
    """workflow name → how many orders recorded it."""
    from orderwf.store import repo

    with read_transaction(db) as session:
        return repo.workflow_counts(session)


_HEX = frozenset("0123456789abcdef")


class VersionRef(NamedTuple):
    name: str
    prefix: str  # of the hash, lower case
    text: str  # as given


def version_ref(text: str) -> VersionRef:
    """`NAME@HASH` as `order history` shows it (at least 4 hex digits); a usage error
    otherwise."""
    name, sep, prefix = text.partition("@")
    if not sep or not name or len(prefix) < 4 or not all(c in _HEX for c in prefix.lower()):
        raise UsageError(
            f"{text!r} is not NAME@HASH (a workflow name, then at least 4 hex digits of "
            "its hash, as `order history` shows)"
        )
    return VersionRef(name, prefix.lower(), text)


def workflow_version(db: Engine, ref: VersionRef) -> str:
    """The text of the one stored version `ref` (`version_ref`) names; `NotFound` (listing
    the versions of that name) or `UsageError` (several match: more digits) otherwise."""
    name, prefix, version = ref
    found = workflow_versions(db, name, prefix)
    if not found:
        known = workflow_versions(db, name, "")
        listed = ", ".join(f"{name}@{v['hash'][:12]}" for v in known) or "none"
        raise NotFound(f"no stored version {version} (versions of {name!r}: {listed})")
    if len(found) > 1:
        listed = ", ".join(f"{name}@{v['hash'][:12]}" for v in found)
        raise UsageError(f"{version} matches {len(found)} versions ({listed}); give more digits")
    text: str = found[0]["text"]
    return text


def workflow_versions(db: Engine, name: str, prefix: str) -> list[dict[str, Any]]:
    """The stored versions of workflow `name` whose hash starts with `prefix` (SPEC §9)."""
    from orderwf.store import repo

    with read_transaction(db) as session:
        return repo.versions(session, name, prefix)
