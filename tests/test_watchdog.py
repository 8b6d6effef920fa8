"""The systemd watchdog pings arrive on the notify socket (a real Unix datagram socket)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from scanner_app.ui.watchdog import notify, start_watchdog

pytestmark = pytest.mark.gui


def test_ready_and_watchdog_pings(qtbot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QObject

    address = str(tmp_path / "notify.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(address)
    server.settimeout(10)
    monkeypatch.setenv("NOTIFY_SOCKET", address)
    monkeypatch.setenv("WATCHDOG_USEC", "2000000")
    owner = QObject()
    timer = start_watchdog(owner)
    assert server.recv(64) == b"READY=1"
    assert timer is not None and timer.interval() == 1000  # half the watchdog period
    server.setblocking(False)
    pings: list[bytes] = []

    def pinged() -> bool:  # the real timer, run by the Qt event loop
        try:
            pings.append(server.recv(64))
        except BlockingIOError:
            return False
        return True

    qtbot.waitUntil(pinged, timeout=5000)
    assert pings == [b"WATCHDOG=1"]
    server.close()


def test_without_systemd_nothing_happens(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert notify("READY=1") is False
