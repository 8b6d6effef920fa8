"""Reliability row 5: each hostile input of the robustness catalogue (tests/test_verify_robustness.py:
zlib bomb, CBOR depth 100k, declared lengths of 2^63, trailing bytes, ...) gets its typed
reason quickly and without a large allocation. Prints the reason, the median time of verify()
on one core and the peak Python memory it allocated.

    uv run python benchmarks/bad_input.py
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import machine, pin_one_core, table
from scanner_app.core.verify import verify
from scanner_app.devkit.keys import make_csca, make_signer
from tests.test_verify_robustness import CATALOGUE, _context


def main() -> None:
    print(f"machine: {machine()}; {pin_one_core()}")
    signer = make_signer(make_csca(), name="BENCH DSC")
    context = _context(signer)
    rows = []
    for name, (make, expected) in sorted(CATALOGUE.items()):
        text = make(signer)
        times = []
        for _ in range(7):
            began = time.perf_counter()
            verdict = verify(text, context)
            times.append((time.perf_counter() - began) * 1000)
        tracemalloc.start()
        verify(text, context)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        mark = "" if verdict.reason == expected else f" (expected {expected.value})"
        rows.append(
            [name, f"{verdict.reason.value}{mark}", f"{statistics.median(times):.2f}", f"{peak / 1024:.0f}"]
        )
    print(table(["input", "reason", "verify ms (median of 7)", "peak KiB"], rows))


if __name__ == "__main__":
    main()
