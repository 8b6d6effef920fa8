"""Live video uses time: frames of one scene are not independent tries.

`SceneDecoder.feed(image, media_time)` is called by the capture loop once per frame it
decodes, in place of `decoder.decode(...)`. Each call costs the first pass on the new frame,
the first pass on the aligned average of the recent frames (a crop: about a millisecond),
and at most one repair rung, like the per-frame rung rotation it replaces:

* aligned averaging: the candidate region of the last few frames, registered to the newest
  by phase correlation (translation; a hand-held phone that has settled barely rotates or
  scales between frames) and averaged, which cuts sensor noise and screen moiré (their
  phases change between frames, the code does not);
* the repair rung rotates across frames, and its target alternates between this frame and
  the average, so a scene that stays unread meets every repair on both;
* the sharpest recent frame replaces this one as the target when it is clearly sharper (a
  twitch blurred this frame; sharpness is the Laplacian's energy over the crop's contrast).

The choices (targets, averaging depth, the sharpness margin; a motion gate that held repairs
back while the code moved was tried and dropped) were made on the tuning approach clips of
benchmarks/approach.py and measured on its separate test clips (docs/decoding.md).

No Qt, no threads, no clock: `media_time` is the frame's own time and only used to forget a
scene that stopped (a gap longer than `forget_after` seconds). Everything here is a pure
function of the frames fed, so the same clip gives the same reads on any machine.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import cv2
import numpy as np

from scanner_app.camera.decode import Corners, DecodedCode, DecodeResult, default_rungs, live_rungs
from scanner_app.camera.enhance import Gray


class DecoderLike(Protocol):
    def decode(self, image: Gray, **options: Any) -> DecodeResult: ...


@dataclass(frozen=True)
class _Seen:
    image: Gray
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 of the candidate with a margin
    sharpness: float
    time: float


def _box(candidate: Corners, shape: tuple[int, ...], margin: float = 0.2) -> tuple[int, int, int, int]:
    xs = [p[0] for p in candidate]
    ys = [p[1] for p in candidate]
    pad = margin * max(max(xs) - min(xs), max(ys) - min(ys)) + 12
    height, width = shape[:2]
    return (
        max(0, int(min(xs) - pad)),
        max(0, int(min(ys) - pad)),
        min(width, int(max(xs) + pad)),
        min(height, int(max(ys) + pad)),
    )


def sharpness(crop: Gray) -> float:
    """Energy of edges at the scale of modules, not of noise: the Laplacian's variance after
    a light blur, divided by the crop's contrast so that exposure changes do not count."""
    smooth = cv2.GaussianBlur(crop, (0, 0), 1.0)
    contrast = float(np.std(smooth)) + 1.0
    return float(cv2.Laplacian(smooth, cv2.CV_32F).var()) / (contrast * contrast)


def _cut(image: Gray, box: tuple[int, int, int, int]) -> Gray:
    x0, y0, x1, y1 = box
    return image[y0:y1, x0:x1]


def aligned_average(
    frames: list[Gray], box: tuple[int, int, int, int], min_response: float = 0.08
) -> Gray | None:
    """The region `box` of the newest frame (last), averaged with the same region of the
    earlier frames shifted onto it. Frames that do not register (the response of the phase
    correlation is low: the scene moved too much or changed) are left out; None when fewer
    than three frames remain."""
    reference = _cut(frames[-1], box).astype(np.float32)
    height, width = reference.shape
    if height < 32 or width < 32:
        return None
    window = cv2.createHanningWindow((width, height), cv2.CV_32F)
    total, count = reference.copy(), 1
    for earlier in frames[:-1]:
        if earlier.shape != frames[-1].shape:
            continue
        moving = _cut(earlier, box).astype(np.float32)
        # copies: OpenCV 4.14's phaseCorrelate multiplies its float32 inputs by the window in place
        (dx, dy), response = cv2.phaseCorrelate(reference.copy(), moving.copy(), window)
        if response < min_response or abs(dx) > width / 4 or abs(dy) > height / 4:
            continue
        shift = np.float32([[1, 0, -dx], [0, 1, -dy]])
        total += cv2.warpAffine(moving, shift, (width, height), borderMode=cv2.BORDER_REFLECT)
        count += 1
    if count < 3:
        return None
    return np.clip(total / count + 0.5, 0, 255).astype(np.uint8)


