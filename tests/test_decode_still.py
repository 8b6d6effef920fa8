"""Still pictures get a fixed amount of work: the same file gives the same answer on an idle
machine and beside a CPU hog, through the real `scanner-app decode` command."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from benchmarks import qrgen
from scanner_app.camera import decode as decode_module
from scanner_app.camera.decode import Decoder, load_gray
from tests.cli_helpers import cli_process
from tests.conftest import shared_path

PHOTOS_WITH_TEXT = 72


def _photos() -> list[tuple[Path, str]]:
    folder = shared_path("qrphotos")
    found = []
    for text_file in sorted(folder.glob("qrcode-*/*.txt")):
        images = [p for p in text_file.parent.glob(text_file.stem + ".*") if p.suffix != ".txt"]
        if images:
            found.append((images[0], text_file.read_bytes().decode("utf-8")))
    assert len(found) == PHOTOS_WITH_TEXT
    return found


HARD = (
    ("defocus_blur", 4),
    ("defocus_blur", 9),
    ("glare", 6),
    ("motion_blur", 10),
    ("small", 2),
    ("small", 5),
)


def _hard_frames(folder: Path) -> list[Path]:
    """Generated frames (test split) the first pass misses, so that the repair ladder runs:
    some are read by a rung, some by none (the whole ladder runs)."""
    paths = []
    for category, index in HARD:
        image, _ = qrgen.frame("test", category, index)
        path = folder / f"{category}_{index}.png"
        cv2.imwrite(str(path), image)
        paths.append(path)
    return paths


@pytest.fixture
def cpu_hog() -> Iterator[None]:
    """One spinning process per core, for the length of the test."""
    spin = "while True: pass"
    hogs = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(2)]
    time.sleep(0.5)
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


def _decode_all(paths: list[Path]) -> dict[str, list[str]]:
    run = cli_process("decode", "--json", *map(str, paths), timeout=600)
    assert run.code == 0, run.err
    lines = run.json_lines()
    assert len(lines) == len(paths)
    return {line["file"]: [code["text"] for code in line["codes"]] for line in lines}


@pytest.fixture(scope="module")
def still_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[tuple[Path, str]], list[Path]]:
    return _photos(), _hard_frames(tmp_path_factory.mktemp("hard"))


@pytest.fixture(scope="module")
def idle_answers(still_files) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    photos, hard = still_files
    return _decode_all([p for p, _ in photos] + hard)


@pytest.mark.slow
@pytest.mark.shared
def test_shared_photos_read_through_the_command(still_files, idle_answers) -> None:  # type: ignore[no-untyped-def]
    photos, _ = still_files
    read = sum(expected in idle_answers[str(path)] for path, expected in photos)
    assert read >= 70, f"{read}/{len(photos)}"


@pytest.mark.slow
@pytest.mark.shared
def test_the_same_answers_beside_a_cpu_hog(still_files, idle_answers, cpu_hog) -> None:  # type: ignore[no-untyped-def]
    photos, hard = still_files
    rungs_needed = [
        path for path in hard if len(Decoder().decode(load_gray(path)).tried) > 1
    ]  # the ladder really runs on these
    assert len(rungs_needed) == len(HARD)
    loaded = _decode_all([p for p, _ in photos] + hard)
    assert loaded == idle_answers


def test_the_ladder_never_looks_at_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """A clock that jumps a minute between calls changes nothing: no budget is consulted."""
    image, _ = qrgen.frame("test", "defocus_blur", 9)
    expected = Decoder().decode(image)
    ticks = iter(range(0, 10**9, 60))
    monkeypatch.setattr(decode_module.time, "perf_counter", lambda: float(next(ticks)))
    jumped = Decoder(budget_ms=1).decode(image, budget_ms=1)
    assert jumped.tried == expected.tried
    assert [c.text for c in jumped.codes] == [c.text for c in expected.codes]
    assert len(expected.tried) > 1  # the frame needed repairs, so the ladder was exercised


def test_blank_and_noise_read_nothing_after_the_whole_ladder() -> None:
    blank = np.full((720, 1280), 128, np.uint8)
    noise = np.random.default_rng(3).integers(0, 255, (720, 1280), dtype=np.uint8)
    decoder = Decoder()
    for image in (blank, noise):
        result = decoder.decode(image)
        assert result.codes == ()
