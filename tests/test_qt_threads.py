"""The window's workers are Python threads that emit Qt signals to the GUI thread. PySide6
6.12.0 crashes the interpreter doing exactly that (a refcount error in the bindings); this
test runs the pattern in a child process, 20,000 times, so that an upgrade that brings such
a regression back fails here instead of at a checkpoint."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.gui

SCRIPT = """
import os, threading
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
app = QApplication([])
class Worker(QObject):
    frame = Signal(object, list, str)
    state = Signal(str, str)
    counters = Signal(dict)
worker = Worker()
received = [0]
def count(*args):
    received[0] += 1
for signal in (worker.frame, worker.state, worker.counters):
    signal.connect(count)
def work():
    for i in range(20000):
        worker.frame.emit(QImage(8, 8, QImage.Format.Format_Grayscale8), [(1.0, 2.0)], "")
        worker.state.emit("ok", "")
        worker.counters.emit({"allow": i})
thread = threading.Thread(target=work)
thread.start()
timer = QTimer()
timer.timeout.connect(lambda: app.quit() if received[0] >= 60000 else None)
timer.start(5)
app.exec()
thread.join()
print("received", received[0])
"""


def test_signals_from_python_threads_do_not_crash_the_bindings() -> None:
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "received 60000" in result.stdout
