"""Decoders side by side on every set, in one run: the shared synthetic frames
(../shared/testdata/qrframes), the tuning and test splits generated at run time by
benchmarks/qrgen.py (fixed seeds; nothing stored), and the shared real photographs
(qrphotos, with falsepositives-1 for false reads).

Columns: this chain (scanner_app.camera.decode.Decoder: first pass and the fixed ladder, as
`scanner-app decode` runs it), zxing-cpp alone with its defaults (QR only), pyzbar alone and
OpenCV's WeChat CNN reader alone. Per set: codes read exactly, misreads (a different text),
false positives on frames and pictures without a code, median and p95 ms per 720p frame on
one core; per category for the generated splits; the chain's first pass alone. With
`--ablation`, every candidate repair is also run on every frame the first pass misses, and
the reads each rung alone adds to the chosen ladder on each split are printed: the evidence
for keeping or dropping it (docs/decoding.md).

    uv run python benchmarks/decode.py [--per-category 24] [--ablation]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2
import numpy as np
import zxingcpp

from benchmarks import qrgen
from benchmarks._common import machine, percentile, pin_one_core, table
from scanner_app.camera import enhance
from scanner_app.camera.decode import (
    Decoder,
    ImageFileError,
    Rung,
    _scales_rung,
    default_rungs,
    load_gray,
    pyzbar_rung,
    zxing,
)
from scanner_app.camera.isolation import IsolatedDecoder
from scanner_app.camera.wechat import WeChatReader

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "testdata"


@dataclass
class Item:
    image: np.ndarray
    expected: str | None  # None: no code in the picture
    category: str
    meta: dict = field(default_factory=dict)


@dataclass
class Score:
    reads: Counter = field(default_factory=Counter)
    totals: Counter = field(default_factory=Counter)
    misreads: int = 0
    false_positives: int = 0
    empties: int = 0
    ms_720p: list[float] = field(default_factory=list)
    hits: list[bool] = field(default_factory=list)  # per item: read exactly

    @property
    def rate(self) -> float:
        coded = sum(self.totals.values())
        return sum(self.reads.values()) / coded if coded else 0.0


def generated(split: str, per_category: int) -> list[Item]:
    jobs = [(split, c, i) for c in qrgen.CATEGORIES for i in range(per_category)]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        frames = pool.starmap(qrgen.frame, jobs, chunksize=8)
    return [Item(image, meta["payload"], meta["category"], meta) for image, meta in frames]


def shared_frames() -> list[Item]:
    items = []
    for path in sorted((SHARED / "qrframes").glob("*.jpg")):
        meta = json.loads(path.with_suffix(".json").read_text())
        expected = None if meta["category"] == "empty" else meta["payload"]
        items.append(Item(load_gray(path), expected, meta["category"]))
    return items


def photos() -> list[Item]:
    items = []
    for text_file in sorted((SHARED / "qrphotos").glob("qrcode-*/*.txt")):
        images = [p for p in text_file.parent.glob(text_file.stem + ".*") if p.suffix != ".txt"]
        if images:
            items.append(Item(load_gray(images[0]), text_file.read_bytes().decode("utf-8"), "photo"))
    for path in sorted((SHARED / "qrphotos" / "falsepositives-1").iterdir()):
        with contextlib.suppress(ImageFileError):  # two 1-pixel webp files OpenCV cannot open
            items.append(Item(load_gray(path), None, "empty"))
    return items


def score(decode: Callable[[np.ndarray], list[str]], items: list[Item]) -> Score:
    result = Score()
    for item in items:
        began = time.perf_counter()
        texts = decode(item.image)
        elapsed = (time.perf_counter() - began) * 1000
        result.hits.append(item.expected is not None and item.expected in texts)
        if item.image.shape == (720, 1280):
            result.ms_720p.append(elapsed)
        if item.expected is None:
            result.empties += 1
            result.false_positives += bool(texts)
            continue
        result.totals[item.category] += 1
        if item.expected in texts:
            result.reads[item.category] += 1
        elif texts:
            result.misreads += 1
    return result


def decoders() -> dict[str, Callable[[np.ndarray], list[str]]]:
    chain = Decoder()
    wechat = WeChatReader()
    return {
        "this chain": lambda image: [c.text for c in chain.decode(image).codes],
        "its first pass": lambda image: [c.text for c in chain.decode(image, max_rungs=0).codes],
        "zxing-cpp alone": lambda image: [
            b.text for b in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        ],
        "pyzbar alone": lambda image: [t for t, _ in pyzbar_rung(image)],
        "WeChat alone": lambda image: [t for t, _ in wechat.read(image)],
    }


def summary(sets: dict[str, list[Item]], scores: dict[str, dict[str, Score]]) -> None:
    names = list(next(iter(scores.values())))
    rows = []
    for set_name, items in sets.items():
        coded = sum(item.expected is not None for item in items)
        rows.append([f"{set_name} ({coded})", *(f"{100 * scores[set_name][n].rate:.1f} %" for n in names)])
    rows.append(["misreads (all sets)", *(str(sum(scores[s][n].misreads for s in sets)) for n in names)])
    for set_name, items in sets.items():
        empties = sum(item.expected is None for item in items)
        if empties:
            rows.append(
                [
                    f"false positives, {set_name}",
                    *(f"{scores[set_name][n].false_positives}/{empties}" for n in names),
                ]
            )
    for set_name in sets:
        times = {n: scores[set_name][n].ms_720p for n in names}
        if all(times.values()):
            rows.append(
                [f"median / p95 ms per 720p frame, {set_name}"]
                + [f"{statistics.median(t):.1f} / {percentile(t, 0.95):.0f}" for t in times.values()]
            )
    print(table(["set (frames with a code)", *names], rows))


def per_category(scores: dict[str, dict[str, Score]], names: list[str]) -> None:
    tuning, test = scores["generated tuning"], scores["generated test"]
    categories = sorted(tuning[names[0]].totals)
    headers = ["category"] + [f"{n}: tuning / test" for n in names]
    rows = [
        [
            c,
            *(
                f"{tuning[n].reads[c]}/{tuning[n].totals[c]} / {test[n].reads[c]}/{test[n].totals[c]}"
                for n in names
            ),
        ]
        for c in categories
    ]
    print(table(headers, rows))


# how far the shared frames' generator went (../shared/testdata/qrframes/manifest.json)
SHARED_LIMITS = (
    ("defocus_blur", "defocus_modules", "defocus radius", 1.0, "modules"),
    ("motion_blur", "motion_modules", "motion blur", 2.5, "modules"),
    ("shake", "motion_modules", "hand-shake blur", 2.5, "modules"),
    ("small", "module_px", "module size", 1.5, "px"),
)


def beyond_shared(sets: dict[str, list[Item]], scores: dict[str, dict[str, Score]], names: list[str]) -> None:
    """The generated test split's blur and size categories, split where the shared
    frames' ranges end: how much of the gap to the shared figures is the wider range."""
    items = sets["generated test"]
    rows = []
    for category, key, label, limit, unit in SHARED_LIMITS:
        for inside in (True, False):
            chosen = [
                i
                for i, item in enumerate(items)
                if item.category == category
                and (item.meta[key] <= limit if key != "module_px" else item.meta[key] >= limit) == inside
            ]
            relation = (
                ("<=" if key != "module_px" else ">=") if inside else (">" if key != "module_px" else "<")
            )
            cells = [
                f"{sum(scores['generated test'][n].hits[i] for i in chosen)}/{len(chosen)}" for n in names
            ]
            rows.append([f"{category}: {label} {relation} {limit} {unit}", *cells])
    print(table(["generated test, by the shared frames' limits", *names], rows))


