"""The composition root: the one place that builds the parts of a scanner from its data
directory — settings, the device identity, the trust state, the checker, the check log, the
scan service, the sync relay, the decoder and the frame source.

The window (`ui/launch.py`), every command (`cli/`), the self-test and the benchmarks obtain
these from an `App`; nothing else constructs them. `App` imports no Qt and no command line.
"""

from __future__ import annotations

import glob
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from scanner_app.core.checkpoint import Checker, CheckpointSettings, TrustMaterial
from scanner_app.core.clock import Clock
from scanner_app.core.record import Station
from scanner_app.core.settings import Settings
from scanner_app.core.wire import AnswerError
from scanner_app.local.bundle_store import BundleStore, ProductionMark
from scanner_app.local.day_keys import DayKeys
from scanner_app.local.device import Device, load_device, load_receipt
from scanner_app.local.paths import data_dir as resolve_data_dir
from scanner_app.local.pin_store import PinStore, load_hub_recovery
from scanner_app.local.settings_file import load_settings
from scanner_app.local.trust_state import TrustState
from scanner_app.system.clock import SystemClock

# Adapters are imported where they are used: `scanner-app verify` must start without the
# camera stack (OpenCV, numpy), the check log or the HTTP client.
if TYPE_CHECKING:
    from scanner_app.camera.frames import FrameSource
    from scanner_app.camera.ports import FrameDecoder
    from scanner_app.services.scan import Recorder, ScanService
    from scanner_app.store.checks import CheckStore, StoreConfig
    from scanner_app.sync.client import HubClient
    from scanner_app.sync.relay import Outbox, SyncRelay, SyncStatus, SyncWorker

log = logging.getLogger(__name__)
SourceFactory = Callable[[], "FrameSource"]


@dataclass(frozen=True)
class CheckpointOverrides:
    """What a command line may set for one run instead of the settings file."""

    checkpoint: str | None = None
    level: int | None = None
    profile_id: str | None = None


