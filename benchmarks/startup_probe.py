"""One start of the window as a user starts it, timed from outside by benchmarks/ui.py: the
real `launch` on the demo camera in a new process; prints (wall-clock seconds) when the
window first painted and when the first camera picture was painted, then quits. Imports
nothing the program would not.

    python benchmarks/startup_probe.py DATA_DIR
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def main(data_dir: str) -> None:
    """In a fresh process: the real launch on the demo camera; prints when the window first
    painted and when the first camera picture was painted (wall-clock seconds), then quits."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from scanner_app.ui.launch import launch

    seen: dict[str, float] = {}

    class FirstPaint(QObject):
        def eventFilter(self, watched, event) -> bool:  # type: ignore[no-untyped-def]
            if event.type() == QEvent.Type.Paint and "window" not in seen:
                seen["window"] = time.time()
                seen["cpu"] = time.process_time()  # this process's CPU so far: the floor on an idle machine
            return False

    def observe(window, session) -> None:  # type: ignore[no-untyped-def]
        paints = FirstPaint(window)
        for widget in (window, window.preview):
            widget.installEventFilter(paints)
        timer = QTimer(window)

        def check() -> None:
            if window.preview.painted and window.preview.image is not None and "preview" not in seen:
                seen["preview"] = time.time()
                QApplication.quit()

        timer.timeout.connect(check)
        timer.start(2)
        QTimer.singleShot(60_000, QApplication.quit)

    args = argparse.Namespace(data_dir=data_dir, demo=True, camera=None, kiosk=False, lang="vi")
    launch(args, observe=observe)
    print(f"window {seen.get('window', float('nan')):.6f}")
    print(f"preview {seen.get('preview', float('nan')):.6f}")
    print(f"cpu {seen.get('cpu', float('nan')):.6f}")


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main(sys.argv[1])
