"""Background work for the window in one small helper (after Anki's `operations`): run a
function on the thread pool, deliver its result or its error to the GUI thread as a signal.
Failures are shown by default. A result is delivered only while its owner widget exists: a
window closed while its work runs never receives it."""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(str)
    progress = Signal(int, int)


class _Job(QRunnable):
    def __init__(self, work: Callable[..., Any], relay: _Relay, wants_progress: bool) -> None:
        super().__init__()
        self.work = work
        self.relay = relay
        self.wants_progress = wants_progress

    def run(self) -> None:
        try:
            try:
                result = self.work(self._progress) if self.wants_progress else self.work()
            except Exception:
                self.relay.failed.emit(traceback.format_exc())
                return
            self.relay.done.emit(result)
        except RuntimeError:
            pass  # the owner (and with it the relay) was deleted: nobody is left to tell

    def _progress(self, done: int, total: int) -> None:
        with contextlib.suppress(RuntimeError):
            self.relay.progress.emit(done, total)


def run_in_background(
    owner: QObject,
    work: Callable[..., Any],
    on_done: Callable[[Any], None],
    on_failed: Callable[[str], None],
    on_progress: Callable[[int, int], None] | None = None,
) -> None:
    """Run `work` on the thread pool; `on_done`/`on_failed` run on the GUI thread unless
    `owner` was deleted first (the relay is its child, so Qt cuts the connections)."""
    relay = _Relay(owner)
    relay.done.connect(on_done)
    relay.failed.connect(on_failed)
    relay.done.connect(relay.deleteLater)
    relay.failed.connect(relay.deleteLater)
    if on_progress is not None:
        relay.progress.connect(on_progress)
    QThreadPool.globalInstance().start(_Job(work, relay, on_progress is not None))
