"""What the engine works out once per workflow (or per part of one, its shop) and keeps for
the next order: a bulk apply plans thousands of orders with the same workflow object. Kept by
the object's identity, with the object itself beside the value, so that an id Python reuses
for another object is never taken for the first; all forgotten past `size` objects, so a
long process that loads many workflows (a scenario run, `orderwf test`) stays small. Pure: a
cache in memory, no I/O."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class PerObject(Generic[T]):
    """Values worked out from objects, by the objects' identity."""

    __slots__ = ("_entries", "_size")

    def __init__(self, size: int = 64) -> None:
        self._entries: dict[int, tuple[object, T]] = {}
        self._size = size

    def get(self, owner: object, build: Callable[[], T]) -> T:
        """The value kept for `owner`, or `build()`'s, kept from now on."""
        found = self._entries.get(id(owner))
        if found is not None and found[0] is owner:
            return found[1]
        if len(self._entries) >= self._size:
            self._entries.clear()
        value = build()
        self._entries[id(owner)] = (owner, value)
        return value
