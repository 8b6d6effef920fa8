"""The window, measured:

* start-up, as a user starts it: a new process running the real `launch` on the demo camera
  (interpreter, imports, session, window, decoder process), to the window's first paint and to
  the first camera picture painted; one warm-up (it writes the bytecode caches, as a user's
  first start does), then the median of `--startups` runs (5);
* from a frame with a code entering the pipeline to the result panel painted (p50/p95 over
  200 scans);
* the longest stall of the GUI thread (the worst gap of a 5 ms timer) while scanning, while
  the window's own sync thread sends a 5,000-check day to a hub (a separate process, as the
  hub is another machine), and while the supervisor's exports of that day (PDF, XLSX, CSV)
  run in their child process, as the window runs them.

    QT_QPA_PLATFORM=offscreen uv run python benchmarks/ui.py [--startups 5] [--scans 200]

The machine is shared and noisy: compare within one run.
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2
import numpy as np
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from benchmarks._common import machine, percentile, table
from scanner_app.camera.frames import Frame
from scanner_app.devkit.cards import Person, issue, vaccination
from scanner_app.devkit.keys import demo_signer
from scanner_app.devkit.render import qr_png_bytes

SCANS = 200
started = time.perf_counter()


class FeedSource:
    """A camera fed by the benchmark: frames arrive when the driver puts them."""

    live = True
    video = True
    name = "benchmark feed"

    def __init__(self, frames: queue.Queue) -> None:  # type: ignore[type-arg]
        self.frames = frames

    def open(self) -> None:
        pass

    def read(self) -> Frame | None:
        image, shown = self.frames.get()
        return Frame(image, time.monotonic(), 0, None) if shown is None else Frame(image, shown, 0, None)

    def close(self) -> None:
        pass


def frames_for(texts: list[str]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Empty scenes with sensor noise (a camera never repeats a frame exactly: the health
    check would call that frozen) and one frame per card."""
    rng = np.random.default_rng(1)
    scenes = [np.clip(rng.normal(130, 6, (720, 1280)), 0, 255).astype(np.uint8) for _ in range(30)]
    background = scenes[0]
    coded = []
    for text in texts:
        code = cv2.imdecode(np.frombuffer(qr_png_bytes(text, scale=1), np.uint8), cv2.IMREAD_GRAYSCALE)
        code = cv2.resize(code, (400, 400), interpolation=cv2.INTER_NEAREST)
        frame = background.copy()
        frame[160:560, 440:840] = code
        coded.append(frame)
    return scenes, coded


class GapLog:
    """Diagnosis (UI_BENCH_GAPS=1): for each gap over 50 ms, how much of it the GUI thread ran
    (its own CPU time), how long Python's garbage collector ran in it, and the process's CPU
    (all threads): a gap with little GUI-thread CPU waited for the GIL or for a CPU."""

    def __init__(self) -> None:
        import gc

        self.gc_runs: list[tuple[float, float, int]] = []  # (start, end, generation) in the GUI thread
        self.rows: list[tuple[str, float, float, float, float, int]] = []
        self.thread_cpu = time.thread_time()
        self.process_cpu = time.process_time()
        self._gc_start = 0.0
        main = threading.main_thread()

        def on_gc(stage: str, info: dict) -> None:  # type: ignore[type-arg]
            if threading.current_thread() is not main:
                return
            if stage == "start":
                self._gc_start = time.perf_counter()
            else:
                self.gc_runs.append((self._gc_start, time.perf_counter(), info["generation"]))

        gc.callbacks.append(on_gc)

    def note(self, phase: str, began: float, ended: float) -> None:
        thread_cpu, process_cpu = time.thread_time(), time.process_time()
        in_gc = [(e - s, g) for s, e, g in self.gc_runs if s >= began - 0.001 and e <= ended + 0.001]
        self.rows.append(
            (
                phase,
                (ended - began) * 1000,
                (thread_cpu - self.thread_cpu) * 1000,
                (process_cpu - self.process_cpu) * 1000,
                sum(d for d, _ in in_gc) * 1000,
                max((g for _, g in in_gc), default=-1),
            )
        )

    def tick(self) -> None:
        self.thread_cpu, self.process_cpu = time.thread_time(), time.process_time()

    def print(self) -> None:
        print("gaps over 50 ms: phase, gap, GUI-thread CPU since last tick, process CPU, GC in gap (gen)")
        for phase, gap, thread_cpu, process_cpu, gc_ms, gen in self.rows:
            print(
                f"  {phase:14s} {gap:6.1f} ms  gui {thread_cpu:6.1f}  proc {process_cpu:6.1f}  gc {gc_ms:5.1f} ({gen})"
            )


