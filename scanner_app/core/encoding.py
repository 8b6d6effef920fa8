"""Strict decoders for the layers of an HC1 code: Base45, ZLIB and CBOR.

Each raises `DecodeError` with a reason code; none trusts a declared length, and none
silently ignores trailing bytes (both `zlib.decompress` and `cbor2.loads` do by default).
"""

from __future__ import annotations

import io
import zlib
from typing import Any

import base45
import cbor2

from scanner_app.core.model import Reason

MAX_INFLATED_BYTES = 64 * 1024  # real payloads are < 4 KiB; a zlib bomb stops here
MAX_CBOR_DEPTH = 16  # a DCC nests about 5 deep


class DecodeError(Exception):
    """A layer could not be decoded; `reason` says which and why."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        super().__init__(detail or reason.value)
        self.reason = reason
        self.detail = detail


def b45decode_strict(text: str) -> bytes:
    """RFC 9285 Base45. The `base45` package is strict about the alphabet, the value ranges
    and length mod 3; it forgives a trailing newline, which the caller has already refused."""
    try:
        return bytes(base45.b45decode(text))
    except (ValueError, TypeError, UnicodeError) as exc:
        raise DecodeError(Reason.BASE45_INVALID, "not valid Base45") from exc


def inflate_bounded(data: bytes, limit: int = MAX_INFLATED_BYTES) -> bytes:
    """ZLIB inflate with a hard output cap; a truncated stream or trailing junk is an error."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, limit)
    except zlib.error as exc:
        raise DecodeError(Reason.ZLIB_INVALID, str(exc)) from exc
    if inflater.unconsumed_tail:
        raise DecodeError(Reason.ZLIB_TOO_LARGE, f"inflates beyond {limit} bytes")
    if not inflater.eof:
        raise DecodeError(Reason.ZLIB_INVALID, "truncated stream")
    if inflater.unused_data:
        raise DecodeError(Reason.ZLIB_INVALID, "trailing bytes after the stream")
    return out


def cbor_loads_strict(data: bytes, max_depth: int = MAX_CBOR_DEPTH) -> Any:
    """Decode exactly one CBOR item that uses every byte: definite lengths only, no duplicate
    map keys, bounded depth. cbor2 checks declared lengths against the input before
    allocating, so a length of 2^63 fails fast."""
    stream = io.BytesIO(data)
    decoder = cbor2.CBORDecoder(
        stream,
        max_depth=max_depth,
        allow_indefinite=False,
        allow_duplicate_keys=False,
        strict_hashable_types=False,
    )
    try:
        value = decoder.decode()
    except (cbor2.CBORDecodeError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise DecodeError(Reason.CBOR_INVALID, str(exc)[:120]) from exc
    if stream.tell() != len(data):
        raise DecodeError(Reason.CBOR_INVALID, f"{len(data) - stream.tell()} trailing bytes")
    return value
