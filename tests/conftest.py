"""Shared fixtures: the real third-party test data, fresh dev-kit keys, a fixed clock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
SHARED = (ROOT.parent / "shared" / "testdata").resolve()


def shared_path(*parts: str) -> Path:
    """A path in ../shared/testdata. Without it, skip; on CI (CI=true) it must exist."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"../shared/testdata not found ({path}): real third-party test data is needed"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def shared_params(values: list[Any], *parts: str, ids: list[str] | None = None, width: int = 1) -> list[Any]:
    """Test cases read from ../shared/testdata/<parts>, for `parametrize`. Without that data,
    one skipped case that says what is missing (an empty list would skip with pytest's bare
    "got empty parameter set"); on CI the tests that call `shared_path` fail instead."""
    if values:
        names = ids or [None] * len(values)
        return [
            pytest.param(*(v if isinstance(v, tuple) else (v,)), id=n)
            for v, n in zip(values, names, strict=True)
        ]
    where = SHARED.joinpath(*parts)
    reason = f"../shared/testdata not found ({where}): real third-party test data is needed"
    return [pytest.param(*[None] * width, id="no-shared-testdata", marks=pytest.mark.skip(reason=reason))]


@pytest.fixture(scope="session")
def shared() -> Path:
    return shared_path()


@dataclass
class FakeClock:
    """An injected clock: tests move time forward explicitly instead of sleeping."""

    current: datetime = field(default_factory=lambda: datetime(2021, 10, 20, 3, 0, tzinfo=UTC))
    mono: float = 1000.0

    def now(self) -> datetime:
        return self.current

    def monotonic(self) -> float:
        return self.mono

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)
        self.mono += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def csca():  # type: ignore[no-untyped-def]
    from scanner_app.devkit.keys import make_csca

    return make_csca("VN")


@pytest.fixture(scope="session")
def signer(csca):  # type: ignore[no-untyped-def]
    from scanner_app.devkit.keys import make_signer

    return make_signer(csca, name="TEST DSC EC")


@pytest.fixture(scope="session")
def rsa_signer(csca):  # type: ignore[no-untyped-def]
    from scanner_app.devkit.keys import make_signer

    return make_signer(csca, name="TEST DSC RSA", rsa_key=True)


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "data"
    folder.mkdir()
    yield folder


@pytest.fixture
def cpu_hogs() -> Iterator[int]:
    """Two processes spinning on the CPU while the test runs: a result must not depend on how
    loaded the machine is (media time for video, fixed work for stills)."""
    import subprocess
    import sys

    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        yield len(hogs)
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