def candidate_pool() -> list[Rung]:
    """Every repair tried (the chosen ladder is a subset)."""
    chosen = {rung.name: rung for rung in default_rungs(use_pyzbar=True)}
    others = [
        Rung("scales", _scales_rung),
        Rung("defocus", lambda im: zxing(enhance.deblur_defocus(im, 1.5))),
        Rung("downscale", zxing),
        Rung("sharpen", lambda im: zxing(enhance.sharpen(im))),
        Rung("fixed-threshold", lambda im: zxing(im, binarizer=zxingcpp.Binarizer.FixedThreshold)),
        Rung("global-histogram", lambda im: zxing(im, binarizer=zxingcpp.Binarizer.GlobalHistogram)),
        Rung("local-contrast", lambda im: zxing(enhance.local_contrast(im))),
        Rung("adaptive", lambda im: zxing(enhance.adaptive_binarise(im))),
        Rung("open-2x2", lambda im: zxing(enhance.open_dark(im))),
        Rung("close-2x2", lambda im: zxing(cv2.morphologyEx(im, cv2.MORPH_CLOSE, np.ones((2, 2), np.uint8)))),
        Rung("smooth", lambda im: zxing(enhance.smooth(im))),
        Rung("median-3", lambda im: zxing(cv2.medianBlur(im, 3))),
        Rung(
            "half-size", lambda im: zxing(cv2.resize(im, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA))
        ),
    ]
    return [*chosen.values(), *others]


