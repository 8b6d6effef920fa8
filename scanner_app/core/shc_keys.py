"""SMART Health Card issuers the scanner trusts: a JWK set per issuer `iss` URL, with the
issuers' card revocation lists (CRLs), as carried in the trust bundle.

Two pure importers turn published material into that map at bundle-build time:
- `import_jwks(document, iss)`: one issuer's `/.well-known/jwks.json` (its URL is not inside
  the file, so the caller names it), optionally with that issuer's CRL files;
- `import_directory(document)`: a directory snapshot such as the VCI directory's
  (`{"issuerInfo": [{"issuer": {"iss", "name"}, "keys": [...], "crls": [...]}]}`), or a plain
  list of `{"iss", "name", "keys"}` / `{"issuer": {...}, "keys": [...]}` entries.
Keys that are not ES256 P-256 signing keys, or whose `kid` is not their RFC 7638 thumbprint
(the SHC spec requires it), are skipped and reported; a JWK carrying private material (`d`)
refuses the whole import, so that a signing key can never travel in a bundle.

The bundle keeps only the public members (`kty crv x y kid alg use crlVersion`) and parses
them back with the same strict checks (`ShcIssuers.from_json`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from scanner_app.core.encoding import DecodeError
from scanner_app.core.shc_codec import b64url_decode, b64url_encode

ES256 = "ES256"
PUBLIC_MEMBERS = ("kty", "crv", "x", "y", "kid", "alg", "use", "crlVersion")
MAX_RID = 24  # the spec's limit on a revocation identifier
_RID = re.compile(r"([A-Za-z0-9_-]{1,24})(?:\.([0-9]{1,12}))?")


class ShcKeyError(ValueError):
    """Issuer key material that must not be trusted (or must not be shipped)."""


@dataclass(frozen=True)
class ShcKey:
    kid: str
    public_key: ec.EllipticCurvePublicKey
    jwk: Mapping[str, Any]  # the public members, as stored in the bundle

    @property
    def thumbprint(self) -> bytes:
        """The kid's 32 bytes: what `--block-kid` names to block this key for good."""
        return b64url_decode(self.kid)


@dataclass(frozen=True)
class ShcCrl:
    """One key's revocation list: rid -> cut-off (epoch seconds; None revokes every card)."""

    kid: str
    ctr: int
    rids: Mapping[str, int | None]

    def revokes(self, rid: str, nbf: datetime) -> bool:
        if rid not in self.rids:
            return False
        cutoff = self.rids[rid]
        return cutoff is None or nbf.timestamp() < cutoff

    def to_json(self) -> dict[str, Any]:
        entries = sorted(rid if cut is None else f"{rid}.{cut}" for rid, cut in self.rids.items())
        return {"kid": self.kid, "method": "rid", "ctr": self.ctr, "rids": entries}


@dataclass(frozen=True)
class ShcIssuer:
    iss: str
    name: str
    keys: Mapping[str, ShcKey]
    crls: Mapping[str, ShcCrl] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "keys": [dict(self.keys[kid].jwk) for kid in sorted(self.keys)],
            "crls": [self.crls[kid].to_json() for kid in sorted(self.crls)],
        }


@dataclass(frozen=True)
class ShcIssuers:
    """Trusted issuers by their exact `iss` URL."""

    issuers: Mapping[str, ShcIssuer] = field(default_factory=dict)

    def get(self, iss: str) -> ShcIssuer | None:
        return self.issuers.get(iss)

    def __len__(self) -> int:
        return len(self.issuers)

    def key_count(self) -> int:
        return sum(len(issuer.keys) for issuer in self.issuers.values())

    def merged(self, other: ShcIssuers) -> ShcIssuers:
        """`other`'s keys and CRLs are added; for the same key the newer CRL (ctr) wins."""
        result = dict(self.issuers)
        for iss, issuer in other.issuers.items():
            mine = result.get(iss)
            result[iss] = issuer if mine is None else _merge(mine, issuer)
        return ShcIssuers(result)

    def to_json(self) -> dict[str, Any]:
        return {iss: self.issuers[iss].to_json() for iss in sorted(self.issuers)}

    @classmethod
    def from_json(cls, data: Any) -> ShcIssuers:
        """The bundle's `shc_issuers`, strictly: any bad entry is a ShcKeyError."""
        if not isinstance(data, Mapping):
            raise ShcKeyError("shc_issuers is not an object")
        issuers = {}
        for iss, entry in data.items():
            if not isinstance(entry, Mapping) or not isinstance(entry.get("keys"), list):
                raise ShcKeyError(f"{iss}: not an issuer entry")
            keys = [key_from_jwk(jwk) for jwk in entry["keys"]]
            crls = [crl_from_json(crl) for crl in entry.get("crls", [])]
            issuers[_iss(iss)] = _issuer(iss, entry.get("name"), keys, crls)
        return cls(issuers)