class PaintClock(QObject):
    """Notes when the result panel first paints each outcome, and the GUI thread's stalls."""

    def __init__(self, panel) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.panel = panel
        self.painted: dict[str, float] = {}
        self.first_preview: float | None = None
        self.last_tick = time.perf_counter()
        self.stalls: dict[str, float] = {}  # the longest gap of the 5 ms timer, per phase
        self.ticks: dict[str, int] = {}
        self.over: dict[str, int] = {}  # gaps longer than 50 ms
        self.phase = "scanning"
        self.export_times: dict[str, tuple[float, int]] = {}
        self.measure_stalls = False
        self.gaps = GapLog() if os.environ.get("UI_BENCH_GAPS") else None

    def eventFilter(self, watched, event) -> bool:  # type: ignore[no-untyped-def]
        if event.type() == QEvent.Type.Paint and watched is self.panel:
            outcome = self.panel.outcome
            if outcome is not None and outcome.text not in self.painted:
                self.painted[outcome.text] = time.perf_counter()
        return False

    def tick(self) -> None:
        now = time.perf_counter()
        if self.measure_stalls:
            gap = now - self.last_tick
            if self.gaps is not None and gap > 0.05:
                self.gaps.note(self.phase, self.last_tick, now)
            self.stalls[self.phase] = max(self.stalls.get(self.phase, 0.0), gap)
            self.ticks[self.phase] = self.ticks.get(self.phase, 0) + 1
            self.over[self.phase] = self.over.get(self.phase, 0) + (gap > 0.05)
        self.last_tick = now
        if self.gaps is not None:
            self.gaps.tick()


def cards(count: int) -> list[str]:
    """Demo-signed vaccination cards, one per scan."""
    now = datetime.now(UTC)
    signer = demo_signer()
    dose_date = (now - timedelta(days=30)).date()
    return [
        issue(
            vaccination(Person("Bench", f"Person {i}", "1990-01-01"), 2, 2, dose_date),
            signer,
            now - timedelta(days=1),
        )
        for i in range(count)
    ]


def drive(  # type: ignore[type-arg]
    feed: queue.Queue, first_frame: threading.Event, texts: list[str], frames: tuple, pushed: dict[str, float]
) -> None:
    """Play a 30 fps camera: empty scenes until the window shows the first frame, then for
    each card six empty frames and four frames holding its code."""
    scenes, coded = frames
    empty = iter(scenes * 10_000)

    def put(frame: np.ndarray, shown: float | None = None) -> None:
        feed.put((frame, shown))
        time.sleep(1 / 30)

    while not first_frame.is_set():
        put(next(empty))
    for text, frame in zip(texts, coded, strict=True):
        for _ in range(6):
            put(next(empty))
        pushed[text] = time.perf_counter()
        for _ in range(4):
            put(frame, time.monotonic())
    for _ in range(30):
        put(next(empty))


def sample_stalls(clock: PaintClock) -> None:
    """Diagnosis (UI_BENCH_STALLS=1): print what the GUI thread does when it stalls."""
    import traceback

    main_id = threading.main_thread().ident

    def sample() -> None:
        while True:
            time.sleep(0.2)
            if clock.measure_stalls and time.perf_counter() - clock.last_tick > 0.4:
                frame = sys._current_frames()[main_id]  # type: ignore[index]
                print("STALL", "".join(traceback.format_stack(frame)[-8:]), file=sys.stderr)

    threading.Thread(target=sample, daemon=True).start()


