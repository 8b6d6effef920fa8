"""Carrying queued checks on a USB stick from a site without network: the outbox as signed
batches in one file, which `scanner-hub ingest FILE` takes like a sync would."""

from __future__ import annotations

import json
from pathlib import Path

from scanner_app.core.wire import OUTBOX_FORMAT, sign_batch
from scanner_app.local.device import Device
from scanner_app.store.checks import CheckStore

BATCH_SIZE = 500


def write_outbox_file(store: CheckStore, device: Device, out: Path) -> tuple[int, int]:
    """Write every queued check; they stay queued until a sync confirms the hub holds them.
    Returns (checks, batches)."""
    pending = store.pending(10**9)
    batches = [
        sign_batch(device.device_id, pending[i : i + BATCH_SIZE], device.signing_key)
        for i in range(0, len(pending), BATCH_SIZE)
    ]
    document = {"format": OUTBOX_FORMAT, "device_id": device.device_id, "batches": batches}
    out.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return len(pending), len(batches)