def ablation(sets: dict[str, list[Item]]) -> None:
    """For each split: which frames each candidate rung reads among the first-pass misses;
    then, for each rung, the reads lost without it (chosen rungs) or gained with it (others)."""
    pool = candidate_pool()
    chosen = [rung.name for rung in default_rungs()]
    decoder = Decoder(rungs=pool)
    rows: dict[str, list[str]] = {
        rung.name: [rung.name, "yes" if rung.name in chosen else "no"] for rung in pool
    }
    for split in ("generated tuning", "generated test"):
        reads: dict[str, set[int]] = {rung.name: set() for rung in pool}
        costs: dict[str, list[float]] = {rung.name: [] for rung in pool}
        for index, item in enumerate(sets[split]):
            if item.expected is None or item.expected in [
                c.text for c in decoder.decode(item.image, max_rungs=0).codes
            ]:
                continue
            for start, rung in enumerate(pool):
                began = time.perf_counter()
                result = decoder.decode(item.image, start=start, max_rungs=1)
                costs[rung.name].append((time.perf_counter() - began) * 1000)
                if item.expected in [c.text for c in result.codes]:
                    reads[rung.name].add(index)
        ladder = set().union(*(reads[name] for name in chosen))
        for rung in pool:
            others = set().union(*(reads[name] for name in chosen if name != rung.name))
            change = (
                len(ladder) - len(others)
                if rung.name in chosen
                else len(others | reads[rung.name]) - len(ladder)
            )
            sign = "-" if rung.name in chosen else "+"
            rows[rung.name] += [
                str(len(reads[rung.name])),
                f"{sign}{change}",
                f"{statistics.median(costs[rung.name]):.1f}",
            ]
    print(
        table(
            [
                "rung",
                "in ladder",
                "tuning: reads alone",
                "tuning: without / with it",
                "tuning: median ms",
                "test: reads alone",
                "test: without / with it",
                "test: median ms",
            ],
            list(rows.values()),
        )
    )


def isolation_cost(items: list[Item]) -> None:
    """What decoding in the child process (shared memory) costs per frame."""
    sample = [item.image for item in items if item.category == "nominal" and item.image.shape == (720, 1280)]
    in_process = Decoder()
    direct, isolated = [], []
    with IsolatedDecoder() as child:
        child.start()
        for image in sample * 5:
            began = time.perf_counter()
            in_process.decode(image, max_rungs=0)
            direct.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            child.decode(image, max_rungs=0)
            isolated.append((time.perf_counter() - began) * 1000)
    print(
        f"decoder isolation (child process, shared memory), {len(direct)} nominal 720p frames, first pass: "
        f"in-process median {statistics.median(direct):.2f} ms, isolated {statistics.median(isolated):.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-category", type=int, default=24)
    parser.add_argument("--ablation", action="store_true")
    args = parser.parse_args()
    sets = {
        "generated tuning": generated("tuning", args.per_category),
        "generated test": generated("test", args.per_category),
        "shared qrframes": shared_frames(),
        "shared qrphotos": photos(),
    }
    print(f"machine: {machine()}; {pin_one_core()}; {cv2.setNumThreads(1) or 'OpenCV on one thread'}")
    found = decoders()
    scores = {name: {d: score(decode, items) for d, decode in found.items()} for name, items in sets.items()}
    summary(sets, scores)
    print()
    per_category(scores, ["this chain", "zxing-cpp alone", "WeChat alone"])
    tuning, test = scores["generated tuning"]["this chain"].rate, scores["generated test"]["this chain"].rate
    print(f"\ntuning - test gap, this chain: {100 * (tuning - test):+.1f} points\n")
    beyond_shared(sets, scores, ["this chain", "zxing-cpp alone", "WeChat alone"])
    print()
    isolation_cost(sets["shared qrframes"])
    if args.ablation:
        print()
        ablation(sets)


if __name__ == "__main__":
    main()
