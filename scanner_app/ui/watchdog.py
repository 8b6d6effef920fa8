"""systemd's watchdog for kiosk PCs: when the service runs with `WatchdogSec=`, the GUI thread
pings systemd; if the window hangs, the pings stop and systemd restarts the program.

The sd_notify protocol is one datagram on a Unix socket; written here rather than depending
on python-systemd, which needs libsystemd headers to install."""

from __future__ import annotations

import logging
import os
import socket

from PySide6.QtCore import QTimer

log = logging.getLogger(__name__)


def notify(message: str) -> bool:
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]  # abstract namespace
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        try:
            sock.sendto(message.encode(), address)
        except OSError as exc:
            log.warning("sd_notify failed: %s", exc)
            return False
    return True


def start_watchdog(parent: object) -> QTimer | None:
    """READY=1 now, then WATCHDOG=1 from the GUI thread at half the configured interval."""
    notify("READY=1")
    interval_us = int(os.environ.get("WATCHDOG_USEC", "0") or 0)
    if interval_us <= 0:
        return None
    timer = QTimer(parent)  # type: ignore[arg-type]
    timer.timeout.connect(lambda: notify("WATCHDOG=1"))
    timer.start(max(1000, interval_us // 2000))
    return timer
