"""The GUI thread while the supervisor's exports run, measured alone (benchmarks/ui.py measures
it among scanning and a sync): the real window on a camera showing empty scenes (capture,
decoder process and processing thread busy), a 5 ms timer in the GUI thread, and the three
exports of a 5,000-check day (PDF, XLSX, CSV) in their child process from a thread-pool job,
as the supervisor view runs them. Per run: the longest timer gap while the exports run and,
for comparison, in an 8 s stretch with no export just before; and for each worst gap, how
long the GUI thread ran on a CPU in it and how long it waited in the run queue for one
(Linux schedstat): a gap made of waiting is the machine's load, not the window's work.

    QT_QPA_PLATFORM=offscreen uv run python benchmarks/export_stall.py [--runs 5]

Each run is a new process (`--one` does one run). The machine is shared and noisy: compare
within one invocation.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CHECKS = 5_000


def prefill(data_dir: Path) -> None:
    """A busy day in the log."""
    from benchmarks.ui import fill_day
    from scanner_app.app import App

    fill_day(App(data_dir), CHECKS)


def sched() -> tuple[float, float]:
    """The calling thread's time on a CPU and waiting in the run queue for one (seconds;
    Linux's schedstat, zeros elsewhere)."""
    try:
        fields = Path("/proc/thread-self/schedstat").read_text().split()
    except OSError:
        return 0.0, 0.0
    return int(fields[0]) / 1e9, int(fields[1]) / 1e9


def one(data_dir: Path) -> dict[str, float]:  # noqa: PLR0915 (one scenario, read top to bottom)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from benchmarks.ui import frames_for, open_window
    from scanner_app.services.export_child import export_in_child
    from scanner_app.ui.background import run_in_background

    app = QApplication.instance() or QApplication([])
    feed: queue.Queue = queue.Queue(maxsize=2)  # type: ignore[type-arg]
    session, window = open_window(data_dir, feed)
    window.resize(1366, 768)
    window.show()
    scenes, _ = frames_for([])
    stop = threading.Event()

    def camera() -> None:
        for frame in scenes * 10_000:
            if stop.is_set():
                return
            feed.put((frame, None))
            time.sleep(1 / 30)

    threading.Thread(target=camera, daemon=True).start()
    session.controller.start()
    state = {"phase": "warm-up", "last": time.perf_counter(), "began": 0.0}
    longest: dict[str, float] = {}
    ran, waited = sched()

    def tick() -> None:
        nonlocal ran, waited
        now = time.perf_counter()
        gap, state["last"] = now - state["last"], now
        phase = str(state["phase"])
        now_ran, now_waited = sched()
        if gap > longest.get(phase, 0.0):  # the worst gap: what the GUI thread did in it
            longest[phase] = gap
            longest[f"{phase} ran"], longest[f"{phase} waited"] = now_ran - ran, now_waited - waited
        ran, waited = now_ran, now_waited

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(5)
    out = Path(tempfile.mkdtemp())
    day = datetime.now().astimezone().date()
    checkpoint = session.app.station().checkpoint_id

    def work() -> None:
        for kind in ("pdf", "xlsx", "csv"):
            export_in_child(session.app.data_dir, checkpoint, day, kind, out / f"day.{kind}")

    def done(_: object) -> None:
        seconds = time.perf_counter() - float(state["began"])
        state["phase"] = "after"
        longest["export seconds"] = seconds
        QTimer.singleShot(100, app.quit)

    def begin_idle() -> None:
        state["phase"] = "idle"
        QTimer.singleShot(8_000, begin_export)

    def begin_export() -> None:
        state["phase"], state["began"] = "export", time.perf_counter()
        run_in_background(window, work, done, lambda report: (print(report), app.quit()))

    QTimer.singleShot(3_000, begin_idle)  # the window painted, the decoder started
    app.exec()
    stop.set()
    session.controller.stop()
    shutil.rmtree(out, ignore_errors=True)
    return longest


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--one", metavar="DATA_DIR")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(Path(args.one))))
        return
    template = Path(tempfile.mkdtemp())
    prefill(template)
    found: dict[str, list[float]] = {}
    for _ in range(args.runs):
        data_dir = Path(tempfile.mkdtemp())
        shutil.copytree(template, data_dir, dirs_exist_ok=True)
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(data_dir)], capture_output=True, text=True, timeout=600
        ).stdout
        for key, value in json.loads(out.splitlines()[-1]).items():
            found.setdefault(key, []).append(value)
    for key in ("idle", "export"):
        values = [v * 1000 for v in found.get(key, [])]
        print(
            f"longest GUI-thread gap, {key:6s}: median {statistics.median(values):.1f} ms ({min(values):.1f}-{max(values):.1f})"
        )
    print(f"exports took {statistics.median(found['export seconds']):.1f} s (median)")


if __name__ == "__main__":
    main()
