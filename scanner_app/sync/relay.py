"""The outbox relay: queued checks go to the hub in sequence order, in signed batches, and are
marked sent only on the hub's signed receipt; fresh trust bundles come down on every cycle,
whether or not sending works; the hub's signed clock raises the trusted-time floor only when
it agrees with this device's clock.

At-least-once delivery with idempotent storage at the hub: a crash, a timeout or a lost
answer only means the next cycle sends the same records again. Each cycle starts from the
hub's signed high-water mark: when the hub holds less than this scanner believed it sent (a
database restored from last night's backup, a fake receipt from an impostor), the records
above that mark are queued again; records this scanner no longer has are declared `lost`,
so a gap never blocks sync forever.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag

from scanner_app.core.bundle import BundleError, BundleProblem
from scanner_app.core.clock import Clock
from scanner_app.core.wire import sign_batch
from scanner_app.local.day_keys import DayKeys
from scanner_app.local.device import Device, Receipt, receipt_from, save_receipt
from scanner_app.local.trust_state import TrustState
from scanner_app.sync.backoff import Backoff
from scanner_app.sync.client import HubClient, HubImpostor, HubRefused, HubUnavailable, Signed

log = logging.getLogger(__name__)
CLOCK_MARGIN = timedelta(minutes=10)  # a signed hub time further from ours is flagged, not obeyed


class Outbox(Protocol):
    def pending(self, limit: int) -> list[dict[str, Any]]: ...

    def ack(self, seqs: list[int], when: datetime) -> None: ...

    def rewind(self, after_seq: int) -> int: ...

    def queued_count(self) -> int: ...


@dataclass(frozen=True)
class SyncStatus:
    online: bool | None = None  # None: not tried yet
    queued: int = 0
    last_success: datetime | None = None
    last_error: str | None = None
    bundle_sequence: int | None = None
    bundle_issued_at: datetime | None = None
    bundle_problem: str | None = None
    bundle_answer: int | None = None  # the hub's last answer for the bundle: 200, 304 unchanged, 404 none yet
    sent_this_cycle: int = 0
    resent_this_cycle: int = 0  # queued again because the hub holds less than we sent
    quarantined_at_hub: int = 0  # records the hub kept aside (it said why, in the receipt)
    impostor: str | None = None  # the last answer that was not signed by the pinned hub
    # this device's clock minus the hub's signed time, at the last exchange (network delay
    # included): a clock set forward or back shows here, whatever the cards say
    clock_offset_seconds: float | None = None

    def clock_off(self, tolerance_seconds: float) -> bool:
        offset = self.clock_offset_seconds
        return offset is not None and abs(offset) > tolerance_seconds


@dataclass
class SyncRelay:
    outbox: Outbox
    device: Device
    client: HubClient
    trust: TrustState
    clock: Clock
    data_dir: Path | None = None  # where the newest receipt is kept
    day_keys: DayKeys | None = None  # refreshed from every signed head answer
    batch_size: int = 500
    app_version: str = ""
    status: SyncStatus = field(default_factory=SyncStatus)
    _unkept: Signed | None = field(default=None, init=False, repr=False)

    def cycle(self) -> SyncStatus:
        """One cycle: the bundle, then the checks; each tried whatever the other did.
        Raises the first problem after both were tried."""
        problems: list[Exception] = []
        try:
            self._fetch_bundle()
        except (HubUnavailable, HubRefused) as exc:
            problems.append(exc)
        sent = resent = 0
        try:
            sent, resent = self._drain()
        except (HubUnavailable, HubRefused) as exc:
            problems.append(exc)
        finally:
            self._keep_latest_receipt()
        for problem in problems:
            self._note(problem)
        if problems:
            raise problems[0]
        self.status = replace(
            self.status,
            online=True,
            last_error=None,
            last_success=self.clock.now(),
            queued=self.outbox.queued_count(),
            sent_this_cycle=sent,
            resent_this_cycle=resent,
        )
        return self.status

    def _note(self, problem: Exception) -> None:
        if isinstance(problem, HubImpostor):
            log.error("ignored an answer not signed by the pinned hub: %s", problem)
            self.status = replace(self.status, online=False, last_error=str(problem), impostor=str(problem))
        elif isinstance(problem, HubUnavailable):
            self.status = replace(self.status, online=False, last_error=str(problem))
        else:
            log.error("hub refused: %s", problem)
            self.status = replace(self.status, online=True, last_error=str(problem))

    # -- time ------------------------------------------------------------------------------

    def _seen(self, answer: Signed) -> Signed:
        """A signed hub time: shown as the offset; raises the floor only when close to ours."""
        try:
            hub_time = datetime.fromisoformat(str(answer.payload["hub_time"]))
        except (KeyError, ValueError):
            return answer
        now = self.clock.now()
        offset = (now - hub_time).total_seconds()
        self.status = replace(self.status, clock_offset_seconds=offset, impostor=None)
        if abs(offset) <= CLOCK_MARGIN.total_seconds():
            self.trust.raise_floor(hub_time, "hub")
        else:
            log.warning(
                "the hub's clock differs from this device's by %.0f s: not used as trusted time", offset
            )
        return answer

    # -- trust data ------------------------------------------------------------------------

    def _fetch_bundle(self) -> None:
        etag = None if self.trust.damaged else self.trust.files.etag()  # damaged: fetch it whole again
        answer = self._seen(self.client.bundle(etag))
        self.status = replace(self.status, bundle_answer=answer.status)
        if answer.status != 200:
            return  # 304 nothing new, 404 nothing published
        try:
            bundle = self.trust.install(answer.content, self.clock.now())
        except BundleError as exc:
            if exc.problem is BundleProblem.NOT_NEWER:
                self.trust.files.save_etag(answer.etag)
                return
            log.error("hub sent a bundle this scanner refuses: %s", exc)
            self.status = replace(self.status, bundle_problem=str(exc))
            return
        self.trust.files.save_etag(answer.etag)
        self.status = replace(
            self.status,
            bundle_sequence=bundle.sequence,
            bundle_issued_at=bundle.issued_at,
            bundle_problem=None,
        )

    # -- checks ----------------------------------------------------------------------------

    def _drain(self) -> tuple[int, int]:
        """(sent, resent): from the hub's signed high-water mark to the end of the outbox."""
        answer = self._seen(self.client.head(self.device.signing_key, self._report())).payload
        self._take_day_keys(answer)
        head = answer.get("head_seq")
        resent = self.outbox.rewind(int(head or 0))
        if resent:
            log.warning("the hub holds this device's log up to %s only: %d checks queued again", head, resent)
        sent, rewound = 0, False
        while True:
            pending = self.outbox.pending(self.batch_size)
            if not pending:
                return sent, resent
            first = int(pending[0]["seq"])
            lost = (int(head) + 1, first - 1) if head is not None and first > int(head) + 1 else None
            batch = sign_batch(self.device.device_id, pending, self.device.signing_key, lost=lost)
            receipt = self._seen(self.client.send_batch(batch))
            payload = receipt.payload
            held = self._held(payload)
            self.outbox.ack(held, self.clock.now())
            self._unkept = receipt  # kept on disk once the drain ends (`cycle`), not per batch
            sent += len(payload.get("stored") or [])
            head = payload.get("head_seq")
            refused = payload.get("refused")
            if refused:  # a gap: the hub expects earlier records; resend from there, once
                if rewound:
                    raise HubRefused(409, {"problem": "gap", "detail": str(refused)})
                rewound = True
                resent += self.outbox.rewind(int(head or 0))
            elif not held:
                raise HubRefused(409, {"problem": "no_progress", "detail": "the hub took nothing"})

    def _report(self) -> dict[str, Any]:
        """This scanner's state, for the district console: the hub derives the clock offset
        from `device_time` and its own clock."""
        bundle = self.trust.loaded.bundle
        return {
            "queued": self.outbox.queued_count(),
            "bundle_sequence": bundle.sequence if self.trust.installed else None,
            "device_time": self.clock.now().isoformat(),
            "app_version": self.app_version,
        }

    def _take_day_keys(self, payload: dict[str, Any]) -> None:
        sealed = payload.get("day_keys")
        if self.day_keys is None or not isinstance(sealed, str):
            return
        try:
            self.day_keys.install(sealed, self.device.seal_key, self.clock.now())
        except (KeyError, TypeError, ValueError, InvalidTag) as exc:
            log.error("the hub's day keys could not be opened: %s", exc)

    def _held(self, payload: dict[str, Any]) -> list[int]:
        quarantined = [q["seq"] for q in payload.get("quarantined") or [] if isinstance(q, dict)]
        if quarantined:
            log.error("the hub quarantined %d record(s): %s", len(quarantined), payload.get("quarantined"))
            self.status = replace(
                self.status, quarantined_at_hub=self.status.quarantined_at_hub + len(quarantined)
            )
        seqs = [*(payload.get("stored") or []), *(payload.get("already") or []), *quarantined]
        return [int(s) for s in seqs if isinstance(s, int)]

    def _keep_latest_receipt(self) -> None:
        """The hub's last signed receipt, for `audit verify`: one synced write per drain (an
        earlier receipt, should the program die before it, vouches for fewer records)."""
        receipt, self._unkept = self._unkept, None
        if receipt is not None and self.data_dir is not None:
            save_receipt(self.data_dir, receipt_from(receipt.payload, receipt.envelope))


