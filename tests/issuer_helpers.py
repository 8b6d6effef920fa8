"""Helpers for the issuer's tests and benchmark: a real SoftHSM2 token in a temporary folder,
the issuer CLI as a subprocess, and platform-style CSV exports with realistic Vietnamese
names and valid CCCDs (plus bad rows on request, each with the reason it must get)."""

from __future__ import annotations

import csv
import json
import os
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOFTHSM_CANDIDATES = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
    "/opt/homebrew/lib/softhsm/libsofthsm2.so",
)
PIN_ENV = "TEST_ISSUER_PIN"
PIN = "246810"
SO_PIN = "13579135"


def softhsm_module() -> str:
    """The SoftHSM2 library: skip with a reason when it is missing, fail when CI=true."""
    for candidate in SOFTHSM_CANDIDATES:
        if Path(candidate).exists() and shutil.which("softhsm2-util"):
            return candidate
    message = "SoftHSM2 (libsofthsm2.so and softhsm2-util) is not installed: apt-get install softhsm2"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def need_tool(command: str, package: str) -> None:
    """Skip with the package to install when a system tool is missing; fail when CI=true."""
    if shutil.which(command):
        return
    message = f"{command} is not installed: apt-get install {package}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@dataclass(frozen=True)
class Token:
    """A freshly initialised SoftHSM2 token that lives in its own folder."""

    module: str
    label: str
    config: Path

    def env(self) -> dict[str, str]:
        return {"SOFTHSM2_CONF": str(self.config), PIN_ENV: PIN}

    def init_args(self) -> list[str]:
        return ["--pkcs11-module", self.module, "--token-label", self.label, "--pin-env", PIN_ENV]


