"""Background work for the window in one small helper (after Anki's `operations`): run a
function on the thread pool, deliver its result or its error to the GUI thread as a signal.
Failures are shown by default."""

from __future__ import annotations

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
            result = self.work(self.relay.progress.emit) if self.wants_progress else self.work()
        except Exception:
            self.relay.failed.emit(traceback.format_exc())
            return
        self.relay.done.emit(result)


_alive: set[_Relay] = set()  # relays must outlive their job


def run_in_background(
    work: Callable[..., Any],
    on_done: Callable[[Any], None],
    on_failed: Callable[[str], None],
    on_progress: Callable[[int, int], None] | None = None,
) -> None:
    relay = _Relay()
    _alive.add(relay)
    relay.done.connect(on_done)
    relay.failed.connect(on_failed)
    relay.done.connect(lambda _: _alive.discard(relay))
    relay.failed.connect(lambda _: _alive.discard(relay))
    if on_progress is not None:
        relay.progress.connect(on_progress)
    QThreadPool.globalInstance().start(_Job(work, relay, on_progress is not None))