EMPTY_SHC_ISSUERS = ShcIssuers()


def _merge(old: ShcIssuer, new: ShcIssuer) -> ShcIssuer:
    crls = dict(old.crls)
    for kid, crl in new.crls.items():
        if kid not in crls or crl.ctr >= crls[kid].ctr:
            crls[kid] = crl
    return ShcIssuer(old.iss, new.name or old.name, {**old.keys, **new.keys}, crls)


def _iss(value: Any) -> str:
    if not isinstance(value, str) or not value.startswith("https://") or len(value) > 255:
        raise ShcKeyError(f"issuer URL must be https:// and short: {str(value)[:80]!r}")
    if value.endswith("/"):
        raise ShcKeyError(f"issuer URL must not end with '/': {value!r}")
    return value


def _issuer(iss: str, name: Any, keys: Sequence[ShcKey], crls: Sequence[ShcCrl]) -> ShcIssuer:
    by_kid = {key.kid: key for key in keys}
    return ShcIssuer(
        iss=_iss(iss),
        name=name if isinstance(name, str) and name else iss,
        keys=by_kid,
        crls={crl.kid: crl for crl in crls if crl.kid in by_kid},
    )


# -- keys ---------------------------------------------------------------------------------


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """RFC 7638 SHA-256 thumbprint of an EC public JWK, base64url: the SHC `kid`."""
    members = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True)
    return b64url_encode(hashlib.sha256(canonical.encode("utf-8")).digest())


def key_from_jwk(jwk: Any) -> ShcKey:
    """An ES256 P-256 signing key whose kid is its thumbprint, or ShcKeyError."""
    if not isinstance(jwk, Mapping):
        raise ShcKeyError("a JWK is not an object")
    if "d" in jwk:
        raise ShcKeyError("a JWK carries private key material ('d'): refusing to import it")
    kid = jwk.get("kid")
    if not isinstance(kid, str) or not kid:
        raise ShcKeyError("a JWK without a kid")
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise ShcKeyError(f"{kid}: not an EC P-256 key")
    if jwk.get("alg", ES256) != ES256 or jwk.get("use", "sig") != "sig":
        raise ShcKeyError(f"{kid}: not an ES256 signing key")
    public_key = _point(kid, jwk.get("x"), jwk.get("y"))
    if jwk_thumbprint(jwk) != kid:
        raise ShcKeyError(f"{kid}: kid is not the key's RFC 7638 thumbprint")
    stored = {name: jwk[name] for name in PUBLIC_MEMBERS if name in jwk}
    stored.setdefault("alg", ES256)
    return ShcKey(kid, public_key, stored)


def _point(kid: str, x: Any, y: Any) -> ec.EllipticCurvePublicKey:
    try:
        xb, yb = b64url_decode(str(x)), b64url_decode(str(y))
    except DecodeError as exc:
        raise ShcKeyError(f"{kid}: coordinates are not base64url") from exc
    if not (isinstance(x, str) and isinstance(y, str) and len(xb) == len(yb) == 32):
        raise ShcKeyError(f"{kid}: coordinates are not 32 bytes each")
    numbers = ec.EllipticCurvePublicNumbers(int.from_bytes(xb), int.from_bytes(yb), ec.SECP256R1())
    try:
        return numbers.public_key()
    except ValueError as exc:
        raise ShcKeyError(f"{kid}: not a point on P-256") from exc


def crl_from_json(data: Any) -> ShcCrl:
    """A CRL file: {"kid", "method": "rid", "ctr", "rids": ["rid" or "rid.timestamp"]}."""
    if not isinstance(data, Mapping) or data.get("method") != "rid":
        raise ShcKeyError("a CRL is not an object with method 'rid'")
    kid, ctr, entries = data.get("kid"), data.get("ctr"), data.get("rids")
    if not isinstance(kid, str) or not isinstance(entries, list):
        raise ShcKeyError("a CRL needs a kid and a rids list")
    if isinstance(ctr, bool) or not isinstance(ctr, int) or ctr < 0:
        raise ShcKeyError(f"CRL {kid}: ctr is not a counter")
    rids: dict[str, int | None] = {}
    for entry in entries:
        match = _RID.fullmatch(entry) if isinstance(entry, str) else None
        if match is None:
            raise ShcKeyError(f"CRL {kid}: {str(entry)[:40]!r} is not a rid")
        rid, cutoff = match.group(1), match.group(2)
        rids[rid] = _later(rids, rid, None if cutoff is None else int(cutoff))
    return ShcCrl(kid, ctr, rids)