class App:
    """One scanner: its data directory and everything built from it."""

    def __init__(self, folder: Path, *, clock: Clock | None = None, settings: Settings | None = None) -> None:
        self.data_dir = folder
        self.clock: Clock = clock or SystemClock()
        self._settings = settings
        self.device: Device = load_device(folder)
        self._trust: TrustState | None = None
        self._day_keys: DayKeys | None = None

    @property
    def trust(self) -> TrustState:
        """Loaded (and its signature checked) once, on first use."""
        if self._trust is None:
            self._trust = TrustState(BundleStore(self.data_dir))
        return self._trust

    @property
    def settings(self) -> Settings:
        """Read on first use, so that commands that need none (a bundle import) work beside
        a damaged settings file; raises SettingsProblem for one."""
        if self._settings is None:
            self._settings = load_settings(self.data_dir)
        return self._settings

    @settings.setter
    def settings(self, settings: Settings) -> None:
        self._settings = settings

    @classmethod
    def open(cls, folder: str | os.PathLike[str] | None = None, **options: object) -> App:
        """`folder`: --data-dir, else SCANNER_DATA_DIR, else the platform's data directory."""
        return cls(resolve_data_dir(folder), **options)  # type: ignore[arg-type]

    @property
    def enrolled(self) -> bool:
        return self.device.enrolled

    @property
    def day_keys(self) -> DayKeys:
        """Today's and the next days' pseudonym keys from the hub (else the local secret)."""
        if self._day_keys is None:
            self._day_keys = DayKeys(self.data_dir, self.device.local_secret)
        return self._day_keys

    def pins(self) -> PinStore:
        """The administrator PIN; when its state is lost, the hub's recovery code (enrolled
        scanners) and the copy the check log keeps of this device's own code also unlock it."""

        def elsewhere() -> list[tuple[str, str]]:
            kept = load_hub_recovery(self.data_dir)
            try:
                store = self.open_store(purge=False)
            except OSError:
                return kept
            try:
                copy = store.remembered("pin_recovery")
            finally:
                store.close()
            return kept + ([(str(copy[0]), str(copy[1]))] if copy else [])

        def history() -> bool:
            try:
                store = self.open_store(purge=False)
            except OSError:
                return True  # cannot tell: never hand out the default PIN
            try:
                return store.has_history()
            finally:
                store.close()

        return PinStore(self.data_dir, self.clock.monotonic, other_recovery=elsewhere, has_history=history)

    def reload_device(self) -> Device:
        """After enrollment changed what `device/` holds."""
        self.device = load_device(self.data_dir)
        self._day_keys = None
        return self.device

    # -- deciding ------------------------------------------------------------------------

    def checker(
        self,
        settings: Settings | None = None,
        *,
        material: TrustMaterial | None = None,
        overrides: CheckpointOverrides = CheckpointOverrides(),
    ) -> Checker:
        """The checker for these settings (default: the current ones) on the trust in use,
        or on `material` (a `--bundle` or `--trust` given on the command line).
        Raises SettingsError when the settings name a profile, policy, type or level that
        does not exist."""
        chosen = settings or self.settings
        checkpoint = CheckpointSettings(
            checkpoint=overrides.checkpoint or chosen.checkpoint_type,
            level=overrides.level or chosen.epidemic_level,
            profile_id=overrides.profile_id or chosen.profile_id,
            policy_id=chosen.policy_id,
            skew=timedelta(seconds=chosen.clock_skew_seconds),
        )
        return Checker(material or self.trust.material, checkpoint)

    def station(self, settings: Settings | None = None) -> Station:
        """Enrollment names the checkpoint; before it, the setting does."""
        chosen = settings or self.settings
        return Station(self.device.checkpoint_id or chosen.checkpoint_id, chosen.operator)

    def scan_service(self, recorder: Recorder | None, checker: Checker | None = None) -> ScanService:
        from scanner_app.services.scan import ScanService

        return ScanService(
            checker or self.checker(),
            self.clock,
            self.station(),
            floor=lambda: self.trust.floor,
            recorder=recorder,
            cooldown_seconds=self.settings.cooldown_seconds,
            binding_window_seconds=self.settings.binding_window_seconds,
        )

    # -- the check log -------------------------------------------------------------------

    def store_config(self, settings: Settings | None = None) -> StoreConfig:
        from scanner_app.store.checks import StoreConfig

        chosen = settings or self.settings
        return StoreConfig(
            device_id=self.device.device_id,
            pseudonyms=self.day_keys,
            identity_logging=chosen.identity_logging,
            seal_key=self.device.hub_seal_key,
            retention_days=chosen.retention_days,
            duplicate_window_minutes=chosen.duplicate_window_minutes,
            duplicate_max_per_checkpoint=chosen.duplicate_max_per_checkpoint,
            duplicate_min_travel_minutes=chosen.duplicate_min_travel_minutes,
        )

    def open_store(self, *, purge: bool = True) -> CheckStore:
        """Open the log, recovering from damage with a clear message; purge by retention."""
        from scanner_app.store.checks import CheckStore, StoreRecovered

        try:
            store = CheckStore.open(self.data_dir, self.store_config())
        except StoreRecovered as recovered:
            print(f"scanner-app: warning: {recovered.damaged}; a new log was started", file=sys.stderr)
            store = recovered.store
        self._remember_production(store)
        self.remember_pin_recovery(store)
        if purge:
            removed = store.purge(
                self.clock.now(), keep_unsent=self.device.enrolled, confirmed_seq=self._confirmed()
            )
            if removed:
                log.info("purged %d checks older than %s days", removed, self.settings.retention_days)
        return store

    def _remember_production(self, store: CheckStore) -> None:
        """The production mark lives in the device folder and in the log: each restores the
        other, so deleting the trust or device folder cannot bring the DEMO keys back."""
        files = self.trust.files
        mine, kept = files.production_mark(), store.remembered("production")
        if mine is not None and kept != mine.to_json():
            store.remember("production", mine.to_json())
        elif mine is None and kept is not None:
            log.error("the device folder lost its production mark; the check log remembers it")
            try:
                files.mark_production(ProductionMark.from_json(kept))
            except (KeyError, TypeError, ValueError):
                files.mark_production(ProductionMark(0, "?", ""))
            self._trust = None  # loaded again, now knowing production trust was installed

    def remember_pin_recovery(self, store: CheckStore) -> None:
        """A copy of the recovery code's hash in the log: deleting security.json is not enough
        to lock the owner out for good, nor to bring back the default PIN."""
        if not (self.data_dir / "security.json").exists():
            return
        current = PinStore(self.data_dir, self.clock.monotonic).recovery_hash()
        if current is not None and store.remembered("pin_recovery") != list(current):
            store.remember("pin_recovery", list(current))

    def _confirmed(self) -> int | None:
        """The newest signed receipt's high-water mark: records above it are kept."""
        try:
            receipt = load_receipt(self.data_dir, self.device)
        except AnswerError as exc:
            log.error("the stored receipt does not verify (%s): keeping every record", exc)
            return None
        return receipt.head_seq if receipt else None

    # -- the hub -------------------------------------------------------------------------

    def hub_client(self) -> HubClient:
        """A client for the enrolled hub: its pinned identity and TLS certificate, every
        address it announced."""
        from scanner_app.sync.client import HubClient

        hub = self.device.hub
        if hub is None:
            raise ValueError("no hub: this scanner is not enrolled")
        return HubClient(hub.urls, hub_key=hub.identity, tls_pem=hub.tls_pem, device_id=self.device.device_id)

    def relay(self, outbox: Outbox, client: HubClient | None = None) -> SyncRelay | None:
        """None until the scanner is enrolled with a hub."""
        from scanner_app import __version__
        from scanner_app.sync.relay import SyncRelay

        if not self.enrolled:
            return None
        return SyncRelay(
            outbox,
            self.device,
            client or self.hub_client(),
            self.trust,
            self.clock,
            data_dir=self.data_dir,
            day_keys=self.day_keys,
            app_version=__version__,
        )

    def sync_worker(self, outbox: Outbox, on_status: Callable[[SyncStatus], None]) -> SyncWorker | None:
        """The background sync thread (not started), or None until the scanner is enrolled."""
        if not self.enrolled:
            return None  # before the import: the HTTP client costs half a second to load
        from scanner_app.sync.relay import SyncWorker

        return SyncWorker(lambda: self.relay(outbox), on_status=on_status)

    # -- the camera ----------------------------------------------------------------------

    def decoder(self, *, isolated: bool = True) -> FrameDecoder:
        """In a child process (a native crash costs one frame), or in this one."""
        if isolated:
            from scanner_app.camera.isolation import IsolatedDecoder

            return IsolatedDecoder()
        from scanner_app.camera.decode import Decoder

        return Decoder()

    def frame_source(self, spec: str | None = None, *, demo: bool = False) -> tuple[SourceFactory, bool]:
        """(source factory, demo?): --demo, then --camera (`spec`), then the setting, then the
        first webcam, then the simulated camera showing the dev kit's DEMO cards."""
        monotonic = self.clock.monotonic

        def simulated() -> FrameSource:  # OpenCV, numpy and segno load on the capture thread
            from scanner_app.camera.simulated import SimulatedCamera

            return SimulatedCamera(clock=monotonic)

        def made(chosen: str) -> SourceFactory:
            def source() -> FrameSource:
                from scanner_app.camera.sources import make_source

                return make_source(chosen, monotonic)

            return source

        if demo:
            return simulated, True
        chosen = spec or self.settings.camera
        if chosen:
            return made(chosen), chosen == "demo"
        index = _first_camera()
        if index is None:
            log.info("no webcam found: using the simulated camera with the DEMO cards")
            return simulated, True
        return made(str(index)), False


def _first_camera() -> int | None:
    if sys.platform.startswith("linux") and not glob.glob("/dev/video*"):
        return None  # no device node: no need to ask OpenCV
    from scanner_app.camera.sources import first_webcam

    return first_webcam()
