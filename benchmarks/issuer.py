"""The province issuer: 10,000 people issued through a real SoftHSM2 token (signatures, phone
pictures, A4 sheets), per-stage times, signatures per second against the bare token's
signing rate, and how far a webcam can be from a printed card and still read it.

    uv run python benchmarks/issuer.py [--people 10000] [--repeat 1] [--no-distance]

Needs softhsm2 and poppler-utils (pdftoppm). The issue run uses both cores (QR codes and
pictures in worker processes); the token rates are measured on one core.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from PIL import Image, ImageFilter

from benchmarks._common import machine, rate, table
from scanner_issuer.assets import DEFAULT_PROFILE, asset
from scanner_issuer.ceremony import InitOptions, init_issuer
from scanner_issuer.hc1 import SigningKey, cwt_payload, sign_card
from scanner_issuer.issuing import IssueRequest, issue
from scanner_issuer.sheet import CARD_H, CARD_W, PAGE_H, card_origin
from scanner_issuer.state import IssuerState
from scanner_issuer.token import TokenConfig, open_session, token_key
from tests.issuer_helpers import PIN, PIN_ENV, make_token, read_cards, synthetic

AT = datetime(2021, 10, 15, 9, 0, tzinfo=timezone(timedelta(hours=7)))
HFOV_DEGREES = 67.0  # a typical laptop webcam


def token_rates(state: IssuerState, token: TokenConfig) -> dict[str, float]:
    """Signatures per second: the bare token (CKM_ECDSA on a digest), through the adapter,
    and a whole card (CBOR, COSE, ZLIB, Base45) - one core, median of 5 one-second windows."""
    from scanner_app.core.trust import signer_from_certificate

    record = state.signer_for("v")
    with open_session(token, PIN) as session:
        key = token_key(session, record.key_id_bytes)
        digest = hashlib.sha256(b"benchmark").digest()
        bare = rate(lambda: key.sign_digest(digest))  # type: ignore[union-attr]
        signing = SigningKey(key, signer_from_certificate(state.certificate(record)))
        payload = cwt_payload(
            {
                "ver": "1.3.0",
                "nam": {"fnt": "NGUYEN"},
                "dob": "1985-03-12",
                "v": [{"ci": "URN:UVCI:01:VN:KHX#A"}],
            },
            country="VN",
            issued_at=AT,
            expires_at=AT + timedelta(days=365),
        )
        card = rate(lambda: sign_card(payload, signing))
    return {"bare": bare, "card": card}


def issue_run(people: int, folder: Path, token: TokenConfig) -> tuple[float, object, int, float, float]:
    """Wall seconds, the report, cards issued, and CPU seconds of this process and of the
    worker processes (reaped when the run ends) during the run."""
    state = init_issuer(
        InitOptions(folder / "state", token, "VN", "KH", "Sở Y tế Khánh Hòa", "ES256", False,
                    asset(*DEFAULT_PROFILE), AT - timedelta(days=30))
    )  # fmt: skip
    sources = synthetic(people, AT, seed=3).write(folder)
    out = folder / "out"
    out.mkdir()
    before_self, before_children = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    began = time.perf_counter()
    report = issue(state, IssueRequest(sources, AT, out))
    wall = time.perf_counter() - began
    after_self, after_children = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    main_cpu = after_self.ru_utime + after_self.ru_stime - before_self.ru_utime - before_self.ru_stime
    workers_cpu = (after_children.ru_utime + after_children.ru_stime
                   - before_children.ru_utime - before_children.ru_stime)  # fmt: skip
    return wall, report, len(read_cards(out)), main_cpu, workers_cpu


def reading_distance(folder: Path, frames: int) -> list[list[str]]:
    """Printed cards seen by a simulated webcam: the PDF page rasterised at the camera's
    pixels per mm for each distance, one card per 16:9 frame, Gaussian blur 0.75 px, noise,
    JPEG 80; read by the scanner's own decoder (`scanner-app decode`, one still each)."""
    from scanner_app.devkit import cards as devkit_cards
    from scanner_app.devkit.keys import demo_signer
    from scanner_issuer.card_text import CardText
    from scanner_issuer.qr import make_symbol
    from scanner_issuer.sheet import write_sheets

    signer = demo_signer()
    texts = []
    for number in range(frames):
        person = devkit_cards.Person("Nguyễn Thị", "Ngọc Ánh", "1985-03-12")
        dcc = devkit_cards.vaccination(person, 2, 2, AT.date(), ci=f"URN:UVCI:01:VN:KH{number:012d}#A")
        dcc["v"][0]["is"] = "Sở Y tế Khánh Hòa"
        texts.append(devkit_cards.issue(dcc, signer, AT))
    caption = CardText("Nguyễn Thị Ngọc Ánh", "12/03/1985", "green", "Tiêm chủng · Vaccinated 2/2", None,
                       "URN:UVCI:01:VN:KH000000000000#A", "Sở Y tế Khánh Hòa", False)  # fmt: skip
    rng = np.random.default_rng(5)
    rows = []
    settings = [(1280, 30), (1280, 35), (1280, 40), (1920, 40), (1920, 45), (1920, 50), (1920, 55)]
    for ec in ("L", "M"):
        symbols = [make_symbol(text, ec) for text in texts]
        pdf = folder / f"distance-{ec}.pdf"
        for start in range(0, frames, 10):
            chunk = [(caption, s) for s in symbols[start : start + 10]]
            write_sheets(folder / f"distance-{ec}-{start}.pdf", chunk, title="distance", footer="distance")
        module_mm = 54.0 / (symbols[0].size + 8)
        for width, cm in settings:
            px_per_mm = width / (2 * cm * 10 * math.tan(math.radians(HFOV_DEGREES / 2)))
            files = []
            for start in range(0, frames, 10):
                pdf = folder / f"distance-{ec}-{start}.pdf"
                files += _frames(
                    pdf, folder, f"{ec}-{width}-{cm}-{start}", width, px_per_mm, min(10, frames - start), rng
                )
            decoded = subprocess.run(
                [sys.executable, "-m", "scanner_app", "decode", "--json", *files],
                capture_output=True,
                text=True,
                check=True,
            )
            found = {
                code["text"] for line in decoded.stdout.splitlines() for code in json.loads(line)["codes"]
            }
            read = len(found & set(texts))
            rows.append([f"{ec} (version {symbols[0].version()}, {module_mm:.2f} mm)", f"{width}×{width * 9 // 16}",
                         f"{cm} cm", f"{px_per_mm * module_mm:.2f}", f"{read}/{frames}"])  # fmt: skip
    return rows


