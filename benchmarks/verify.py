"""Verifications per second on one core, ES256 and PS256, next to the bare `cryptography`
signature check on the same keys (the floor), and the CLI's cold start.

    uv run python benchmarks/verify.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import machine, pin_one_core, rate, table
from scanner_app.app import App
from scanner_app.core.context import VerifyContext
from scanner_app.core.cose import parse_cose_sign1, signature_matches
from scanner_app.core.encoding import b45decode_strict, inflate_bounded
from scanner_app.core.trust import TrustStore
from scanner_app.core.verify import verify
from scanner_app.devkit.cards import DEMO_PEOPLE, issue, vaccination
from scanner_app.devkit.keys import make_csca, make_signer

NOW = datetime(2021, 10, 20, 3, 0, tzinfo=UTC)


def main() -> None:
    print(f"machine: {machine()}; {pin_one_core()}")
    csca = make_csca()
    rows = []
    for alg, signer in (("ES256", make_signer(csca)), ("PS256", make_signer(csca, rsa_key=True))):
        text = issue(
            vaccination(DEMO_PEOPLE[0], 2, 2, (NOW - timedelta(days=30)).date()),
            signer,
            NOW - timedelta(days=1),
        )
        context = VerifyContext(TrustStore([signer.trusted()]), NOW)
        message = parse_cose_sign1(inflate_bounded(b45decode_strict(text[4:])))
        key = signer.trusted().public_key
        alg_id = -7 if alg == "ES256" else -37
        assert verify(text, context).valid and signature_matches(message, alg_id, key)
        app = App(Path(tempfile.mkdtemp()))
        checker = app.checker(material=app.trust.material.with_extra_keys(context.trust))
        floor = rate(lambda: signature_matches(message, alg_id, key))
        full = rate(lambda: verify(text, context))
        decided = rate(lambda: checker.check(text, NOW))
        rows.append([alg, f"{floor:,.0f}", f"{full:,.0f}", f"{decided:,.0f}", f"{full / floor:.2f}"])
    print(
        table(
            [
                "alg",
                "bare signature check /s",
                "verify() /s",
                "verify+classify+decide /s",
                "verify ÷ floor",
            ],
            rows,
        )
    )
    starts = []
    for _ in range(7):
        began = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "scanner_app",
                "verify",
                "--at",
                "2021-10-20T10:00:00Z",
                "--json",
                text,
            ],
            check=True,
            capture_output=True,
        )
        starts.append((time.perf_counter() - began) * 1000)
    print(
        f"\nCLI cold start, `scanner-app verify --json` on one PS256 card: median {statistics.median(starts):.0f} ms "
        f"(min {min(starts):.0f}, max {max(starts):.0f}, 7 runs)"
    )


if __name__ == "__main__":
    main()
