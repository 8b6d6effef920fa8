"""Time to first read on synthetic approach clips (benchmarks/qrgen.py: a phone brought in
front of a 720p webcam, motion blur falling as it settles, glare drifting, fresh noise in
every frame), in media time, never wall-clock time: the same clips give the same table on an
idle and on a loaded machine.

Three ways to decode the live frames are compared on the same clips:
  first pass only      zxing-cpp on each frame, no repair
  rung per frame       what the capture loop did before: one repair rung per frame,
                       the next rung on the next frame (Decoder(start=k, max_rungs=1))
  scene decoder        scanner_app.camera.temporal.SceneDecoder: aligned averaging of the
                       recent frames, the sharpest recent frame, and the rung rotating over
                       this frame, the average and the sharpest

The decoder is busy for a nominal cost per call (the table COST_MS: median milliseconds per
720p frame and per rung measured on this 2-core machine by benchmarks/decode.py, pinned to
one core), and frames that arrive at 30 fps while it is busy are dropped, as the capture
loop's one-frame mailbox drops them. The time to first read is the media time at which the
decode that read the code finished.

    uv run python benchmarks/approach.py [--clips 120] [--frames 45] [--only 68 ...]

Every misread is listed after the table (clip, strategy, frame, rung, text).
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2

from benchmarks import qrgen
from benchmarks._common import machine, percentile, table
from scanner_app.camera.decode import Decoder, DecodeResult, live_rungs
from scanner_app.camera.temporal import SceneDecoder

FPS = 30.0
# nominal work per call, ms: the first pass per 720p frame (crops cost in proportion to their
# area, at least 10 %) and each rung's median on 40 test-split 720p frames the first pass
# misses (`--costs`), measured on 2026-12-02 on this 2-core machine, quiet, pinned to one
# core; `scales`, `defocus` and `pyzbar` (not in the ladder) from an earlier measurement at
# load 5-7. A fixed table keeps the result a function of the clips alone.
COST_MS = {
    "plain": 3.3,
    "upscale": 1.3,
    "thresholds": 12.8,
    "cnn-finder": 17.1,
    "cnn-locate": 48.3,
    "wechat": 54.2,
    "wechat-defocus": 80.6,
    "motion": 100.2,
    "cnn-grid": 460.6,  # measured 13:03 the same day, load ~1.1
    "scales": 7.7,
    "defocus": 66.7,
    "pyzbar": 14.6,
}
ALIGN_MS = 3.0  # phase correlation of up to five crops, per averaged frame


class Metered:
    """Wraps the decoder and adds up the nominal cost of each call it serves."""

    def __init__(self, decoder: Decoder) -> None:
        self.decoder = decoder
        self.rung_names = decoder.rung_names
        self.work_ms = 0.0

    def decode(self, image: Any, **options: Any) -> DecodeResult:
        result = self.decoder.decode(image, **options)
        area = max(0.1, image.shape[0] * image.shape[1] / (1280 * 720))
        self.work_ms += COST_MS["plain"] * area
        self.work_ms += sum(COST_MS.get(name, 5.0) for name in result.tried[1:])
        if area < 1 and not options.get("only_with_candidate"):
            self.work_ms += ALIGN_MS / 2
        return result


STRATEGIES = ("first pass only", "rung per frame", "scene decoder")


def simulate(
    clip: list[tuple[int, float, Any, dict]], strategy: str, decoder: Decoder, **scene_options: Any
) -> tuple[float | None, int, list[str]]:
    """One strategy over one clip: (media time of the first read or None, frames decoded,
    the misreads: frame, rung and text of each)."""
    payload = clip[0][3]["payload"]
    meter = Metered(decoder)
    scene = SceneDecoder(meter, **scene_options)
    rung = 0
    busy_until = 0.0
    decoded = 0
    misreads: list[str] = []
    for index, media_time, image, _ in clip:
        if media_time < busy_until:
            continue  # the mailbox dropped it: the decoder was still busy
        meter.work_ms = 0.0
        if strategy == "first pass only":
            result = meter.decode(image, max_rungs=0)
        elif strategy == "rung per frame":
            result = meter.decode(image, start=rung, max_rungs=1, only_with_candidate=True)
            rung = 0 if result.codes else (rung + 1) % live_rungs(decoder.rung_names)
        else:
            result = scene.feed(image, media_time)
        decoded += 1
        busy_until = media_time + meter.work_ms / 1000
        texts = [code.text for code in result.codes]
        misreads += [
            f"frame {index}, {code.method}: {code.text[:40]!r}"
            for code in result.codes
            if code.text != payload
        ]
        if payload in texts:
            return busy_until, decoded, misreads
    return None, decoded, misreads


def run_clip(args: tuple[int, int, str]) -> dict[str, tuple[float | None, int, list[str]]]:
    index, frames, split = args
    cv2.setNumThreads(1)
    clip = list(qrgen.approach_clip(index, frames, FPS, split))
    decoder = Decoder()
    return {strategy: simulate(clip, strategy, decoder) for strategy in STRATEGIES}


def measure_costs(frames: int = 40) -> None:
    """COST_MS's provenance: each rung's median over `frames` test-split 720p frames the first
    pass misses (one call with that rung alone, less the first pass it starts with)."""
    import time

    cv2.setNumThreads(1)
    decoder = Decoder()
    misses = []
    for index in range(24):
        for category in qrgen.CATEGORIES:
            image, meta = qrgen.frame("test", category, index)
            if (
                meta["payload"]
                and image.shape == (720, 1280)
                and not decoder.decode(image, max_rungs=0).codes
            ):
                misses.append(image)
        if len(misses) >= frames:
            break

    def ms(**options: Any) -> list[float]:
        took = []
        for image in misses[:frames]:
            began = time.perf_counter()
            decoder.decode(image, **options)
            took.append((time.perf_counter() - began) * 1000)
        return took

    plain = statistics.median(ms(max_rungs=0))
    rows = [["plain (the first pass)", f"{plain:.1f}", f"{COST_MS['plain']:.1f}"]]
    for start, name in enumerate(decoder.rung_names):
        cost = statistics.median(ms(start=start, max_rungs=1)) - plain
        rows.append([name, f"{cost:.1f}", f"{COST_MS.get(name, float('nan')):.1f}"])
    print(f"machine: {machine()}; {len(misses[:frames])} test-split 720p frames the first pass misses")
    print(table(["rung", "median ms, measured now", "COST_MS"], rows))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clips", type=int, default=120)
    parser.add_argument("--frames", type=int, default=45)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--split", choices=("test", "tuning"), default="test")
    parser.add_argument("--only", type=int, nargs="+", help="these clip indices instead of the first --clips")
    parser.add_argument("--costs", action="store_true", help="measure each rung's cost (COST_MS)")
    args = parser.parse_args()
    if args.costs:
        measure_costs()
        return
    clips = args.only or list(range(args.clips))
    print(
        f"machine: {machine()}; {len(clips)} {args.split} clips of {args.frames} frames "
        f"at {FPS:.0f} fps (media time)"
    )
    with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
        results = pool.map(run_clip, [(i, args.frames, args.split) for i in clips])
    limit = args.frames / FPS
    rows = []
    for name in results[0]:
        times = [r[name][0] for r in results]
        read = [t for t in times if t is not None]
        ranked = sorted(t if t is not None else float("inf") for t in times)
        p95 = percentile(ranked, 0.95)
        rows.append(
            [
                name,
                f"{len(read)}/{len(times)}",
                f"{statistics.median(ranked):.2f} s" if statistics.median(ranked) < float("inf") else "never",
                f"{p95:.2f} s" if p95 < float("inf") else f"> {limit:.1f} s",
                f"{statistics.mean(r[name][1] for r in results):.1f}",
                str(sum(len(r[name][2]) for r in results)),
            ]
        )
    print(
        table(
            [
                "live decoding",
                "clips read",
                "median time to first read",
                "p95",
                "frames decoded / clip",
                "misreads",
            ],
            rows,
        )
    )
    for clip, result in zip(clips, results, strict=True):
        for name, (_, _, misreads) in result.items():
            for misread in misreads:
                print(f"misread: clip {clip}, {name}, {misread}")


if __name__ == "__main__":
    main()