def startups(count: int) -> dict[str, list[float]]:
    """`count` measured starts (after one warm-up), each a new process; seconds from the
    process being started to the window painted and to the first camera picture painted."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as a user has it
    data_dir = tempfile.mkdtemp()
    found: dict[str, list[float]] = {"window": [], "preview": [], "cpu": []}
    for run in range(count + 1):
        began = time.time()
        out = subprocess.run(
            [sys.executable, str(Path(__file__).with_name("startup_probe.py")), data_dir],
            capture_output=True,
            text=True,
            env=env,
            timeout=180,
        ).stdout
        marks = dict(
            line.split() for line in out.splitlines() if line.startswith(("window", "preview", "cpu"))
        )
        if run:  # the first start writes the bytecode caches: a user's very first start only
            for key, values in found.items():
                values.append(float(marks.get(key, "nan")) - (0 if key == "cpu" else began))
    return found


def report(
    clock: PaintClock, texts: list[str], pushed: dict[str, float], starts: dict[str, list[float]]
) -> None:
    latencies = [(clock.painted[t] - pushed[t]) * 1000 for t in texts if t in clock.painted and t in pushed]

    def seconds(values: list[float]) -> str:
        return f"{statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f})" if values else "-"

    rows = [
        ["scans", f"{len(latencies)} of {len(texts)} painted"],
        ["frame with a code -> result panel painted, p50", f"{statistics.median(latencies):.1f} ms"],
        ["... p95", f"{percentile(latencies, 0.95):.1f} ms"],
        [f"start-up -> window painted, median of {len(starts['window'])} (range)", seconds(starts["window"])],
        ["start-up -> first camera picture painted, median (range)", seconds(starts["preview"])],
        ["... CPU the program's process used until the window painted (all threads)", seconds(starts["cpu"])],
    ]
    for phase, what in (
        ("scanning", "longest GUI-thread stall while scanning only"),
        ("sync", "... while the window's sync sends 5,000 checks to a hub"),
        ("export", "... while exports (PDF, XLSX, CSV of 5,000 checks) run in their child process"),
        ("export-thread", "... while the same exports run on a thread of the window's process (before)"),
    ):
        longest, over, ticks = (
            clock.stalls.get(phase, 0.0),
            clock.over.get(phase, 0),
            clock.ticks.get(phase, 0),
        )
        rows.append([what, f"{longest * 1000:.1f} ms ({over} of {ticks} gaps > 50 ms)"])
    print(f"machine: {machine()}; Qt platform {os.environ['QT_QPA_PLATFORM']}")
    print(table(["the window", "value"], rows))


DAY_CHECKS = 5_000


def hub_command(hub_dir: Path, *args: str) -> list[str]:
    url = f"sqlite:///{hub_dir / 'hub.db'}"
    code = "from scanner_hub.cli import main; raise SystemExit(main())"
    return [sys.executable, "-c", code, "--data-dir", str(hub_dir), args[0], "--db", url, *args[1:]]


def start_hub(hub_dir: Path) -> tuple[subprocess.Popen, str, str]:  # type: ignore[type-arg]
    """The district hub in its own process (it is another machine in the field) and a fresh
    enrollment code."""
    from tests.hub_helpers import free_port

    port = free_port()
    enroll = subprocess.run(
        hub_command(hub_dir, "enroll", "--checkpoint", "KH-BENCH", "--type", "road"),
        capture_output=True,
        text=True,
        check=True,
    )
    process = subprocess.Popen(
        hub_command(hub_dir, "serve", "--port", str(port)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    import httpx

    for _ in range(600):  # start-up polling, bounded
        try:
            httpx.get(f"{url}/openapi.json", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    code = next(word for word in enroll.stdout.split() if re.fullmatch(r"[0-9A-Z]+-[0-9A-Z]{20}", word))
    return process, url, code


def prefill(data_dir: Path, hub_url: str, code: str) -> None:
    """A busy day already in the log (queued for the hub), and the scanner enrolled: the
    window's own sync thread sends them when it starts."""
    from scanner_app.app import App
    from scanner_app.services.enroll import enroll

    app = App(data_dir)
    enroll(app.data_dir, app.device, app.trust, app.clock, [hub_url], code)
    app.reload_device()
    fill_day(app, DAY_CHECKS)


def fill_day(app, count: int) -> None:  # type: ignore[no-untyped-def]
    """`count` real checks of today in the app's log, spread from a minute past midnight."""
    store = app.open_store()
    checker, station = app.checker(), app.station()
    now = datetime.now(UTC)
    results = [(checker.check(text, now), text) for text in cards(20)]
    start = datetime.now().astimezone().replace(hour=0, minute=1).astimezone(UTC)
    step = max((now - start).total_seconds() - 60, 60) / count
    for number in range(count):
        result, text = results[number % len(results)]
        store.record(
            result, text, station, wall_time=start + timedelta(seconds=step * number), monotonic=float(number)
        )
    store.close()


def open_window(data_dir: Path, feed: queue.Queue):  # type: ignore[no-untyped-def, type-arg]
    """The real session and window, with the decoder in its own process, fed by `feed`."""
    from scanner_app.camera.isolation import IsolatedDecoder
    from scanner_app.ui.launch import build_session
    from scanner_app.ui.main_window import MainWindow

    session = build_session(
        argparse.Namespace(data_dir=str(data_dir), demo=False, camera=None, kiosk=False),
        decoder=IsolatedDecoder(),
        source=lambda: FeedSource(feed),
    )
    session.sounds.enabled = False
    return session, MainWindow(session)


