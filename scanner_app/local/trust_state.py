"""The trust a running program decides with, held in memory by one owner.

The sync thread raises the trusted-time floor and installs bundles; scanning reads the floor
and the trust material on every check. Both go through this object: it verifies a bundle
once per change, persists every change through `BundleStore` before it is visible, and
counts changes in `generation` so that a scan service knows when to rebuild its checker.
Nothing reads the trust folder per scan.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime, timedelta

from scanner_app.core.bundle import TrustBundle, open_bundle
from scanner_app.core.checkpoint import TrustMaterial
from scanner_app.core.clock import TimeFloor
from scanner_app.core.shc_keys import EMPTY_SHC_ISSUERS
from scanner_app.core.trust import TrustStore
from scanner_app.local.bundle_store import BundleStore, LoadedTrust, ProductionMark

FLOOR_WRITE_STEP = timedelta(minutes=1)


def _material(loaded: LoadedTrust) -> TrustMaterial:
    material = TrustMaterial.from_bundle(loaded.bundle, loaded.ratchet)
    if loaded.damaged:  # no key is trusted; the embedded rules only give the checker its shape
        return replace(
            material, trust=TrustStore(), shc_issuers=EMPTY_SHC_ISSUERS, damaged=loaded.problem or "damaged"
        )
    return material


class TrustState:
    def __init__(self, files: BundleStore, remembered: ProductionMark | None = None) -> None:
        self.files = files
        self._lock = threading.Lock()
        self._use(files.load(remembered))
        self.generation = 0

    def _use(self, loaded: LoadedTrust) -> None:
        self._loaded = loaded
        self._material = _material(loaded)
        self._floor = loaded.floor
        self._persisted_floor = loaded.floor

    @property
    def damaged(self) -> str | None:
        """Why production trust is unusable (every decision is then manual), or None."""
        return self._loaded.problem if self._loaded.damaged else None

    @property
    def loaded(self) -> LoadedTrust:
        return self._loaded

    @property
    def material(self) -> TrustMaterial:
        return self._material

    @property
    def floor(self) -> TimeFloor:
        return self._floor

    @property
    def installed(self) -> bool:
        """False while the program runs on the embedded demo bundle."""
        return self._loaded.installed

    def install(self, data: bytes, now: datetime) -> TrustBundle:
        """Verify, persist, then use a new bundle. Refused: BundleError, nothing changes."""
        candidate = open_bundle(data, self.files.anchors)
        with self._lock:
            self._use(self.files.install_verified(candidate, data, now, self._loaded))
            self.generation += 1
        return candidate

    def _worth_writing(self, raised: TimeFloor) -> bool:
        on_disk = self._persisted_floor
        if on_disk.floor is None or raised.floor is None or on_disk.source != raised.source:
            return True
        return raised.floor - on_disk.floor >= FLOOR_WRITE_STEP

    def raise_floor(self, seen: datetime, source: str) -> TimeFloor:
        """A newer trusted time (from a bundle or the hub): used at once, persisted when it
        moved a minute or more past what is on disk. The hub's time arrives with every batch
        of a sync; a floor on disk a minute behind detects a clock set back just as well (the
        tolerance is minutes), without a synced file write per batch."""
        with self._lock:
            raised = self._floor.raised(seen, source)
            if raised is not self._floor:
                if self._worth_writing(raised):
                    self.files.write_floor(raised)
                    self._persisted_floor = raised
                self._floor = raised
            return raised
