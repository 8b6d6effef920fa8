"""Strict decoders for the layers of a SMART Health Card QR text.

`shc:/` + digits (each pair of digits is one character, its code minus 45), or the deprecated
multi-part form `shc:/C/N/` + digits; the characters form a JWS in compact serialisation
whose payload is raw DEFLATE (`zip: DEF`) of UTF-8 JSON.

Like `encoding.py` for HC1, each function raises `DecodeError` with a reason code, never trusts
a declared length, refuses trailing bytes and non-canonical encodings (a base64url character
whose unused low bits differ would otherwise decode to the same bytes, so a one-character
change would still verify), and bounds the work it does before any signature is checked.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scanner_app.core.encoding import DecodeError
from scanner_app.core.model import Reason

PREFIX = "shc:/"
NUMERIC_OFFSET = 45  # '-' is the lowest character a JWS compact serialisation uses
MAX_PAIR = ord("z") - NUMERIC_OFFSET  # 77
MAX_CHUNKS = 10  # the spec's own multi-part example has 3; the form is deprecated
MAX_JWS_CHARS = 12_000  # 10 parts of the spec's 1,191-character chunks
MAX_TEXT = len(PREFIX) + 2 * MAX_JWS_CHARS + 16
MAX_HEADER_CHARS = 1024
MAX_INFLATED_BYTES = 64 * 1024  # as for HC1: real payloads are a few KiB; a bomb stops here

_TENS = bytes.maketrans(b"0123456789", bytes(NUMERIC_OFFSET + 10 * k for k in range(10)))
_ONES = bytes.maketrans(b"0123456789", bytes(range(10)))
_VALID_CHARS = bytes(range(NUMERIC_OFFSET, NUMERIC_OFFSET + MAX_PAIR + 1))
_CODES = {chr(value + NUMERIC_OFFSET): f"{value:02d}" for value in range(MAX_PAIR + 1)}
_WHOLE = re.compile(r"shc:/([0-9]+)")
_CHUNK = re.compile(r"shc:/([1-9][0-9]?)/([1-9][0-9]?)/([0-9]+)")
_B64URL = re.compile(r"[A-Za-z0-9_-]*")


@dataclass(frozen=True)
class ShcText:
    """A QR text's parts: `index` of `total` (1 of 1 for a whole card) and its digits."""

    index: int
    total: int
    digits: str

    @property
    def whole(self) -> bool:
        return self.total == 1


def parse_text(text: str) -> ShcText:
    """`shc:/digits` or `shc:/C/N/digits` with 1 <= C <= N <= MAX_CHUNKS."""
    if len(text) > MAX_TEXT:
        raise DecodeError(Reason.TOO_LONG, f"{len(text)} characters")
    whole = _WHOLE.fullmatch(text)
    if whole:
        return ShcText(1, 1, whole.group(1))
    chunk = _CHUNK.fullmatch(text)
    if chunk is None:
        raise DecodeError(Reason.SHC_NUMERIC_INVALID, "not shc:/ followed by digits")
    index, total = int(chunk.group(1)), int(chunk.group(2))
    if index > total or total > MAX_CHUNKS:
        raise DecodeError(Reason.SHC_NUMERIC_INVALID, f"part {index} of {total} is not a valid part number")
    return ShcText(index, total, chunk.group(3))


