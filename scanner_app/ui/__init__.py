"""The desktop window (PySide6): officer mode, kiosk mode, supervisor view. Widgets only;
the work happens in `controller.py`'s threads and arrives here as signals."""
