"""The benchmark's frame generator: deterministic, two disjoint splits, codes where the
metadata says, and clips that settle."""

from __future__ import annotations

import numpy as np
import zxingcpp

from benchmarks import qrgen


def test_the_same_frame_every_time_and_different_splits() -> None:
    first, meta = qrgen.frame("tuning", "glare", 3)
    again, _ = qrgen.frame("tuning", "glare", 3)
    other, other_meta = qrgen.frame("test", "glare", 3)
    assert np.array_equal(first, again)
    assert meta["payload"] != other_meta["payload"]
    assert not np.array_equal(
        first[: other.shape[0], : other.shape[1]], other[: first.shape[0], : first.shape[1]]
    )


def test_a_nominal_frame_holds_the_code_its_metadata_names() -> None:
    image, meta = qrgen.frame("test", "nominal", 0)
    width, height = map(int, meta["resolution"].split("x"))
    assert image.shape == (height, width) and image.dtype == np.uint8
    corners = np.array(meta["qr_corners"])
    assert (corners >= 0).all() and (corners[:, 0] < width).all() and (corners[:, 1] < height).all()
    texts = [b.text for b in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]
    assert texts == [meta["payload"]]
    assert meta["payload"].startswith("HC1:")


def test_empty_frames_have_no_payload() -> None:
    image, meta = qrgen.frame("test", "empty", 0)
    assert meta["payload"] is None
    assert zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode) == []


def test_an_approach_clip_settles() -> None:
    blur = [meta["blur_px"] for _, _, _, meta in qrgen.approach_clip(0, frames=24, split="tuning")]
    assert len(blur) == 24
    assert blur[0] > 5 * max(blur[-3:])  # fast entry, then the phone is held nearly still
