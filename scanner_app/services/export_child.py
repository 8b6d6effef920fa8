"""Exports and day reports in a child process, so that the window never waits for them.

Writing a 10,000-check PDF or XLSX is seconds of pure Python; on a thread of the window's
process it holds the GIL and the window stalls (0.2 s and more, measured by
`benchmarks/ui.py`). Here the work runs in a process started with `spawn` (as the decoder's,
`camera/isolation.py`), which reads the log's snapshot and writes the file itself; the caller
only waits on a queue for progress and the answer. The child loads the device identity from
the data folder itself: keys never cross a process boundary.

A failure in the child arrives as `ChildFailed` with the exception's type and message; a
child that dies without answering (killed, a native crash) is reported too, never waited on
forever.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from scanner_app.store.export import DayReport, Progress

POLL_SECONDS = 0.25
CHILD_NICENESS = 10  # below the window: on two busy cores the scheduler runs the window first


class ChildFailed(Exception):
    """The work raised in the child (`kind` is the exception's class name), or the child ended
    without an answer (`kind` is "died")."""

    def __init__(self, kind: str, message: str, trace: str = "") -> None:
        super().__init__(f"{kind}: {message}")
        self.kind, self.message, self.trace = kind, message, trace


def _export(
    data_dir: Path,
    checkpoint_id: str,
    day: date,
    kind: str,
    out: Path,
    language: str | None,
    progress: Progress,
) -> tuple[Path, Path, int]:
    from scanner_app.local.device import load_device
    from scanner_app.services.export_day import export_day

    device = load_device(data_dir)
    return export_day(data_dir, device, checkpoint_id, day, kind, out, language=language, progress=progress)


def _load(data_dir: Path, day: date, progress: Progress) -> DayReport:
    from scanner_app.services.export_day import load_day

    return load_day(data_dir, day)


def _lower_priority() -> None:
    """The export is background work: when the cores are busy, the window (and the capture
    and decoder) should get them first. POSIX `nice`; Windows' below-normal priority class."""
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(CHILD_NICENESS)
    elif os.name == "nt":  # pragma: no cover - Windows only
        import ctypes

        below_normal = 0x4000
        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        kernel32.SetPriorityClass(kernel32.GetCurrentProcess(), below_normal)


def _child(target: Callable[..., Any], args: tuple[Any, ...], channel: Any) -> None:
    _lower_priority()

    def progress(done: int, total: int) -> None:
        channel.put(("progress", done, total))

    try:
        result = target(*args, progress)
    except BaseException as exc:  # everything goes back to the parent, which decides
        channel.put(("failed", type(exc).__name__, str(exc), traceback.format_exc()))
        return
    channel.put(("done", result))


def run_in_child(target: Callable[..., Any], *args: Any, progress: Progress | None = None) -> Any:
    """Run `target(*args, progress)` in a spawned child; returns its result or raises
    ChildFailed. Progress reports arrive through `progress` in the calling thread."""
    context = multiprocessing.get_context("spawn")
    channel = context.Queue()
    process = context.Process(target=_child, args=(target, args, channel), name="export", daemon=True)
    process.start()
    try:
        while True:
            try:
                message = channel.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if not process.is_alive():
                    raise ChildFailed(
                        "died", f"the export process ended without an answer ({process.exitcode})"
                    ) from None
                continue
            if message[0] == "progress":
                if progress is not None:
                    progress(message[1], message[2])
            elif message[0] == "done":
                return message[1]
            else:
                raise ChildFailed(message[1], message[2], message[3])
    finally:
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
            process.join()
        channel.close()


def export_in_child(
    data_dir: Path,
    checkpoint_id: str,
    day: date,
    kind: str,
    out: Path,
    *,
    language: str | None = None,
    progress: Progress | None = None,
) -> tuple[Path, Path, int]:
    """`export_day` in a child process: (the export, its manifest, rows)."""
    result: tuple[Path, Path, int] = run_in_child(
        _export, data_dir, checkpoint_id, day, kind, out, language, progress=progress
    )
    return result


def load_day_in_child(data_dir: Path, day: date) -> DayReport:
    """`load_day` in a child process: the day's rows and totals for the supervisor view."""
    report: DayReport = run_in_child(_load, data_dir, day)
    return report
