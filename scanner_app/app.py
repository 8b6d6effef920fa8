"""The composition root: the one place that builds and wires the parts (settings, trust,
device identity, check log, camera, sync, window)."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scanner_app.core.settings import Settings
from scanner_app.device import load_device
from scanner_app.store.checks import CheckStore, StoreConfig, StoreRecovered

log = logging.getLogger(__name__)


def store_config(data_dir: Path, settings: Settings) -> StoreConfig:
    device = load_device(data_dir)
    return StoreConfig(
        device_id=device.device_id,
        checkpoint_id=device.checkpoint_id or settings.checkpoint_id,
        hmac_secret=device.hmac_secret,
        operator=settings.operator,
        identity_logging=settings.identity_logging,
        seal_key=device.hub_seal_key,
        retention_days=settings.retention_days,
        duplicate_window_minutes=settings.duplicate_window_minutes,
        duplicate_max_per_checkpoint=settings.duplicate_max_per_checkpoint,
        duplicate_min_travel_minutes=settings.duplicate_min_travel_minutes,
    )


def open_check_store(data_dir: Path, settings: Settings, *, purge: bool = True) -> CheckStore:
    """Open the log, recovering from damage with a clear message; purge by retention."""
    config = store_config(data_dir, settings)
    try:
        store = CheckStore.open(data_dir, config)
    except StoreRecovered as recovered:
        print(f"scanner-app: warning: {recovered.damaged}; a new log was started", file=sys.stderr)
        store = recovered.store
    if purge:
        removed = store.purge(datetime.now(UTC), keep_unsent=load_device(data_dir).enrolled)
        if removed:
            log.info("purged %d checks older than %s days", removed, settings.retention_days)
    return store


def open_recorder(setup: Any) -> CheckStore:
    return open_check_store(setup.data_dir, setup.settings)


def run_gui(args: Any) -> int:
    from scanner_app.ui.launch import launch

    return launch(args)
