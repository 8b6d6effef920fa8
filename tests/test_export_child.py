"""Exports run in a child process below the window's priority: on two busy cores the
scheduler gives the window the CPU first (benchmarks/export_stall.py, benchmarks/ui.py)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from scanner_app.services.export_child import CHILD_NICENESS, ChildFailed, run_in_child


def niceness(progress: Any) -> int:
    """Runs in the child: its scheduling priority."""
    progress(1, 1)
    return os.getpriority(os.PRIO_PROCESS, 0)


def fails(progress: Any) -> None:
    raise ValueError("a full disk")


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="POSIX scheduling priority")
def test_the_child_runs_below_the_window() -> None:
    steps: list[tuple[int, int]] = []
    parent = os.getpriority(os.PRIO_PROCESS, 0)
    child = run_in_child(niceness, progress=lambda done, total: steps.append((done, total)))
    assert child == min(parent + CHILD_NICENESS, 19)
    assert child > parent or parent == 19
    assert steps == [(1, 1)]
    assert os.getpriority(os.PRIO_PROCESS, 0) == parent  # the window's own is untouched


def test_a_failure_in_the_child_arrives_typed() -> None:
    with pytest.raises(ChildFailed) as caught:
        run_in_child(fails)
    assert caught.value.kind == "ValueError" and caught.value.message == "a full disk"
