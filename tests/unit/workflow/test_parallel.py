"""`parallel.Started`: a job in a forked child, or here when forking is off or unsafe."""

from __future__ import annotations

import os
import threading

import pytest

from orderwf.workflow import parallel


def test_the_job_runs_in_a_child_and_its_result_comes_back() -> None:
    started = parallel.Started(lambda: (os.getpid(), [1, "two", {"three": 3.0}]))
    pid, value = started.result()
    assert pid != os.getpid()
    assert value == [1, "two", {"three": 3.0}]
    assert started.result()[0] == pid  # asked again: the same result, no second run


def test_without_fork_the_job_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "ENABLED", False)
    assert parallel.Started(os.getpid).result() == os.getpid()


def test_a_process_with_threads_does_not_fork() -> None:
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        assert parallel.Started(os.getpid).result() == os.getpid()
    finally:
        release.set()
        thread.join()


def test_a_job_that_fails_in_the_child_raises_its_own_error_here() -> None:
    calls: list[int] = []

    def job() -> None:
        calls.append(os.getpid())
        raise ValueError("the schema is broken")

    started = parallel.Started(job)
    with pytest.raises(ValueError, match="the schema is broken"):
        started.result()
    assert calls == [os.getpid()]  # the child's run left no trace here; this one raised
