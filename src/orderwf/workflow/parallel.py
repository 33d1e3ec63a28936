"""One job in a forked child while the caller goes on: how `orderwf validate` checks a file
against the JSON Schema (importing jsonschema is most of that stage) at the same time as it
runs the semantic checks and renders the templates.

A forked child starts with everything the parent has loaded and gives back one picklable
result through a pipe. Where there is no `fork` (Windows), or the process has threads (forking
those is unsafe), or `ENABLED` is off, the job simply runs in this process when its result is
first asked for. A child that fails gives no result: the job then runs here, so a bug raises
its own exception in the parent, exactly as without a child."""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

ENABLED = hasattr(os, "fork")


class Started(Generic[T]):
    """A job, running in a child where possible; `result()` waits for it."""

    def __init__(self, job: Callable[[], T]) -> None:
        self._job = job
        self._pid = 0
        self._pipe = -1
        self._done = False
        self._result: T | None = None
        if ENABLED and threading.active_count() == 1:
            self._fork()

    def _fork(self) -> None:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: run the job, write its pickled result, leave at once
            os.close(read)
            code = 1
            try:
                payload = pickle.dumps(self._job(), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as out:
                    out.write(payload)
                code = 0
            finally:
                os._exit(code)  # no atexit handlers, no flushing the parent's buffers
        os.close(write)
        self._pid, self._pipe = pid, read

    def result(self) -> T:
        if not self._done:
            self._result = self._collect() if self._pid else self._job()
            self._done = True
        return self._result  # type: ignore[return-value]

    def _collect(self) -> T:
        with os.fdopen(self._pipe, "rb") as pipe:
            payload = pipe.read()
        _, status = os.waitpid(self._pid, 0)
        self._pid = 0
        if os.waitstatus_to_exitcode(status) != 0:
            return self._job()  # run it here, so that its error is raised in this process
        result: T = pickle.loads(payload)
        return result