def exports(session, clock: PaintClock) -> threading.Thread:  # type: ignore[no-untyped-def]
    """The supervisor's three exports of the day, one after the other, as the window runs
    them (a worker thread that only waits for the child process); then, for comparison, the
    same three on a thread of this process, as the window ran them before."""
    from scanner_app.services.export_child import export_in_child

    app = session.app

    def work() -> None:
        from scanner_app.services.export_day import export_day

        out = Path(tempfile.mkdtemp())
        day = datetime.now().astimezone().date()
        checkpoint = app.station().checkpoint_id
        clock.phase = "export"
        for kind in ("pdf", "xlsx", "csv"):
            began = time.perf_counter()
            _, _, rows = export_in_child(app.data_dir, checkpoint, day, kind, out / f"day.{kind}")
            clock.export_times[kind] = (time.perf_counter() - began, rows)
        clock.phase = "scanning"
        time.sleep(2)
        clock.phase = "export-thread"  # the same, as it was before: on a thread of this process
        for kind in ("pdf", "xlsx", "csv"):
            export_day(app.data_dir, app.device, checkpoint, day, kind, out / f"thread.{kind}")
        clock.phase = "scanning"

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scans", type=int, default=SCANS)
    parser.add_argument("--startups", type=int, default=5)
    args = parser.parse_args()
    if os.environ.get("UI_BENCH_WATCHDOG"):
        import faulthandler

        faulthandler.dump_traceback_later(float(os.environ["UI_BENCH_WATCHDOG"]), exit=True)
    starts = startups(args.startups)
    hub_dir, data_dir = Path(tempfile.mkdtemp()), Path(tempfile.mkdtemp())
    hub, hub_url, code = start_hub(hub_dir)
    try:
        prefill(data_dir, hub_url, code)
        clock, texts, pushed = scan_with_sync_and_exports(data_dir, args.scans)
    finally:
        hub.terminate()
        hub.wait(timeout=30)
    report(clock, texts, pushed, starts)
    if clock.gaps is not None:
        clock.gaps.print()
    for kind, (seconds, rows) in clock.export_times.items():
        print(f"export {kind}: {rows} checks in {seconds:.1f} s (child process)")


def scan_with_sync_and_exports(data_dir: Path, scans: int):  # type: ignore[no-untyped-def]
    app = QApplication.instance() or QApplication([])
    texts = cards(scans)
    frames = frames_for(texts)
    feed: queue.Queue = queue.Queue(maxsize=2)  # type: ignore[type-arg]
    session, window = open_window(data_dir, feed)
    clock = PaintClock(window.result)
    window.result.installEventFilter(clock)
    window.resize(1366, 768)
    window.show()
    first_frame = threading.Event()
    session.controller.frame_ready.connect(lambda *_: first_frame.set())
    queued = {"left": None}
    session.controller.sync_changed.connect(lambda status: queued.__setitem__("left", status.queued))
    timer = QTimer()
    timer.timeout.connect(clock.tick)
    timer.start(5)
    session.controller.start()
    pushed: dict[str, float] = {}
    driver = threading.Thread(target=drive, args=(feed, first_frame, texts, frames, pushed), daemon=True)
    driver.start()
    marks: dict[str, float] = {}
    worker: list[threading.Thread] = []

    def watch() -> None:  # runs in the event loop (app.exec), like the real program
        now = time.perf_counter()
        if "measuring" not in marks:
            if window.preview.painted and first_frame.is_set():
                marks["measuring"] = now
                clock.phase, clock.measure_stalls = "sync", True
            return
        left = queued["left"]
        if clock.phase == "sync" and left is not None and left < 50:  # the day is at the hub
            clock.phase, marks["synced"] = "scanning", now
        if "synced" in marks and not worker and now - marks["synced"] > 3:
            worker.append(exports(session, clock))
        busy = driver.is_alive() or not worker or worker[0].is_alive()
        if busy and now - marks["measuring"] < 900:
            marks.pop("driver_done", None)
            return
        finished = len(clock.painted) >= len(pushed)
        stuck = now - marks.setdefault("driver_done", now) > 10
        if finished or stuck:
            clock.measure_stalls = False
            app.quit()

    if os.environ.get("UI_BENCH_STALLS"):
        sample_stalls(clock)
    watcher = QTimer()
    watcher.timeout.connect(watch)
    watcher.start(50)
    app.exec()
    session.controller.stop()
    return clock, texts, pushed


if __name__ == "__main__":
    main()
