"""Collecting the parts of a multi-part SMART Health Card (`shc:/C/N/...`, deprecated by the
spec but printed on early cards) scanned one after the other at a station, on the injected
monotonic clock.

Parts carry no card identifier, only C and N, so the collector keeps the latest text for each
part number and forgets parts older than the window. When every part 1..N is present it
returns the joined `shc:/` text, which `verify` checks as one card: parts of two different
cards joined by mistake fail the signature, they cannot pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scanner_app.core.clock import Clock
from scanner_app.core.encoding import DecodeError
from scanner_app.core.shc_codec import join_chunks, parse_text

DEFAULT_WINDOW_SECONDS = 60.0


@dataclass
class ChunkCollector:
    clock: Clock
    window_seconds: float = DEFAULT_WINDOW_SECONDS
    _parts: dict[tuple[int, int], tuple[str, float]] = field(default_factory=dict)

    def add(self, text: str) -> str | None:
        """The whole card's text once `text` completes a set of parts, else None. A text that
        is not a well-formed part is ignored here (the verdict on it says why)."""
        now = self._expire()
        try:
            part = parse_text(text)
        except DecodeError:
            return None
        if part.whole:
            return None
        self._parts[(part.total, part.index)] = (text, now)
        texts = [self._parts.get((part.total, i), ("", 0.0))[0] for i in range(1, part.total + 1)]
        if not all(texts):
            return None
        try:
            joined = join_chunks(texts)
        except DecodeError:
            return None
        for i in range(1, part.total + 1):
            del self._parts[(part.total, i)]
        return joined

    def pending(self) -> tuple[int, int] | None:
        """(parts held, parts needed) of the newest incomplete card, for a prompt."""
        self._expire()
        if not self._parts:
            return None
        total = max(self._parts.items(), key=lambda item: item[1][1])[0][0]
        return sum(1 for key in self._parts if key[0] == total), total

    def _expire(self) -> float:
        now = self.clock.monotonic()
        horizon = now - self.window_seconds
        self._parts = {key: seen for key, seen in self._parts.items() if horizon <= seen[1] <= now}
        return now
