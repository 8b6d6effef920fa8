"""Generate the outcome sounds (assets/sounds/*.wav): short, distinct, not alarming.
allow: two rising notes; deny: a low double buzz; manual: two level notes."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22050
OUT = Path(__file__).resolve().parent.parent / "assets" / "sounds"


def tone(freq: float, seconds: float, volume: float = 0.5, square: bool = False) -> list[float]:
    samples = []
    for n in range(int(RATE * seconds)):
        phase = math.sin(2 * math.pi * freq * n / RATE)
        value = (1.0 if phase >= 0 else -1.0) * 0.6 if square else phase
        fade = min(1.0, n / 300, (RATE * seconds - n) / 300)
        samples.append(value * volume * fade)
    return samples


def silence(seconds: float) -> list[float]:
    return [0.0] * int(RATE * seconds)


def write(name: str, samples: list[float]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with wave.open(str(OUT / name), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(RATE)
        handle.writeframes(b"".join(struct.pack("<h", int(s * 32000)) for s in samples))


if __name__ == "__main__":
    write("allow.wav", tone(880, 0.12) + silence(0.03) + tone(1320, 0.18))
    write(
        "deny.wav",
        tone(220, 0.2, 0.45, square=True) + silence(0.08) + tone(220, 0.2, 0.45, square=True),
    )
    write("manual.wav", tone(660, 0.15) + silence(0.1) + tone(660, 0.15))
    print(f"wrote sounds to {OUT}")
