"""End to end through the gate pipeline: a 1280x720 video of the dev kit's cards mixed with
empty frames, played at camera speed (30 fps) into capture -> isolated decoder -> verify ->
decide -> durable log. Prints frame-to-decision latency p50/p95, and the CPU the pipeline
uses at 30 fps with no code in view (target: under a third of one core).

    uv run python benchmarks/e2e.py
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2

from benchmarks._common import machine, percentile, table
from scanner_app.app import App
from scanner_app.camera.capture import CaptureLoop, EventKind
from scanner_app.camera.simulated import SimulatedCamera
from scanner_app.camera.sources import CaptureSource
from scanner_app.core.settings import Settings


def make_video(path: Path, seconds: float, with_codes: bool) -> None:
    camera = SimulatedCamera(None if with_codes else [], fps=None, show_seconds=2.0, gap_seconds=1.0)
    camera.open()
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30, camera.size)
    for _ in range(int(seconds * 30)):
        writer.write(camera.read().colour)  # type: ignore[union-attr]
    writer.release()


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def child_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(video: Path, data_dir: Path) -> tuple[list[float], float, float, int]:
    app = App(data_dir, settings=Settings(cooldown_seconds=2.0))
    store = app.open_store()
    service = app.scan_service(store)
    decoder = app.decoder()
    decoder.start()
    source = lambda: CaptureSource(str(video), live=False, pace_fps=30)  # noqa: E731
    loop = CaptureLoop(source, decoder, app.clock.monotonic)
    latencies: list[float] = []

    def on_event(event) -> None:  # type: ignore[no-untyped-def]
        if event.kind is EventKind.CODE:
            outcome = service.handle(event.text, event.frame.captured)
            if outcome is not None:
                latencies.append(outcome.latency_ms)

    cpu_before, wall_before = cpu_seconds(), time.perf_counter()
    child_before = child_cpu(decoder._process.pid)  # type: ignore[attr-defined]
    loop.run(threading.Event(), on_event)
    wall = time.perf_counter() - wall_before
    cpu = cpu_seconds() - cpu_before + child_cpu(decoder._process.pid) - child_before  # type: ignore[attr-defined]
    decoder.close()
    store.close()
    return latencies, cpu / wall, wall, loop.frames


def main() -> None:
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        cards, empty = root / "cards.avi", root / "empty.avi"
        make_video(cards, 30, with_codes=True)
        make_video(empty, 20, with_codes=False)
        (root / "a").mkdir()
        (root / "b").mkdir()
        latencies, _, wall, frames = run(cards, root / "a")
        _, idle_cpu, idle_wall, idle_frames = run(empty, root / "b")
    rows = [
        ["checks (cards shown)", len(latencies)],
        ["frames processed", f"{frames} in {wall:.1f} s ({frames / wall:.1f} fps)"],
        ["latency p50 (frame capture -> decision saved)", f"{statistics.median(latencies):.1f} ms"],
        ["latency p95", f"{percentile(latencies, 0.95):.1f} ms"],
        [
            "CPU at 30 fps, no code in view",
            f"{100 * idle_cpu:.0f} % of one core ({idle_frames} frames in {idle_wall:.1f} s)",
        ],
    ]
    print(table(["end to end through gate", "value"], rows))


if __name__ == "__main__":
    main()
