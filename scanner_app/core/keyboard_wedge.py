"""USB 2D barcode scanners act as keyboards: they "type" the code and press Enter. This
buffer tells a scanner's burst (keys a few milliseconds apart) from a person typing, so the
window can accept scans without a text field having focus."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class KeyboardWedge:
    max_gap_seconds: float = 0.05  # scanners type far faster than people
    min_length: int = 8
    _chars: list[str] = field(default_factory=list)
    _last: float | None = None

    def key(self, char: str, monotonic_now: float) -> str | None:
        """Feed one typed character ("\\n" or "\\r" for Enter); returns a complete code."""
        if self._last is not None and monotonic_now - self._last > self.max_gap_seconds:
            self._chars.clear()  # too slow: a person, or the start of a new burst
        self._last = monotonic_now
        if char in "\r\n":
            code = "".join(self._chars)
            self._chars.clear()
            return code if len(code) >= self.min_length else None
        self._chars.append(char)
        return None