def _moved(result: DecodeResult, dx: int, dy: int, via: str) -> DecodeResult:
    codes = tuple(
        DecodedCode(
            code.text,
            tuple((x + dx, y + dy) for x, y in code.corners),
            code.decoder,
            f"{via}+{code.method}",
            code.format,
        )
        for code in result.codes
    )
    return replace(result, codes=codes)


@dataclass
class SceneDecoder:
    """Per-frame decoding of live video with a memory of the current scene.

    `history`: how many recent frames with a candidate are kept (full frames: 8 frames of
    720p are 7 MB). `average`: how many of them are averaged. `rungs`: how many of the
    decoder's rungs the rotation covers (its `rung_names`, when it has them; an isolated
    decoder does not say, so the default ladder's) less the stills-only ones at its end."""

    decoder: DecoderLike
    history: int = 8
    average: int = 5
    forget_after: float = 1.0
    rungs: int = 0
    targets: tuple[str, ...] = ("frame", "average")
    prefer_sharper: float = 1.2
    _seen: deque[_Seen] = field(default_factory=deque)
    _averaged: Gray | None = None
    _attempt: int = 0
    _last_time: float | None = None

    def __post_init__(self) -> None:
        if self.rungs <= 0:
            names = getattr(self.decoder, "rung_names", ()) or tuple(r.name for r in default_rungs())
            self.rungs = live_rungs(names)

    def reset(self) -> None:
        self._seen.clear()
        self._averaged = None
        self._attempt = 0

    def feed(self, image: Gray, media_time: float = 0.0) -> DecodeResult:
        if self._last_time is not None and media_time - self._last_time > self.forget_after:
            self.reset()
        self._last_time = media_time
        first = self.decoder.decode(image, max_rungs=0, only_with_candidate=True)
        if first.codes or first.error:
            self.reset()
            return first
        if first.candidate is None:
            self.reset()  # nothing code-like: the scene is over
            return first
        box = _box(first.candidate, image.shape)
        crop = _cut(image, box)
        self._seen.append(_Seen(image, box, sharpness(crop), media_time))
        while len(self._seen) > self.history:
            self._seen.popleft()
        result = self._try_average(box)
        if result is not None and result.codes:
            return result
        return self._repair(image, first)

    def _try_average(self, box: tuple[int, int, int, int]) -> DecodeResult | None:
        recent = [seen.image for seen in list(self._seen)[-self.average :]]
        self._averaged = None
        if len(recent) < 3:
            return None
        self._averaged = aligned_average(recent, box)
        if self._averaged is None:
            return None
        result = self.decoder.decode(self._averaged, max_rungs=0)
        return _moved(result, box[0], box[1], "average")

    def sharpest(self) -> _Seen | None:
        """The sharpest of the recent frames of this scene."""
        return max(self._seen, key=lambda seen: seen.sharpness) if self._seen else None

    def _repair(self, image: Gray, first: DecodeResult) -> DecodeResult:
        """One rung, on the average or on this frame in turn; this frame gives way to the
        sharpest recent one when that is clearly sharper (a twitch blurred this one)."""
        step = self._attempt
        self._attempt += 1
        rung = step % self.rungs
        target = self.targets[(step // self.rungs + step) % len(self.targets)]
        if target == "average" and self._averaged is not None:
            box = self._seen[-1].box
            result = self.decoder.decode(self._averaged, start=rung, max_rungs=1)
            if result.codes:
                return _moved(result, box[0], box[1], "average")
            return replace(first, tried=first.tried + result.tried[1:])
        best = self.sharpest()
        if best is not None and best.sharpness > self.prefer_sharper * self._seen[-1].sharpness:
            result = self.decoder.decode(best.image, start=rung, max_rungs=1)
            if result.codes:
                return _moved(result, 0, 0, "sharpest")
            return replace(first, tried=first.tried + result.tried[1:])
        result = self.decoder.decode(image, start=rung, max_rungs=1)
        if result.codes:
            return result
        return replace(result, candidate=first.candidate, hint=result.hint or first.hint)