def _later(rids: Mapping[str, int | None], rid: str, cutoff: int | None) -> int | None:
    """Listed twice: no cut-off wins (every card), else the later cut-off (more cards)."""
    if rid not in rids:
        return cutoff
    previous = rids[rid]
    if previous is None or cutoff is None:
        return None
    return max(previous, cutoff)


# -- importers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ShcImport:
    issuers: ShcIssuers
    skipped: tuple[str, ...] = ()


def import_jwks(document: Any, iss: str, *, name: str | None = None, crls: Iterable[Any] = ()) -> ShcImport:
    """One issuer's JWK set (`{"keys": [...]}`), with its CRL files if any."""
    if not isinstance(document, Mapping) or not isinstance(document.get("keys"), list):
        raise ShcKeyError('not a JWK set: expected {"keys": [...]}')
    return _import_entries([{"iss": iss, "name": name, "keys": document["keys"], "crls": list(crls)}])


def import_directory(document: Any) -> ShcImport:
    """A directory snapshot: VCI's `{"issuerInfo": [...]}` or a list of issuer entries."""
    if isinstance(document, Mapping) and isinstance(document.get("issuerInfo"), list):
        entries = document["issuerInfo"]
    elif isinstance(document, list):
        entries = document
    elif isinstance(document, Mapping) and "participating_issuers" in document:
        raise ShcKeyError("an issuer list without keys: import a directory snapshot that holds them")
    else:
        raise ShcKeyError("not a directory snapshot")
    return _import_entries([_flatten(entry) for entry in entries])


def import_shc_keys(document: Any, iss: str | None = None, *, name: str | None = None) -> ShcImport:
    """Either form: a JWK set needs `iss`; a directory snapshot must not be given one."""
    if isinstance(document, Mapping) and "keys" in document:
        if iss is None:
            raise ShcKeyError("a JWK set does not say whose it is: give its issuer URL")
        return import_jwks(document, iss, name=name)
    if iss is not None:
        raise ShcKeyError("a directory snapshot names its issuers itself")
    return import_directory(document)


def _flatten(entry: Any) -> dict[str, Any]:
    if not isinstance(entry, Mapping):
        raise ShcKeyError("a directory entry is not an object")
    nested = entry.get("issuer")
    issuer: Mapping[str, Any] = nested if isinstance(nested, Mapping) else entry
    return {
        "iss": issuer.get("iss"),
        "name": issuer.get("name"),
        "keys": entry.get("keys", []),
        "crls": entry.get("crls") or [],
    }


def _import_entries(entries: Sequence[Mapping[str, Any]]) -> ShcImport:
    result, skipped = ShcIssuers(), list[str]()
    for entry in entries:
        iss = _iss(entry["iss"])
        keys = _usable_keys(iss, entry["keys"], skipped)
        if not keys:
            skipped.append(f"{iss}: no usable ES256 key; issuer not imported")
            continue
        crls = _usable_crls(iss, entry["crls"], skipped)
        result = result.merged(ShcIssuers({iss: _issuer(iss, entry.get("name"), keys, crls)}))
    return ShcImport(result, tuple(skipped))


def _usable_keys(iss: str, jwks: Any, skipped: list[str]) -> list[ShcKey]:
    if not isinstance(jwks, list):
        raise ShcKeyError(f"{iss}: keys is not a list")
    keys = []
    for jwk in jwks:
        if isinstance(jwk, Mapping) and "d" in jwk:
            raise ShcKeyError(f"{iss}: a JWK carries private key material ('d'): refusing to import it")
        try:
            keys.append(key_from_jwk(jwk))
        except ShcKeyError as exc:
            skipped.append(f"{iss}: {exc}")
    return keys


def _usable_crls(iss: str, crls: Any, skipped: list[str]) -> list[ShcCrl]:
    result = []
    for data in crls if isinstance(crls, list) else []:
        try:
            result.append(crl_from_json(data))
        except ShcKeyError as exc:
            skipped.append(f"{iss}: {exc}")
    return result
