"""The installed trust bundle on disk, its ratchet, and the trusted-time floor.

Layout under `<data dir>/trust/`: `bundle.cose` (the signed bundle as received),
`ratchet.json` (sequence high-water mark and blocklist entries earlier bundles signed),
`time.json` (the trusted-time floor). Installing stages both files, renames the bundle,
then the ratchet; `load` rolls a half-finished install forward or back, so a crash at any
point leaves the old bundle or the new one, never a mix.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from scanner_app.core.bundle import (
    Anchor,
    BundleError,
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
class LoadedTrust:
    bundle: TrustBundle
    ratchet: Ratchet
    installed: bool  # False: the embedded demo bundle
    problem: str | None = None  # why the installed bundle could not be used, if it could not


class BundleStore:
    def __init__(self, data_dir: Path, anchors: Sequence[Anchor] | None = None) -> None:
        self.folder = data_dir / "trust"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.anchors = list(anchors) if anchors is not None else app_anchors()
        self.bundle_path = self.folder / "bundle.cose"
        self.ratchet_path = self.folder / "ratchet.json"
        self.time_path = self.folder / "time.json"
        self.etag_path = self.folder / "bundle.etag"

    # -- reading ------------------------------------------------------------------------

    def load(self) -> LoadedTrust:
        self._finish_interrupted_install()
        ratchet = self.ratchet()
        if self.bundle_path.exists():
            try:
                bundle = open_bundle(self.bundle_path.read_bytes(), self.anchors)
                if bundle.digest == ratchet.digest:
                    return LoadedTrust(bundle, ratchet, installed=True)
                problem = "installed bundle does not match its ratchet record"
            except BundleError as exc:
                problem = str(exc)
            log.error("installed trust bundle unusable (%s); using the embedded demo", problem)
            return LoadedTrust(self.embedded(), ratchet, installed=False, problem=problem)
        return LoadedTrust(self.embedded(), ratchet, installed=False)

    def embedded(self) -> TrustBundle:
        return open_bundle(asset(DEMO_BUNDLE).read_bytes(), self.anchors)

    def ratchet(self) -> Ratchet:
        if not self.ratchet_path.exists():
            return Ratchet()
        return Ratchet.from_json(json.loads(self.ratchet_path.read_text()))

    def time_floor(self) -> TimeFloor:
        if not self.time_path.exists():
            return TimeFloor()
        data = json.loads(self.time_path.read_text())
        return TimeFloor(datetime.fromisoformat(data["floor"]), data.get("source", ""))

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
        return self.install_verified(
            open_bundle(data, self.anchors), data, now, current or self.load()
        ).bundle

    def install_verified(
        self, candidate: TrustBundle, data: bytes, now: datetime, current: LoadedTrust
    ) -> LoadedTrust:
        """Install a bundle already opened against this store's anchors; returns the new
        state to hold in memory."""
        installed = current.bundle if current.installed else None
        ratchet = admit(current.ratchet, installed, candidate, now)
        staged_bundle = write_staged(self.bundle_path, data)
        staged_ratchet = write_staged(self.ratchet_path, json.dumps(ratchet.to_json()).encode())
        commit_staged(staged_bundle, self.bundle_path)
        commit_staged(staged_ratchet, self.ratchet_path)
        self.raise_floor(candidate.issued_at, "bundle")
        log.info("installed trust bundle %s #%d", candidate.issuer, candidate.sequence)
        return LoadedTrust(candidate, ratchet, installed=True)

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
