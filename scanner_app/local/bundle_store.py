"""The installed trust bundle on disk, its ratchet, the trusted-time floor, and the mark that
production trust was ever installed.

Layout under `<data dir>/trust/`: `bundle.cose` (the signed bundle as received),
`ratchet.json` (sequence high-water mark and blocklist entries earlier bundles signed),
`time.json` (the trusted-time floor). Installing stages both files, renames the bundle,
then the ratchet; `load` rolls a half-finished install forward or back, so a crash at any
point leaves the old bundle or the new one, never a mix.

Failing closed: once a production bundle was installed, `device/production.json` (outside
the trust folder) and the check log's metadata remember it. From then on a missing,
truncated, tampered or mismatched trust folder, or a corrupt state file, never falls back to
the embedded DEMO bundle: `load` reports the trust as damaged, and every decision is manual
until `bundle import` (USB) or a sync installs a genuine bundle again. The DEMO fallback is
only for a device that never had production trust.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from scanner_app.core.bundle import (
    Anchor,
    BundleError,
    BundleProblem,
    Ratchet,
    TrustBundle,
    admit,
    open_bundle,
)
from scanner_app.core.clock import TimeFloor
from scanner_app.local.atomic import commit_staged, write_atomic, write_staged
from scanner_app.system.resources import asset

log = logging.getLogger(__name__)
DEMO_BUNDLE = "demo-bundle.cose"


def app_anchors() -> list[Anchor]:
    """The anchor keys pinned in this build (assets/anchors/*.pem); `demo-*` files are demo."""
    anchors = []
    for path in sorted(asset("anchors").glob("*.pem")):
        key = serialization.load_pem_public_key(path.read_bytes())
        if isinstance(key, ec.EllipticCurvePublicKey):
            anchors.append(Anchor(path.stem, key, demo=path.stem.startswith("demo")))
    return anchors


@dataclass(frozen=True)
class ProductionMark:
    """The newest production bundle this device installed, remembered outside `trust/`."""

    sequence: int
    issuer: str
    digest: str

    def to_json(self) -> dict[str, Any]:
        return {"sequence": self.sequence, "issuer": self.issuer, "digest": self.digest}

    @classmethod
    def from_json(cls, data: Any) -> ProductionMark:
        return cls(int(data["sequence"]), str(data["issuer"]), str(data["digest"]))


@dataclass(frozen=True)
class LoadedTrust:
    bundle: TrustBundle
    ratchet: Ratchet
    installed: bool  # False: the embedded demo bundle
    problem: str | None = None  # why the installed bundle could not be used, if it could not
    damaged: bool = False  # production trust was installed and is unusable now: fail closed
    floor: TimeFloor = field(default_factory=TimeFloor)


class StateFileError(ValueError):
    """A state file in the trust folder is unreadable or malformed."""


class BundleStore:
    def __init__(self, data_dir: Path, anchors: Sequence[Anchor] | None = None) -> None:
        self.folder = data_dir / "trust"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.anchors = list(anchors) if anchors is not None else app_anchors()
        self.bundle_path = self.folder / "bundle.cose"
        self.ratchet_path = self.folder / "ratchet.json"
        self.time_path = self.folder / "time.json"
        self.etag_path = self.folder / "bundle.etag"
        self.mark_path = data_dir / "device" / "production.json"

    # -- reading ------------------------------------------------------------------------

    def load(self, remembered: ProductionMark | None = None) -> LoadedTrust:
        """The trust to decide with. `remembered`: a production mark kept elsewhere (the check
        log's metadata), for when the device folder lost its own."""
        mark = self.production_mark() or remembered
        try:
            self._finish_interrupted_install()
            ratchet = self.ratchet()
            floor = self.time_floor()
            bundle = (
                open_bundle(self.bundle_path.read_bytes(), self.anchors)
                if self.bundle_path.exists()
                else None
            )
        except (StateFileError, BundleError, OSError, ValueError, KeyError) as exc:
            return self._unusable(
                mark, f"{type(exc).__name__}: {exc}" if not isinstance(exc, StateFileError) else str(exc)
            )
        production = mark is not None or ratchet.production_seen
        if bundle is None:
            if production:
                return self._unusable(mark, "the installed trust bundle is missing")
            return LoadedTrust(self.embedded(), ratchet, installed=False, floor=floor)
        if bundle.digest != ratchet.digest:
            return self._unusable(mark, "the installed bundle does not match its ratchet record")
        if mark is not None and (bundle.sequence < mark.sequence or bundle.demo):
            return self._unusable(
                mark, f"the installed bundle is older than #{mark.sequence}, installed before"
            )
        return LoadedTrust(bundle, ratchet, installed=True, floor=floor)

    def _unusable(self, mark: ProductionMark | None, problem: str) -> LoadedTrust:
        if mark is None and not self._ratchet_says_production():
            log.warning("trust state unusable (%s); no production trust was ever installed: DEMO", problem)
            return LoadedTrust(self.embedded(), Ratchet(), installed=False, problem=problem)
        log.error("TRUST DATA DAMAGED (%s): every decision is manual until a bundle is imported", problem)
        return LoadedTrust(self.embedded(), Ratchet(), installed=False, problem=problem, damaged=True)

    def _ratchet_says_production(self) -> bool:
        try:
            return self.ratchet().production_seen
        except StateFileError:
            return False

    def embedded(self) -> TrustBundle:
        return open_bundle(asset(DEMO_BUNDLE).read_bytes(), self.anchors)

    def ratchet(self) -> Ratchet:
        data = _state(self.ratchet_path)
        if data is None:
            return Ratchet()
        try:
            return Ratchet.from_json(data)
        except (KeyError, TypeError, ValueError) as exc:
            raise StateFileError(f"{self.ratchet_path.name} is malformed") from exc

    def time_floor(self) -> TimeFloor:
        data = _state(self.time_path)
        if data is None:
            return TimeFloor()
        try:
            return TimeFloor(datetime.fromisoformat(data["floor"]), str(data.get("source", "")))
        except (KeyError, TypeError, ValueError) as exc:
            raise StateFileError(f"{self.time_path.name} is malformed") from exc

    def production_mark(self) -> ProductionMark | None:
        data = _state(self.mark_path, strict=False)
        try:
            return ProductionMark.from_json(data) if data is not None else None
        except (KeyError, TypeError, ValueError):
            log.error("%s is malformed: treated as production trust seen", self.mark_path)
            return ProductionMark(0, "?", "")

    def etag(self) -> str | None:
        """The hub's tag for the bundle this scanner last fetched or refused as not newer."""
        return self.etag_path.read_text().strip() or None if self.etag_path.exists() else None

    def save_etag(self, etag: str | None) -> None:
        write_atomic(self.etag_path, (etag or "").encode())

    # -- writing ------------------------------------------------------------------------

    def install(self, data: bytes, now: datetime, current: LoadedTrust | None = None) -> TrustBundle:
        """Verify and install a bundle (from the hub or a USB stick). Refused: BundleError,
        and the installed bundle stays as it was. `current` is what the caller already
        loaded (a running program holds it in memory), so nothing is verified twice."""
        candidate = open_bundle(data, self.anchors)
        return self.install_verified(candidate, data, now, current or self.load()).bundle

    def install_verified(
        self, candidate: TrustBundle, data: bytes, now: datetime, current: LoadedTrust
    ) -> LoadedTrust:
        """Install a bundle already opened against this store's anchors; returns the new
        state to hold in memory. Over damaged trust, a genuine production bundle at least as
        new as the last one remembered repairs it."""
        ratchet = current.ratchet
        if current.damaged:
            mark = self.production_mark()
            if candidate.demo:
                raise BundleError(
                    BundleProblem.DEMO_AFTER_PRODUCTION, "a production bundle was installed here"
                )
            if mark is not None and candidate.sequence < mark.sequence:
                raise BundleError(
                    BundleProblem.NOT_NEWER, f"sequence {candidate.sequence} is older than #{mark.sequence}"
                )
            ratchet = Ratchet(sequence=candidate.sequence - 1, production_seen=True)
        installed = current.bundle if current.installed else None
        ratchet = admit(ratchet, installed, candidate, now)
        staged_bundle = write_staged(self.bundle_path, data)
        staged_ratchet = write_staged(self.ratchet_path, json.dumps(ratchet.to_json()).encode())
        commit_staged(staged_bundle, self.bundle_path)
        commit_staged(staged_ratchet, self.ratchet_path)
        if not candidate.demo:
            self.mark_production(ProductionMark(candidate.sequence, candidate.issuer, candidate.digest.hex()))
        floor = current.floor if not current.damaged else TimeFloor()
        floor = floor.raised(candidate.issued_at, "bundle")
        self.write_floor(floor)
        log.info("installed trust bundle %s #%d", candidate.issuer, candidate.sequence)
        return LoadedTrust(candidate, ratchet, installed=True, floor=floor)

    def mark_production(self, mark: ProductionMark) -> None:
        self.mark_path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.mark_path, json.dumps(mark.to_json()).encode())

    def raise_floor(self, seen: datetime, source: str) -> TimeFloor:
        current = self.time_floor()
        raised = current.raised(seen, source)
        if raised is not current:
            self.write_floor(raised)
        return raised

    def write_floor(self, floor: TimeFloor) -> None:
        payload = {"floor": floor.floor.isoformat() if floor.floor else None, "source": floor.source}
        write_atomic(self.time_path, json.dumps(payload).encode())

    def _finish_interrupted_install(self) -> None:
        staged_ratchet = self.ratchet_path.with_name(self.ratchet_path.name + ".new")
        staged_bundle = self.bundle_path.with_name(self.bundle_path.name + ".new")
        if staged_ratchet.exists():
            pending = Ratchet.from_json(json.loads(staged_ratchet.read_text()))
            on_disk = self.bundle_path.read_bytes() if self.bundle_path.exists() else b""
            if hashlib.sha256(on_disk).digest() == pending.digest:
                commit_staged(staged_ratchet, self.ratchet_path)  # the bundle made it: roll forward
            else:
                staged_ratchet.unlink()  # the bundle did not: roll back
        staged_bundle.unlink(missing_ok=True)


def _state(path: Path, *, strict: bool = True) -> Any:
    """A JSON state file: None when absent; StateFileError when unreadable (strict)."""
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        if not strict:
            return {}
        raise StateFileError(f"{path.name} is unreadable ({type(exc).__name__})") from exc
