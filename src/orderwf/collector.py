"""The cycle collector around a bulk run's batches.

A batch plans its orders (500 by default) and keeps their plans until it writes them in one
transaction: tens of thousands of containers alive at once. With the collector running, each
young-generation collection walks them again and promotes them, and the old-generation
collections walk them once more: 10–13 % of a bulk apply's CPU (docs/performance.md). Paused
for the batch, they are freed by reference counting when the batch ends; a cycle made during
a batch waits until then, so memory stays bounded by one batch."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cycle collector for the block (as it was after: a caller that paused it
    keeps it paused)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
