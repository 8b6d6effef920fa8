"""The trust bundle: signer keys, SMART Health Card issuer keys, rule profiles, decision
policies, value sets and the revocation / suspension list in one file, signed by an anchor key
pinned in the app.

`shc_issuers` (a JWK set and CRLs per issuer URL, see `shc_keys.py`) was added later in the
same format version: a bundle without it loads with no SHC issuers, and a scanner that predates
it ignores the key.

Wire format: a COSE_Sign1 (ES256, tag 18) whose payload is UTF-8 JSON; the kid in the
protected header names the anchor (first 8 bytes of SHA-256 of its public key, DER).
The same file travels over HTTP or on a USB stick.

`admit` is the ratchet: only a newer, unexpired bundle replaces the installed one, and the
blocklist only grows: a revoked certificate or blocked key stays blocked even when a later
bundle merely omits it; a suspension ends only when a later bundle lists it as lifted.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from scanner_app.core.cose import ES256, parse_cose_sign1, sign1, signature_matches
from scanner_app.core.encoding import DecodeError
from scanner_app.core.policy import Policy, PolicyError, policy_from_json
from scanner_app.core.revocation import Blocklist, pack_hashes, unpack_hashes
from scanner_app.core.rules import Profile, ProfileError, parse_time, profile_from_json
from scanner_app.core.shc_keys import EMPTY_SHC_ISSUERS, ShcIssuers, ShcKeyError
from scanner_app.core.trust import SignerKey, TrustError, TrustStore, signer_from_certificate

FORMAT_NAME = "scanner-trust-bundle"
FORMAT_VERSION = 1
CONTENT_TYPE_LABEL = 3
MAX_BUNDLE_BYTES = 256 * 1024 * 1024


class BundleProblem(StrEnum):
    MALFORMED = "bundle_malformed"
    UNKNOWN_ANCHOR = "bundle_unknown_anchor"
    SIGNATURE_INVALID = "bundle_signature_invalid"
    DEMO_ANCHOR_MISUSE = "bundle_demo_anchor_for_production"
    CONTENT_INVALID = "bundle_content_invalid"
    EXPIRED = "bundle_expired"
    NOT_NEWER = "bundle_not_newer"
    DEMO_AFTER_PRODUCTION = "bundle_demo_after_production"


class BundleError(Exception):
    def __init__(self, problem: BundleProblem, detail: str = "") -> None:
        super().__init__(f"{problem.value}: {detail}" if detail else problem.value)
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True)
class Anchor:
    """A pinned bundle-signing public key. Demo anchors may sign demo bundles only."""

    name: str
    public_key: ec.EllipticCurvePublicKey
    demo: bool = False

    @property
    def kid(self) -> bytes:
        return anchor_kid(self.public_key)


def anchor_kid(public_key: ec.EllipticCurvePublicKey) -> bytes:
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).digest()[:8]


@dataclass(frozen=True)
class TrustBundle:
    issuer: str
    sequence: int
    issued_at: datetime
    not_after: datetime
    demo: bool
    signers: tuple[SignerKey, ...]
    profiles: Mapping[str, Profile]
    policies: Mapping[str, Policy]
    default_profile: str
    default_policy: str
    value_sets: Mapping[str, Any]
    revoked: frozenset[bytes]
    suspended: frozenset[bytes]
    lifted: frozenset[bytes]
    blocked_keys: frozenset[bytes]
    digest: bytes = b""
    anchor: str = ""
    content: Mapping[str, Any] = field(default_factory=dict, repr=False)
    shc_issuers: ShcIssuers = field(default_factory=lambda: EMPTY_SHC_ISSUERS)

    def trust_store(self) -> TrustStore:
        return TrustStore(self.signers)

    def expired(self, now: datetime) -> bool:
        return now > self.not_after


# -- issuer side --------------------------------------------------------------------------


def build_content(
    *,
    issuer: str,
    sequence: int,
    issued_at: datetime,
    not_after: datetime,
    signers: Iterable[bytes],
    profiles: Sequence[Mapping[str, Any]],
    policies: Sequence[Mapping[str, Any]],
    default_profile: str | None = None,
    default_policy: str | None = None,
    value_sets: Mapping[str, Any] | None = None,
    revoked: Iterable[bytes] = (),
    suspended: Iterable[bytes] = (),
    lifted: Iterable[bytes] = (),
    blocked_keys: Iterable[bytes] = (),
    demo: bool = False,
    shc_issuers: ShcIssuers = EMPTY_SHC_ISSUERS,
) -> dict[str, Any]:
    """The JSON content of a bundle. `signers` are DSC certificates (DER); `shc_issuers` come
    from `shc_keys.import_jwks` / `import_directory`."""
    if not profiles or not policies:
        raise BundleError(BundleProblem.CONTENT_INVALID, "a bundle needs a profile and a policy")
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "demo": demo,
        "issuer": issuer,
        "sequence": sequence,
        "issued_at": _iso(issued_at),
        "not_after": _iso(not_after),
        "signers": [{"der": _b64(der)} for der in signers],
        "profiles": list(profiles),
        "policies": list(policies),
        "default_profile": default_profile or str(profiles[0]["id"]),
        "default_policy": default_policy or str(policies[0]["id"]),
        "value_sets": dict(value_sets or {}),
        "shc_issuers": shc_issuers.to_json(),
        "blocklist": {
            "hash": "sha256-128 of the normalised certificate identifier",
            "revoked": _b64(pack_hashes(revoked)),
            "suspended": _b64(pack_hashes(suspended)),
            "lifted": _b64(pack_hashes(lifted)),
            "blocked_keys": sorted(_b64(k) for k in set(blocked_keys)),
        },
    }


def sign_bundle(content: Mapping[str, Any], anchor_key: ec.EllipticCurvePrivateKey) -> bytes:
    payload = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return sign1(
        payload.encode(),
        anchor_key,
        kid=anchor_kid(anchor_key.public_key()),
        extra_protected={CONTENT_TYPE_LABEL: "application/json"},
    )


# -- scanner side -------------------------------------------------------------------------


def open_bundle(data: bytes, anchors: Sequence[Anchor]) -> TrustBundle:
    """Verify the signature against the pinned anchors, then parse. No time checks here."""
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleError(BundleProblem.MALFORMED, "file too large")
    try:
        message = parse_cose_sign1(data)
    except DecodeError as exc:
        raise BundleError(BundleProblem.MALFORMED, "not a signed bundle") from exc
    if message.alg != ES256 or not message.kid:
        raise BundleError(BundleProblem.MALFORMED, "bundle must be ES256 with a kid")
    anchor = next((a for a in anchors if a.kid == message.kid), None)
    if anchor is None:
        raise BundleError(BundleProblem.UNKNOWN_ANCHOR, "signed by a key this app does not pin")
    if not signature_matches(message, ES256, anchor.public_key):
        raise BundleError(BundleProblem.SIGNATURE_INVALID, "tampered or truncated")
    try:
        content = json.loads(message.payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BundleError(BundleProblem.MALFORMED, "payload is not JSON") from exc
    bundle = _parse_content(content)
    if anchor.demo and not bundle.demo:
        raise BundleError(BundleProblem.DEMO_ANCHOR_MISUSE, "the demo anchor signs demo bundles only")
    return replace(bundle, digest=hashlib.sha256(data).digest(), anchor=anchor.name)


def _parse_content(content: Any) -> TrustBundle:
    try:
        if content["format"] != FORMAT_NAME or content["format_version"] != FORMAT_VERSION:
            raise BundleError(BundleProblem.CONTENT_INVALID, "unknown bundle format")
        profiles = {p.id: p for p in map(profile_from_json, content["profiles"])}
        policies = {p.id: p for p in map(policy_from_json, content["policies"])}
        blocklist = content["blocklist"]
        bundle = TrustBundle(
            issuer=str(content["issuer"]),
            sequence=int(content["sequence"]),
            issued_at=_time(content["issued_at"]),
            not_after=_time(content["not_after"]),
            demo=bool(content["demo"]),
            signers=tuple(_signers(content["signers"])),
            profiles=profiles,
            policies=policies,
            default_profile=str(content["default_profile"]),
            default_policy=str(content["default_policy"]),
            value_sets=dict(content.get("value_sets", {})),
            revoked=unpack_hashes(_unb64(blocklist["revoked"])),
            suspended=unpack_hashes(_unb64(blocklist["suspended"])),
            lifted=unpack_hashes(_unb64(blocklist["lifted"])),
            blocked_keys=frozenset(_unb64(k) for k in blocklist["blocked_keys"]),
            content=content,
            shc_issuers=ShcIssuers.from_json(content.get("shc_issuers", {})),
        )
    except (KeyError, TypeError, ValueError, ProfileError, PolicyError, TrustError, ShcKeyError) as exc:
        raise BundleError(BundleProblem.CONTENT_INVALID, str(exc)) from exc
    if bundle.default_profile not in profiles or bundle.default_policy not in policies:
        raise BundleError(BundleProblem.CONTENT_INVALID, "default profile or policy missing")
    return bundle


def _signers(entries: Any) -> Iterable[SignerKey]:
    for entry in entries:
        yield signer_from_certificate(x509.load_der_x509_certificate(_unb64(entry["der"])))


@dataclass(frozen=True)
class Ratchet:
    """What the scanner remembers across bundles. `extra_*` hold blocklist entries that
    earlier bundles signed and the installed bundle no longer lists."""

    sequence: int = 0
    production_seen: bool = False
    digest: bytes = b""
    extra_revoked: frozenset[bytes] = frozenset()
    extra_suspended: frozenset[bytes] = frozenset()
    extra_blocked_keys: frozenset[bytes] = frozenset()

    def to_json(self) -> dict[str, Any]:
        return {
            "sequence": self.sequence,
            "production_seen": self.production_seen,
            "digest": self.digest.hex(),
            "extra_revoked": _b64(pack_hashes(self.extra_revoked)),
            "extra_suspended": _b64(pack_hashes(self.extra_suspended)),
            "extra_blocked_keys": sorted(_b64(k) for k in self.extra_blocked_keys),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Ratchet:
        return cls(
            sequence=int(data["sequence"]),
            production_seen=bool(data["production_seen"]),
            digest=bytes.fromhex(data["digest"]),
            extra_revoked=unpack_hashes(_unb64(data["extra_revoked"])),
            extra_suspended=unpack_hashes(_unb64(data["extra_suspended"])),
            extra_blocked_keys=frozenset(_unb64(k) for k in data["extra_blocked_keys"]),
        )


def admit(ratchet: Ratchet, installed: TrustBundle | None, candidate: TrustBundle, now: datetime) -> Ratchet:
    """The ratchet after installing `candidate`, or BundleError if it must be refused."""
    if candidate.sequence <= ratchet.sequence:
        raise BundleError(
            BundleProblem.NOT_NEWER,
            f"sequence {candidate.sequence} is not newer than installed {ratchet.sequence}",
        )
    if candidate.expired(now):
        raise BundleError(BundleProblem.EXPIRED, f"expired at {_iso(candidate.not_after)}")
    if candidate.demo and ratchet.production_seen:
        raise BundleError(BundleProblem.DEMO_AFTER_PRODUCTION, "a production bundle is installed")
    old = effective_blocklist(installed, ratchet)
    suspended = (old.suspended - candidate.lifted) | candidate.suspended
    return Ratchet(
        sequence=candidate.sequence,
        production_seen=ratchet.production_seen or not candidate.demo,
        digest=candidate.digest,
        extra_revoked=old.revoked - candidate.revoked,
        extra_suspended=suspended - candidate.suspended,
        extra_blocked_keys=old.blocked_keys - candidate.blocked_keys,
    )


def effective_blocklist(bundle: TrustBundle | None, ratchet: Ratchet) -> Blocklist:
    if bundle is None:
        return Blocklist(ratchet.extra_revoked, ratchet.extra_suspended, ratchet.extra_blocked_keys)
    return Blocklist(
        revoked=_union(bundle.revoked, ratchet.extra_revoked),
        suspended=_union(bundle.suspended, ratchet.extra_suspended),
        blocked_keys=_union(bundle.blocked_keys, ratchet.extra_blocked_keys),
    )


def _union(big: frozenset[bytes], extra: frozenset[bytes]) -> frozenset[bytes]:
    return big if not extra else big | extra  # a million-entry list is not copied needlessly


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _time(text: Any) -> datetime:
    moment = parse_time(text, "bundle time")
    if moment is None:
        raise ValueError("missing time")
    return moment


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    try:
        return base64.b64decode(str(text), validate=True)
    except binascii.Error as exc:
        raise ValueError("bad base64") from exc