def make_token(folder: Path, label: str = "issuer-test") -> Token:
    module = softhsm_module()
    tokens = folder / "tokens"
    tokens.mkdir(parents=True)
    config = folder / "softhsm2.conf"
    config.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", label, "--pin", PIN, "--so-pin", SO_PIN],
        env={**os.environ, "SOFTHSM2_CONF": str(config)},
        check=True,
        capture_output=True,
    )
    return Token(module, label, config)


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_issuer(*args: str, env: dict[str, str] | None = None, timeout: float = 600) -> Run:
    result = subprocess.run(
        [sys.executable, "-m", "scanner_issuer", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
    )
    return Run(result.returncode, result.stdout, result.stderr)


def run_scanner(*args: str, timeout: float = 300) -> Run:
    result = subprocess.run(
        [sys.executable, "-m", "scanner_app", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
    return Run(result.returncode, result.stdout, result.stderr)


def read_cards(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "cards.jsonl").read_text(encoding="utf-8").splitlines()]


def read_rejects(out: Path) -> list[dict[str, str]]:
    with (out / "rejects.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# -- CSV exports ----------------------------------------------------------------------------

VACCINATION_HEADER = [
    "cccd",
    "family_name",
    "given_name",
    "birth_date",
    "vaccine",
    "dose_number",
    "total_doses",
    "date",
]
TEST_HEADER = [
    "cccd",
    "family_name",
    "given_name",
    "birth_date",
    "test_type",
    "result",
    "sample_time",
    "facility",
]
RECOVERY_HEADER = ["cccd", "family_name", "given_name", "birth_date", "first_positive_date", "recovered_date"]

FAMILIES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
]
MIDDLES = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Xuân", "Thị Ngọc", "Hoàng"]
GIVENS = ["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương", "Khánh",
          "Lan", "Linh", "Long", "Mai", "Nam", "Ngân", "Nhung", "Phúc", "Phương", "Quân", "Sơn", "Tâm",
          "Thảo", "Trang", "Trung", "Tuấn", "Vy", "Yến", "Ánh", "Đạt", "Ước"]  # fmt: skip
VACCINES = [
    "AstraZeneca",
    "Pfizer",
    "Moderna",
    "Vero Cell",
    "Sinopharm",
    "Comirnaty",
    "Spikevax",
    "Covishield",
]


def cccd_for(serial: int, birth: date, province: str = "056", female: bool = False) -> str:
    century = {1900: 0, 2000: 2}[birth.year // 100 * 100] + (1 if female else 0)
    return f"{province}{century}{birth.year % 100:02d}{serial % 1_000_000:06d}"


def dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


@dataclass
class Exports:
    """Rows per source, and for each bad row (source, 1-based line in its file) its reason."""

    vaccinations: list[list[str]] = field(default_factory=list)
    tests: list[list[str]] = field(default_factory=list)
    recoveries: list[list[str]] = field(default_factory=list)
    bad: dict[tuple[str, int], str] = field(default_factory=dict)

    def write(self, folder: Path, bom: bool = False) -> dict[str, Path]:
        paths = {}
        for kind, header, rows in (
            ("vaccinations", VACCINATION_HEADER, self.vaccinations),
            ("tests", TEST_HEADER, self.tests),
            ("recoveries", RECOVERY_HEADER, self.recoveries),
        ):
            if not rows:
                continue
            path = folder / f"{kind}.csv"
            with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(header)
                writer.writerows(rows)
            paths[kind] = path
        return paths

    def mark_bad(self, kind: str, reason: str) -> None:
        """The row just appended to `kind` must be rejected for `reason`."""
        self.bad[(kind, len(getattr(self, kind)) + 1)] = reason  # +1: the header is line 1


def synthetic(people: int, at: datetime, seed: int = 7, bad_fraction: float = 0.0) -> Exports:
    """People with one or two doses (a few with a recent PCR test or a recovery)."""
    rng = random.Random(seed)
    exports = Exports()
    today = at.date()
    for serial in range(people):
        birth = date(rng.randint(1940, 2005), rng.randint(1, 12), rng.randint(1, 28))
        identity = [cccd_for(serial, birth, female=serial % 2 == 1), rng.choice(FAMILIES),
                    f"{rng.choice(MIDDLES)} {rng.choice(GIVENS)}", dmy(birth)]  # fmt: skip
        doses = rng.choice((1, 2, 2, 2))
        first = today - timedelta(days=rng.randint(30, 120))
        vaccine = rng.choice(VACCINES)
        for dose in range(1, doses + 1):
            when = first + timedelta(days=28 * (dose - 1))
            exports.vaccinations.append([*identity, vaccine, str(dose), "2", dmy(when)])
            if bad_fraction and rng.random() < bad_fraction:
                _spoil(exports, rng, today)
        if serial % 10 == 0:
            sampled = at - timedelta(hours=rng.randint(2, 60))
            exports.tests.append(
                [*identity, "PCR", "negative", sampled.strftime("%d/%m/%Y %H:%M"), "CDC Khánh Hòa"]
            )
        if serial % 50 == 0:
            positive = today - timedelta(days=rng.randint(20, 90))
            exports.recoveries.append([*identity, dmy(positive), dmy(positive + timedelta(days=14))])
    return exports


def _spoil(exports: Exports, rng: random.Random, today: date) -> None:
    """Replace the last vaccination row with a bad one, recording why it is bad."""
    row = list(exports.vaccinations[-1])
    choice = rng.randrange(8)
    if choice == 0:
        row[0] = row[0][:-1]  # 11 digits
        reason = "bad_cccd"
    elif choice == 1:
        row[7] = dmy(today + timedelta(days=3))
        reason = "future_date"
    elif choice == 2:
        row[4] = "Covaxin-X"
        reason = "unknown_product"
    elif choice == 3:
        row[5], row[6] = "3", "2"
        reason = "dose_above_series"
    elif choice == 4:
        row[7] = "31/02/2021"
        reason = "bad_date"
    elif choice == 5:
        row[2] = ""
        reason = "missing_field"
    elif choice == 6:
        row[2] = "Văn 2"
        reason = "bad_name"
    else:
        row[5] = "hai"
        reason = "bad_dose"
    exports.vaccinations[-1] = row
    exports.mark_bad("vaccinations", reason)
