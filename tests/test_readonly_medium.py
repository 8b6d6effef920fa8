"""A real read-only medium (issue 21): the data folder on a filesystem mounted read-only, not
a `PRAGMA query_only` on an open connection. Opening the log there is a typed problem, never
a traceback: `gate` says so and exits 2; the window pauses with its banner until Ctrl+R.

Mounting needs root (CI runs as root); elsewhere the test skips and says why."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner_app.app import App
from scanner_app.core.record import StoreProblem
from scanner_app.store.db import StoreUnavailable
from tests.cli_helpers import cli


@pytest.fixture
def medium(tmp_path: Path) -> Iterator[Path]:
    """A small tmpfs holding a scanner's data folder with a check log; remounted read-only."""
    mount_point = tmp_path / "stick"
    mount_point.mkdir()
    mounted = (
        os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(mount_point)], capture_output=True
        ).returncode
        == 0
    )
    if not mounted:
        message = "mounting a read-only filesystem needs root here"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    try:
        app = App(mount_point)
        app.pins()  # the window's first start wrote its PIN state too
        app.open_store().close()
        subprocess.run(["mount", "-o", "remount,ro", str(mount_point)], check=True)
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_a_read_only_medium_is_a_typed_problem(medium: Path) -> None:
    with pytest.raises(StoreUnavailable) as problem:
        App(medium).open_store()
    assert problem.value.problem is StoreProblem.READ_ONLY


def test_gate_on_a_read_only_medium_says_so(medium: Path) -> None:
    run = cli("--data-dir", str(medium), "gate", "--source", "-", "--json", stdin="HC1:NOTHING\n")
    assert run.code == 2 and "cannot be written" in run.err and "Traceback" not in run.err


@pytest.mark.gui
def test_the_window_pauses_on_a_read_only_medium(qtbot, medium: Path) -> None:  # type: ignore[no-untyped-def]
    import argparse

    from scanner_app.camera.decode import Decoder
    from scanner_app.camera.sources import ImageFilesSource
    from scanner_app.ui.launch import build_session

    args = argparse.Namespace(data_dir=str(medium), demo=False, camera=None, kiosk=False)
    session = build_session(args, decoder=Decoder(), source=lambda: ImageFilesSource([], "nothing"))
    try:
        with qtbot.waitSignal(session.controller.store_problem, timeout=20_000) as blocker:
            session.controller.start()
        assert blocker.args[0] is StoreProblem.READ_ONLY and session.controller.paused
    finally:
        session.controller.stop()
