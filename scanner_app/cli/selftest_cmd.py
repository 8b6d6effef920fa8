"""`scanner-app --self-test`: does this installation work? Runnable in the frozen build and
in CI. It verifies a freshly signed dev-kit card against the embedded demo bundle, classifies
and decides it, decodes a bundled picture (UTF-8 intact) in-process and through the isolated
decoder process, opens, migrates and writes a temporary check log, and checks the window's
pieces (Qt, translations, fonts) load. Prints one line per check; exit status 0 when all pass."""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scanner_app import __version__


def _card() -> str:
    from scanner_app.devkit.cards import DEMO_PEOPLE, issue, vaccination
    from scanner_app.devkit.keys import demo_signer

    now = datetime.now(UTC)
    return issue(
        vaccination(DEMO_PEOPLE[0], 2, 2, (now - timedelta(days=30)).date()),
        demo_signer(rsa_key=True),
        now - timedelta(hours=1),
    )


def check_verify(workdir: Path) -> str:
    from scanner_app.app import App

    app = App(workdir)
    result = app.checker().check(_card(), app.clock.now())
    bundle = app.trust.loaded.bundle
    assert result.valid and result.verdict.alg == "PS256", result.reason
    assert (result.colour.value if result.colour else None, result.decision.value) == ("green", "allow")
    return (
        f"PS256 dev-kit card valid, green, allow (bundle #{bundle.sequence}, {len(bundle.signers)} signers)"
    )


def _bundled_picture() -> tuple[object, str]:
    from scanner_app.camera.decode import load_gray
    from scanner_app.system.resources import asset

    image = load_gray(asset("selftest", "cccd-selftest.png"))
    return image, asset("selftest", "cccd-selftest.txt").read_text(encoding="utf-8")


def check_decode(workdir: Path) -> str:
    from scanner_app.camera.decode import Decoder

    del workdir  # the decoder keeps no files
    image, expected = _bundled_picture()
    decoder = Decoder()  # what App.decoder(isolated=False) builds
    texts = [c.text for c in decoder.decode(image).codes]  # type: ignore[arg-type]
    assert texts == [expected], texts
    ladder = decoder.rung_names
    # the WeChat models are data files a build can forget: without them fewer codes read
    assert "wechat" in ladder, f"the WeChat QR models are missing (repairs: {', '.join(ladder)})"
    return f"bundled picture decoded, Vietnamese diacritics intact (zxing-cpp, then {', '.join(ladder)})"


def check_module_reader(workdir: Path) -> str:
    """The last rung's own QR reading (segno's tables, reedsolo's algebra: pieces a build can
    leave out) on the bundled code, blurred by 0.8 module so that zxing-cpp cannot."""
    import cv2
    import numpy as np
    import segno
    import zxingcpp

    from scanner_app.camera import soft_qr

    del workdir
    _, expected = _bundled_picture()
    code = segno.make_qr(expected, error="m", boost_error=False)
    modules = np.pad(np.array(code.matrix, dtype=np.uint8), 4)
    scale = 5
    picture = cv2.resize(
        np.where(modules == 1, 35, 185).astype(np.uint8),
        None,
        fx=scale,
        fy=scale,
        interpolation=cv2.INTER_NEAREST,
    )
    blurred = cv2.GaussianBlur(picture, (0, 0), 0.8 * scale)
    assert not zxingcpp.read_barcodes(blurred, formats=zxingcpp.BarcodeFormat.QRCode), "not blurred enough"
    side = modules.shape[0] - 8
    a, b = 4 * scale, (4 + side) * scale
    corners = np.float32([[a, a], [b, a], [b, b], [a, b]])
    assert soft_qr.decode_symbol(blurred, corners, code.version) == expected
    return f"a QR code blurred beyond zxing-cpp read module by module (version {code.version})"


def check_isolated_decoder(workdir: Path) -> str:
    from scanner_app.camera.isolation import IsolatedDecoder

    image, expected = _bundled_picture()
    began = time.perf_counter()
    with IsolatedDecoder(timeout_seconds=30) as decoder:
        texts = [c.text for c in decoder.decode(image).codes]  # type: ignore[arg-type]
    assert texts == [expected], texts
    return f"decoder child process started and decoded ({time.perf_counter() - began:.1f} s)"


def check_store(workdir: Path) -> str:
    from scanner_app.app import App

    app = App(workdir)
    store = app.open_store()
    try:
        text = _card()
        saved = app.scan_service(store).handle(text, app.clock.monotonic(), force=True)
        report = store.verify()
        mode = store.db.execute("PRAGMA journal_mode").fetchone()[0]
        synchronous = store.db.execute("PRAGMA synchronous").fetchone()[0]
        migrations = store.db.execute("select count(*) from _sqlite_migrations").fetchone()[0]
    finally:
        store.close()
    assert saved is not None and saved.seq == 1 and report.ok and mode == "wal" and synchronous == 2
    return f"temporary check log created, {migrations} migrations applied, WAL + synchronous=FULL, chain ok"


def check_window(workdir: Path) -> str:
    from scanner_app.ui.selftest_window import check_window_pieces

    return check_window_pieces()


CHECKS: list[tuple[str, Callable[[Path], str]]] = [
    ("verify", check_verify),
    ("decode", check_decode),
    ("module reader", check_module_reader),
    ("decoder process", check_isolated_decoder),
    ("check log", check_store),
    ("window", check_window),
]


def run_self_test(args: argparse.Namespace | None = None) -> int:
    frozen = " (frozen build)" if getattr(sys, "frozen", False) else ""
    print(
        f"scanner-app {__version__}{frozen} self-test on {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}"
    )
    failures = 0
    with tempfile.TemporaryDirectory() as folder:
        for name, check in CHECKS:
            workdir = Path(folder) / name.replace(" ", "-")
            workdir.mkdir()
            try:
                print(f"  ok    {name}: {check(workdir)}")
            except Exception as exc:
                failures += 1
                print(f"  FAIL  {name}: {type(exc).__name__}: {exc}")
                traceback.print_exc(file=sys.stderr)
    print("self-test passed" if not failures else f"self-test FAILED: {failures} check(s)")
    return 0 if not failures else 1