def _frames(pdf: Path, folder: Path, stem: str, width: int, px_per_mm: float, count: int, rng) -> list[str]:  # type: ignore[no-untyped-def]
    dpi = px_per_mm * 25.4
    subprocess.run(
        ["pdftoppm", "-r", f"{dpi:.2f}", "-gray", "-png", "-singlefile", str(pdf), str(folder / stem)],
        check=True,
    )
    page = Image.open(folder / f"{stem}.png").convert("L")
    height = width * 9 // 16
    files = []
    for index in range(count):
        x, y = card_origin(index)
        box = (
            x / 72 * dpi,
            (PAGE_H - y - CARD_H) / 72 * dpi,
            (x + CARD_W) / 72 * dpi,
            (PAGE_H - y) / 72 * dpi,
        )
        card = page.crop(tuple(round(v) for v in box))
        frame = Image.new("L", (width, height), 110)
        offset = (int(rng.integers(-width // 6, width // 6)), int(rng.integers(-height // 6, height // 6)))
        frame.paste(card, ((width - card.width) // 2 + offset[0], (height - card.height) // 2 + offset[1]))
        pixels = np.asarray(frame.filter(ImageFilter.GaussianBlur(0.75))).astype(float) * 0.8 + 25
        pixels += rng.normal(0, 3, pixels.shape)
        path = folder / f"{stem}-{index}.jpg"
        Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(path, quality=80)
        files.append(str(path))
    return files


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--frames", type=int, default=20, help="frames per distance")
    parser.add_argument("--no-distance", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {machine()}; load average {load:.1f} at start")
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        made = make_token(folder / "hsm")
        os.environ.update(made.env())
        token = TokenConfig(made.module, made.label, PIN_ENV)
        runs = []
        for number in range(args.repeat):
            run_folder = folder / f"run-{number}"
            run_folder.mkdir()
            runs.append(issue_run(args.people, run_folder, token))
        wall = statistics.median(r[0] for r in runs)
        _, report, cards, main_cpu, workers_cpu = sorted(runs, key=lambda r: r[0])[len(runs) // 2]
        load_after = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        affinity = os.sched_getaffinity(0) if hasattr(os, "sched_setaffinity") else None
        if affinity:
            os.sched_setaffinity(0, {sorted(affinity)[0]})
        rates = token_rates(IssuerState.load(folder / "run-0" / "state"), token)
        if affinity:
            os.sched_setaffinity(0, affinity)

        stages = report.stages.seconds  # type: ignore[attr-defined]
        signing = stages["sign in token"]
        rows = [[name, f"{seconds:.2f}"] for name, seconds in stages.items()]
        rows.append(
            [
                f"**total wall time ({args.people:,} people, {cards:,} cards, median of {len(runs)})**",
                f"**{wall:.1f}**",
            ]
        )
        rows.append(["CPU time: main process (signing, register, PDF)", f"{main_cpu:.1f}"])
        rows.append(["CPU time: worker processes (check, valid-until, QR, PNG)", f"{workers_cpu:.1f}"])
        rows.append(["load average (1 min) at the end of the run", f"{load_after:.1f}"])
        print(f"\n{report.summary()}\n")  # type: ignore[attr-defined]
        print(table(["stage (main process wall time; worker CPU time)", "s"], rows))
        signatures = report.signatures  # type: ignore[attr-defined]
        print()
        print(table(
            ["signing (ES256, SoftHSM2)", "signatures/s", "vs bare token"],
            [
                ["bare token: C_Sign(CKM_ECDSA) on a SHA-256 digest, one core", f"{rates['bare']:,.0f}", "1.00"],
                ["a whole card: CBOR + COSE through the token + ZLIB + Base45, one core", f"{rates['card']:,.0f}", f"{rates['card'] / rates['bare']:.2f}"],
                ["inside the issue run ('sign in token' stage)", f"{signatures / signing:,.0f}", f"{signatures / signing / rates['bare']:.2f}"],
                ["the whole issue run (cards per second of wall time)", f"{cards / wall:,.0f}", f"{cards / wall / rates['bare']:.2f}"],
            ],
        ))  # fmt: skip
        if not args.no_distance:
            print()
            rows = reading_distance(folder, args.frames)
            headers = ["QR error correction", "webcam", "distance", "px per module", "frames read"]
            print(table(headers, rows))


if __name__ == "__main__":
    main()