class SyncWorker(threading.Thread):
    """Runs relay cycles in the background: every `interval` when things go well, after a
    full-jitter backoff (and the hub's Retry-After) when they do not."""

    def __init__(
        self,
        relay_factory: Callable[[], SyncRelay | None],
        *,
        interval: float = 15.0,
        backoff: Backoff | None = None,
        on_status: Callable[[SyncStatus], None] | None = None,
    ) -> None:
        super().__init__(daemon=True, name="sync")
        self.relay_factory = relay_factory
        self.interval = interval
        self.backoff = backoff or Backoff()
        self.on_status = on_status or (lambda status: None)
        self.stopping = threading.Event()
        self.wake = threading.Event()

    def run(self) -> None:
        relay = self.relay_factory()
        if relay is None:
            return
        while not self.stopping.is_set():
            self.wake.wait(self.step(relay))
            self.wake.clear()

    def step(self, relay: SyncRelay) -> float:
        """One cycle; returns how long to wait before the next one."""
        delay = self.interval
        try:
            relay.cycle()
            self.backoff.reset()
        except HubUnavailable as exc:
            delay = self.backoff.next_delay(exc.retry_after)
        except HubRefused:
            delay = self.backoff.next_delay()
        except Exception:  # a bug must not end syncing for good
            log.exception("sync cycle failed")
            delay = self.backoff.next_delay()
        self.on_status(replace(relay.status, queued=relay.outbox.queued_count()))
        return delay

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()


def bundle_age(status: SyncStatus, now: datetime) -> timedelta | None:
    return now - status.bundle_issued_at if status.bundle_issued_at else None


__all__ = ["Receipt", "SyncRelay", "SyncStatus", "SyncWorker"]
