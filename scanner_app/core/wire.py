"""What crosses the wire between scanner and hub, shared by both sides.

A check batch is `{"device_id", "records": [...], "signature"}`: the records in `seq` order,
each carrying its chain link (`prev_hash`, `row_hash`), and an Ed25519 signature by the
device key over the canonical JSON of device id and records. The hub recomputes every
record's hash (scanner_app.core.chain), so neither a changed record nor a changed batch
passes.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from scanner_app.core.record import WIRE_FIELDS

HUB_TIME_HEADER = "X-Hub-Time"
OUTBOX_FORMAT = "scanner-outbox/1"  # a file of signed batches carried on a USB stick


def batch_body(device_id: str, records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {
        "device_id": device_id,
        "records": [{f: r.get(f) for f in WIRE_FIELDS} for r in records],
    }


def canonical(body: Mapping[str, Any]) -> bytes:
    return json.dumps(
        {"device_id": body["device_id"], "records": body["records"]},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()


def sign_batch(
    device_id: str, records: Sequence[Mapping[str, Any]], key: ed25519.Ed25519PrivateKey
) -> dict[str, Any]:
    body = batch_body(device_id, records)
    return {**body, "signature": base64.b64encode(key.sign(canonical(body))).decode()}


def batch_signature_ok(batch: Mapping[str, Any], public_key_pem: str) -> bool:
    try:
        key = serialization.load_pem_public_key(public_key_pem.encode())
        if not isinstance(key, ed25519.Ed25519PublicKey):
            return False
        key.verify(base64.b64decode(batch["signature"]), canonical(batch))
    except (InvalidSignature, ValueError, KeyError, TypeError):
        return False
    return True
