"""The window, measured: from a frame with a code entering the pipeline to the result panel
painted (p50/p95 over 200 scans), start-up to the first preview, and the longest stall of
the GUI thread while scanning with a sync cycle and an export running.

    QT_QPA_PLATFORM=offscreen uv run python benchmarks/ui.py
"""

from __future__ import annotations

import argparse
import os
import queue
import statistics
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


class PaintClock(QObject):
    """Notes when the result panel first paints each outcome, and the GUI thread's stalls."""

    def __init__(self, panel) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.panel = panel
        self.painted: dict[str, float] = {}
        self.first_preview: float | None = None
        self.last_tick = time.perf_counter()
        self.longest_stall = 0.0
        self.measure_stalls = False

    def eventFilter(self, watched, event) -> bool:  # type: ignore[no-untyped-def]
        if event.type() == QEvent.Type.Paint and watched is self.panel:
            outcome = self.panel.outcome
            if outcome is not None and outcome.text not in self.painted:
                self.painted[outcome.text] = time.perf_counter()
        return False

    def tick(self) -> None:
        now = time.perf_counter()
        if self.measure_stalls:
            self.longest_stall = max(self.longest_stall, now - self.last_tick)
        self.last_tick = now


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


def report(clock: PaintClock, texts: list[str], pushed: dict[str, float], startup: float) -> None:
    latencies = [(clock.painted[t] - pushed[t]) * 1000 for t in texts if t in clock.painted and t in pushed]
    rows = [
        ["scans", f"{len(latencies)} of {len(texts)} painted"],
        ["frame with a code -> result panel painted, p50", f"{statistics.median(latencies):.1f} ms"],
        ["... p95", f"{percentile(latencies, 0.95):.1f} ms"],
        ["start-up (session, window, decoder process) -> first preview painted", f"{startup:.2f} s"],
        [
            "longest GUI-thread stall while scanning, syncing and exporting",
            f"{clock.longest_stall * 1000:.1f} ms",
        ],
    ]
    print(f"machine: {machine()}; Qt platform {os.environ['QT_QPA_PLATFORM']}")
    print(table(["the window", "value"], rows))


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


def main() -> None:
    if os.environ.get("UI_BENCH_WATCHDOG"):
        import faulthandler

        faulthandler.dump_traceback_later(float(os.environ["UI_BENCH_WATCHDOG"]), exit=True)
    parser = argparse.ArgumentParser()
    parser.add_argument("--scans", type=int, default=SCANS)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    data_dir = Path(tempfile.mkdtemp())
    texts = cards(args.scans)
    frames = frames_for(texts)
    feed: queue.Queue = queue.Queue(maxsize=2)  # type: ignore[type-arg]
    launch_began = time.perf_counter()
    session, window = open_window(data_dir, feed)
    clock = PaintClock(window.result)
    window.result.installEventFilter(clock)
    window.resize(1366, 768)
    window.show()
    first_frame = threading.Event()
    session.controller.frame_ready.connect(lambda *_: first_frame.set())
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
        if "startup" not in marks and window.preview.painted and first_frame.is_set():
            marks["startup"] = time.perf_counter() - launch_began
            clock.measure_stalls = True
            worker.append(background_work(session, data_dir))
        if driver.is_alive():
            marks.pop("driver_done", None)
            return
        finished = len(clock.painted) >= len(pushed)
        stuck = time.perf_counter() - marks.setdefault("driver_done", time.perf_counter()) > 10
        if finished or stuck:
            clock.measure_stalls = False
            app.quit()

    if os.environ.get("UI_BENCH_STALLS"):
        sample_stalls(clock)
    watcher = QTimer()
    watcher.timeout.connect(watch)
    watcher.start(50)
    app.exec()
    for thread in worker:
        thread.join(timeout=120)
    session.controller.stop()
    report(clock, texts, pushed, marks.get("startup", float("nan")))


def background_work(session, data_dir: Path) -> threading.Thread:  # type: ignore[no-untyped-def]
    """A hub sync cycle (enrolled to a real local hub) and a PDF export, while scanning.
    Everything, imports included, happens on this worker thread."""

    def work() -> None:
        from tests.hub_helpers import HubServer
        from tests.test_hub_sync import enroll

        hub_dir = Path(tempfile.mkdtemp())
        with HubServer(f"sqlite:///{hub_dir / 'hub.db'}", hub_dir) as hub:
            enroll(hub, data_dir)
            from scanner_app.services.export_day import export_day
            from scanner_app.ui.controller import WriterOutbox

            app = session.app
            app.reload_device()
            for _ in range(6):
                relay = app.relay(WriterOutbox(session.controller))
                relay.cycle()
                relay.client.close()
                export_day(
                    data_dir,
                    app.device,
                    app.station().checkpoint_id,
                    datetime.now().astimezone().date(),
                    "pdf",
                    data_dir / "day.pdf",
                )
                time.sleep(2)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


if __name__ == "__main__":
    main()
