"""Decoder comparison on ../shared/testdata/qrframes (and the qrphotos set):
our chain vs zxing-cpp alone, pyzbar alone and OpenCV's detectors, measured in the same run.
Per category and overall read rate, misreads and false positives on empty frames, median
and p95 ms per 1280x720 frame on one core; and what isolating the decoder in a child
process costs per frame.

    uv run python benchmarks/decode.py
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import contextlib

import cv2
import zxingcpp

from benchmarks._common import machine, percentile, pin_one_core, table
from scanner_app.camera.decode import Decoder, ImageFileError, load_gray, pyzbar_rung
from scanner_app.camera.isolation import IsolatedDecoder

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "testdata"


def zxing_alone(image) -> list[str]:  # type: ignore[no-untyped-def]
    return [b.text for b in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def opencv_classic(image) -> list[str]:  # type: ignore[no-untyped-def]
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(image)
    return [text] if text else []


def opencv_aruco(image) -> list[str]:  # type: ignore[no-untyped-def]
    text, _, _ = cv2.QRCodeDetectorAruco().detectAndDecode(image)
    return [text] if text else []


def main() -> None:
    print(f"machine: {machine()}; {pin_one_core()}")
    frames = []
    for path in sorted((SHARED / "qrframes").glob("*.jpg")):
        meta = json.loads(path.with_suffix(".json").read_text())
        frames.append((meta, load_gray(path)))
    chain = Decoder(budget_ms=100)
    decoders: dict[str, Callable] = {  # type: ignore[type-arg]
        "this chain": lambda image: [c.text for c in chain.decode(image).codes],
        "zxing-cpp alone": zxing_alone,
        "pyzbar alone": lambda image: [t for t, _ in pyzbar_rung(image)],
        "OpenCV QRCodeDetector": opencv_classic,
        "OpenCV QRCodeDetectorAruco": opencv_aruco,
    }
    categories = sorted({m["category"] for m, _ in frames} - {"empty"})
    results = {}
    for name, decode in decoders.items():
        reads, totals, times = Counter(), Counter(), []
        misreads = false_positives = 0
        for meta, image in frames:
            began = time.perf_counter()
            texts = decode(image)
            elapsed = (time.perf_counter() - began) * 1000
            if meta["resolution"] == "1280x720":
                times.append(elapsed)
            category = meta["category"]
            totals[category] += 1
            if category == "empty":
                false_positives += bool(texts)
            elif meta["payload"] in texts:
                reads[category] += 1
            elif texts:
                misreads += 1
        coded = sum(v for k, v in totals.items() if k != "empty")
        results[name] = (
            reads,
            totals,
            misreads,
            false_positives,
            sum(reads.values()) / coded,
            times,
        )
    rows = [[c, *(f"{results[n][0][c]}/{results[n][1][c]}" for n in decoders)] for c in categories]
    rows.append(["**overall**", *(f"**{100 * results[n][4]:.1f} %**" for n in decoders)])
    rows.append(["misreads", *(str(results[n][2]) for n in decoders)])
    rows.append(
        [
            "false positives (empty frames)",
            *(f"{results[n][3]}/{results[n][1]['empty']}" for n in decoders),
        ]
    )
    rows.append(["median ms / 720p frame", *(f"{statistics.median(results[n][5]):.2f}" for n in decoders)])
    rows.append(["p95 ms / 720p frame", *(f"{percentile(results[n][5], 0.95):.1f}" for n in decoders)])
    print(f"\nqrframes: {len(frames)} frames")
    print(table(["category", *decoders], rows))

    photos = photo_results(chain)
    print(
        f"\nqrphotos: {photos[0]}/{photos[1]} images with an expected text read exactly by this chain "
        f"({photos[2]}/{photos[1]} by zxing-cpp with default options); "
        f"{photos[3]} codes read from falsepositives-1"
    )
    isolation_cost(frames)


def photo_results(chain: Decoder) -> tuple[int, int, int, int]:
    read = total = baseline = 0
    for text_file in sorted((SHARED / "qrphotos").glob("qrcode-*/*.txt")):
        images = [p for p in text_file.parent.glob(text_file.stem + ".*") if p.suffix != ".txt"]
        if not images:
            continue
        total += 1
        expected = text_file.read_bytes().decode("utf-8")
        image = load_gray(images[0])
        read += expected in [c.text for c in chain.decode(image, budget_ms=300).codes]
        baseline += expected in [b.text for b in zxingcpp.read_barcodes(image)]
    false_reads = 0
    for path in (SHARED / "qrphotos" / "falsepositives-1").iterdir():
        with contextlib.suppress(ImageFileError):
            false_reads += len(chain.decode(load_gray(path), budget_ms=300).codes)
    return read, total, baseline, false_reads


def isolation_cost(frames) -> None:  # type: ignore[no-untyped-def]
    sample = [
        image for meta, image in frames if meta["category"] == "nominal" and meta["resolution"] == "1280x720"
    ]
    in_process = Decoder(budget_ms=25)
    direct, isolated = [], []
    with IsolatedDecoder(budget_ms=25) as child:
        for image in sample * 5:
            began = time.perf_counter()
            in_process.decode(image)
            direct.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            child.decode(image)
            isolated.append((time.perf_counter() - began) * 1000)
    overhead = statistics.median(isolated) - statistics.median(direct)
    print(
        f"\ndecoder isolation (child process, shared memory), {len(direct)} nominal 720p frames: "
        f"in-process median {statistics.median(direct):.2f} ms, isolated {statistics.median(isolated):.2f} ms "
        f"-> {overhead:.2f} ms per frame; a crash or hang costs one frame plus ~1 s to restart the child"
    )


if __name__ == "__main__":
    main()