def numeric_decode(digits: str) -> str:
    """Pairs of ASCII digits to characters: '56' -> chr(56 + 45) = 'e'. Pairs above 77 and an
    odd number of digits are errors."""
    if len(digits) % 2:
        raise DecodeError(Reason.SHC_NUMERIC_INVALID, "odd number of digits")
    if len(digits) > 2 * MAX_JWS_CHARS:
        raise DecodeError(Reason.TOO_LONG, f"{len(digits)} digits")
    if digits and not (digits.isascii() and digits.isdigit()):
        raise DecodeError(Reason.SHC_NUMERIC_INVALID, "not digits")
    raw = digits.encode("ascii")
    # Each pair is 45 + 10*tens + ones. Adding the tens bytes and the ones bytes as two big
    # integers adds them byte by byte (no sum exceeds 144, so nothing carries): the whole
    # text in a few C-level operations rather than a Python step per character (7x faster).
    tens = int.from_bytes(raw[0::2].translate(_TENS))
    ones = int.from_bytes(raw[1::2].translate(_ONES))
    chars = (tens + ones).to_bytes(len(raw) // 2)
    if chars.translate(None, _VALID_CHARS):
        first = 2 * next(i for i, c in enumerate(chars) if c not in _VALID_CHARS)
        raise DecodeError(Reason.SHC_NUMERIC_INVALID, f"digit pair {digits[first : first + 2]} is above 77")
    return chars.decode("ascii")


def numeric_encode(jws: str) -> str:
    """The inverse of `numeric_decode`, for characters '-' to 'z'."""
    try:
        return "".join(_CODES[char] for char in jws)
    except KeyError as exc:
        raise ValueError(f"character {exc.args[0]!r} cannot be numeric-encoded") from None


def join_chunks(texts: Sequence[str]) -> str:
    """All parts of a multi-part card, in any order, as one `shc:/digits` text. Each part's
    digits encode a slice of the JWS, so the whole card's digits are the parts' in order.
    The same part twice is fine when identical; parts that disagree are an error."""
    parts: dict[int, str] = {}
    totals = set()
    for text in texts:
        part = parse_text(text)
        if part.whole:
            raise DecodeError(Reason.SHC_NUMERIC_INVALID, "a whole card is not a part")
        if parts.setdefault(part.index, part.digits) != part.digits:
            raise DecodeError(Reason.SHC_CHUNK_INCOMPLETE, f"two different texts for part {part.index}")
        totals.add(part.total)
    if len(totals) != 1:
        raise DecodeError(Reason.SHC_CHUNK_INCOMPLETE, "parts of cards with different part counts")
    total = totals.pop()
    missing = [str(i) for i in range(1, total + 1) if i not in parts]
    if missing:
        raise DecodeError(Reason.SHC_CHUNK_INCOMPLETE, f"part(s) {', '.join(missing)} of {total} missing")
    return PREFIX + "".join(parts[i] for i in range(1, total + 1))


def b64url_decode(text: str) -> bytes:
    """base64url without padding, canonical only (unused trailing bits must be zero)."""
    if len(text) % 4 == 1 or not _B64URL.fullmatch(text):
        raise DecodeError(Reason.JWS_INVALID, "not base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise DecodeError(Reason.JWS_INVALID, "not base64url") from exc
    if b64url_encode(data) != text:
        raise DecodeError(Reason.JWS_INVALID, "non-canonical base64url")
    return data


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class CompactJws:
    """A JWS in compact serialisation; `payload` is still compressed."""

    header: dict[str, Any]
    header_b64: str
    payload_b64: str
    payload: bytes
    signature: bytes

    def signing_input(self) -> bytes:
        return f"{self.header_b64}.{self.payload_b64}".encode("ascii")


def parse_compact_jws(text: str) -> CompactJws:
    parts = text.split(".")
    if len(parts) != 3 or not all(parts):
        raise DecodeError(Reason.JWS_INVALID, "not three dot-separated parts")
    header_b64, payload_b64, signature_b64 = parts
    if len(header_b64) > MAX_HEADER_CHARS:
        raise DecodeError(Reason.JWS_INVALID, "header too long")
    header = loads_json(b64url_decode(header_b64), Reason.JWS_INVALID)
    if not isinstance(header, dict):
        raise DecodeError(Reason.JWS_INVALID, "header is not a JSON object")
    payload = b64url_decode(payload_b64)
    signature = b64url_decode(signature_b64)
    return CompactJws(header, header_b64, payload_b64, payload, signature)


def inflate_raw(data: bytes, limit: int = MAX_INFLATED_BYTES) -> bytes:
    """Raw DEFLATE (RFC 1951, no zlib header) with a hard output cap; a truncated stream or
    bytes after its end are errors."""
    inflater = zlib.decompressobj(wbits=-zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit)
    except zlib.error as exc:
        raise DecodeError(Reason.DEFLATE_INVALID, str(exc)) from exc
    if inflater.unconsumed_tail:
        raise DecodeError(Reason.DEFLATE_TOO_LARGE, f"inflates beyond {limit} bytes")
    if not inflater.eof:
        raise DecodeError(Reason.DEFLATE_INVALID, "truncated stream")
    if inflater.unused_data:
        raise DecodeError(Reason.DEFLATE_INVALID, "trailing bytes after the stream")
    return out


def deflate_raw(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def loads_json(data: bytes, reason: Reason) -> Any:
    """UTF-8 JSON, strictly: no duplicate object keys, no NaN/Infinity, no BOM; nesting and
    huge numbers end in an error, not an exception escaping."""
    try:
        text = data.decode("utf-8")
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError, TypeError) as exc:
        raise DecodeError(reason, f"not strict JSON: {str(exc)[:80]}") from None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key in a JSON object")
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
