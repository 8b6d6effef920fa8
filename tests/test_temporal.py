"""The live-video scene decoder: averaging aligned frames reads what no single frame does,
the sharpest recent frame is found, and a scene is forgotten when it ends."""

from __future__ import annotations

import numpy as np
import segno

from scanner_app.camera.decode import Decoder, live_rungs
from scanner_app.camera.temporal import SceneDecoder, aligned_average, sharpness

TEXT = "HC1:" + "TEMPORAL-AVERAGING-TEST-0123456789" * 6


def _code(scale: int = 3) -> np.ndarray:
    matrix = np.array(segno.make_qr(TEXT, error="m", boost_error=False).matrix, dtype=np.uint8)
    modules = np.pad(matrix, 4)
    image = np.where(np.kron(modules, np.ones((scale, scale), np.uint8)) > 0, 40, 215).astype(np.float32)
    canvas = np.full((720, 1280), 128, np.float32)
    top, left = 150, 400
    canvas[top : top + image.shape[0], left : left + image.shape[1]] = image
    return canvas


def _noisy_frames(count: int, sigma: float, seed: int = 7) -> list[np.ndarray]:
    """The same code, shifted by a pixel or two between frames (a hand), fresh noise each."""
    rng = np.random.default_rng(seed)
    clean = _code()
    frames = []
    for _ in range(count):
        dx, dy = rng.integers(-2, 3, 2)
        shifted = np.roll(clean, (int(dy), int(dx)), axis=(0, 1))
        frames.append(np.clip(shifted + rng.normal(0, sigma, shifted.shape), 0, 255).astype(np.uint8))
    return frames


def test_averaging_reads_frames_that_singly_do_not() -> None:
    decoder = Decoder()
    frames = _noisy_frames(8, sigma=55)
    singles = [decoder.decode(frame, max_rungs=0) for frame in frames]
    assert not any(result.codes for result in singles)  # the first pass misses every frame
    assert all(result.candidate is not None for result in singles)  # but sees where the code is
    scene = SceneDecoder(decoder)
    reads = []
    for index, frame in enumerate(frames):
        result = scene.feed(frame, index / 30)
        if result.codes:
            reads.append((index, result.codes[0]))
            break
    assert reads, "never read"
    index, code = reads[0]
    assert code.text == TEXT
    assert code.method.startswith("average+")
    assert index <= 5


def test_aligned_average_undoes_the_shifts() -> None:
    clean = _code().astype(np.uint8)
    frames = [np.roll(clean, (dy, dx), axis=(0, 1)) for dy, dx in ((2, -1), (0, 3), (-2, 1), (0, 0))]
    box = (380, 130, 700, 450)
    averaged = aligned_average(frames, box)
    assert averaged is not None
    target = clean[130:450, 380:700].astype(np.float32)
    assert float(np.mean(np.abs(averaged.astype(np.float32) - target))) < 4.0


def test_unrelated_frames_are_not_averaged() -> None:
    rng = np.random.default_rng(1)
    frames = [rng.integers(0, 255, (720, 1280), dtype=np.uint8) for _ in range(4)]
    assert aligned_average(frames, (100, 100, 400, 400)) is None


def test_sharpness_prefers_the_sharp_frame() -> None:
    import cv2

    crop = _code()[130:450, 380:700].astype(np.uint8)
    blurred = cv2.GaussianBlur(crop, (0, 0), 2.0)
    darker = (crop * 0.5).astype(np.uint8)
    assert sharpness(crop) > 2 * sharpness(blurred)
    assert abs(sharpness(darker) - sharpness(crop)) < 0.25 * sharpness(crop)  # contrast does not count


def test_a_scene_is_forgotten_when_nothing_code_like_is_in_view_or_time_jumps() -> None:
    scene = SceneDecoder(Decoder())
    frames = _noisy_frames(3, sigma=55)
    for index, frame in enumerate(frames[:2]):
        scene.feed(frame, index / 30)
    assert len(scene._seen) == 2
    scene.feed(np.full((720, 1280), 128, np.uint8), 0.1)
    assert len(scene._seen) == 0
    scene.feed(frames[2], 0.2)
    scene.feed(frames[0], 5.0)  # a long gap: a new scene
    assert len(scene._seen) == 1


def test_a_clean_frame_reads_on_the_first_pass() -> None:
    scene = SceneDecoder(Decoder())
    result = scene.feed(_code().astype(np.uint8), 0.0)
    assert [c.text for c in result.codes] == [TEXT]
    assert result.codes[0].method == "plain"


def test_the_sharpest_recent_frame_stands_in_for_a_blurred_one() -> None:
    """A recorder decoder shows which image the repair went to."""
    import cv2

    from scanner_app.camera.decode import DecodeResult

    class Recorder:
        def __init__(self) -> None:
            self.inner = Decoder()
            self.repaired: list[np.ndarray] = []

        def decode(self, image: np.ndarray, **options: object) -> DecodeResult:
            if options.get("max_rungs") == 1 and image.shape == (720, 1280):
                self.repaired.append(image)
            return self.inner.decode(image, max_rungs=0, only_with_candidate=True)

    sharp = _noisy_frames(1, sigma=55)[0]
    blurred = cv2.GaussianBlur(sharp, (0, 0), 2.5)
    recorder = Recorder()
    scene = SceneDecoder(recorder, targets=("frame",))
    scene.feed(sharp, 0.0)
    scene.feed(blurred, 1 / 30)
    assert scene.sharpest() is not None and scene.sharpest().image is sharp
    assert recorder.repaired[-1] is sharp


def test_the_scene_decoder_drives_the_isolated_decoder_process() -> None:
    from scanner_app.camera.isolation import IsolatedDecoder

    frames = _noisy_frames(8, sigma=55)
    with IsolatedDecoder() as child:
        scene = SceneDecoder(child)
        texts = []
        for index, frame in enumerate(frames):
            texts = [code.text for code in scene.feed(frame, index / 30).codes]
            if texts:
                break
    assert texts == [TEXT]


def test_live_rotation_leaves_the_stills_only_rungs_out() -> None:
    """The module-by-module rung costs ~0.5 s a frame: live video drops more frames than it
    wins back (approach clips, docs/decoding.md), so only stills run it."""
    decoder = Decoder()
    assert decoder.rung_names[-1] == "cnn-grid"
    scene = SceneDecoder(decoder)
    assert scene.rungs == len(decoder.rung_names) - 1
    assert live_rungs(("plain-a", "cnn-grid")) == 1
    assert live_rungs(("cnn-grid", "plain-a")) == 2  # only a tail of stills-only rungs is cut
