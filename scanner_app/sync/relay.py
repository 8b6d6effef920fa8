"""The outbox relay: queued checks go to the hub in sequence order, in signed batches, and are
marked sent only when the hub says it holds them (stored now, or already); fresh trust
bundles come back on the same cycle; the hub's clock raises the trusted-time floor.

At-least-once delivery with idempotent storage at the hub: a crash, a timeout or a lost
answer only means the next cycle sends the same records again and the hub answers
"already stored".
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from scanner_app.core.bundle import BundleError, BundleProblem
from scanner_app.core.clock import Clock
from scanner_app.core.wire import sign_batch
from scanner_app.local.device import Device
from scanner_app.local.trust_state import TrustState
from scanner_app.sync.backoff import Backoff
from scanner_app.sync.client import Answer, HubClient, HubRefused, HubUnavailable

log = logging.getLogger(__name__)


class Outbox(Protocol):
    def pending(self, limit: int) -> list[dict[str, Any]]: ...

    def ack(self, seqs: list[int], when: datetime) -> None: ...

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
    # this device's clock minus the hub's, at the last exchange (network delay included):
    # a clock set forward or back shows here, whatever the cards say
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
    batch_size: int = 500
    status: SyncStatus = field(default_factory=SyncStatus)

    def cycle(self) -> SyncStatus:
        """One cycle: bundle, then drain the outbox. Never raises for network trouble."""
        sent = 0
        try:
            sent = self._drain()  # checks first: they exist nowhere else
            self._fetch_bundle()
        except HubUnavailable as exc:
            self.status = replace(self.status, online=False, last_error=str(exc))
            raise
        except HubRefused as exc:
            log.error("hub refused: %s", exc)
            self.status = replace(self.status, online=True, last_error=str(exc))
            raise
        self.status = replace(
            self.status,
            online=True,
            last_error=None,
            last_success=self.clock.now(),
            queued=self.outbox.queued_count(),
            sent_this_cycle=sent,
        )
        return self.status

    def _seen(self, answer: Answer) -> Answer:
        if answer.hub_time is not None:
            self.trust.raise_floor(answer.hub_time, "hub")
            offset = (self.clock.now() - answer.hub_time).total_seconds()
            self.status = replace(self.status, clock_offset_seconds=offset)
        return answer

    def _fetch_bundle(self) -> None:
        answer = self._seen(self.client.bundle(self.trust.files.etag()))
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

    def _drain(self) -> int:
        sent = 0
        while True:
            pending = self.outbox.pending(self.batch_size)
            if not pending:
                return sent
            batch = sign_batch(self.device.device_id, pending, self.device.signing_key)
            answer = self._seen(self.client.send_batch(batch))
            if answer.status == 404:
                raise HubRefused(404, answer.body or {"problem": "unknown_device"})
            body = answer.body or {}
            held = [*body.get("stored", []), *body.get("already", [])]
            self.outbox.ack(held, self.clock.now())
            sent += len(body.get("stored", []))
            if answer.status == 409:
                raise HubRefused(409, {"problem": "refused", "detail": str(body.get("refused"))})
            if not held:
                raise HubRefused(409, {"problem": "no_progress", "detail": "the hub took nothing"})


class SyncWorker(threading.Thread):
    """Runs relay cycles in the background: every `interval` when things go well, after a
    full-jitter backoff (and the hub's Retry-After) when they do not."""

    def __init__(
        self,
        relay_factory: Any,
        *,
        interval: float = 15.0,
        backoff: Backoff | None = None,
        on_status: Any = None,
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
        while not self.stopping.is_set():
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
            self.wake.wait(delay)
            self.wake.clear()

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()


def bundle_age(status: SyncStatus, now: datetime) -> timedelta | None:
    return now - status.bundle_issued_at if status.bundle_issued_at else None
