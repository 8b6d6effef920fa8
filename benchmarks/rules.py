"""Classifications per second (CertLogic profile evaluation), and what a big trust bundle
costs: load time with 10,000 signer certificates and a 1,000,000-entry revocation list,
and revocation lookups at 1k vs 1M entries (O(1): the times should match).

    uv run python benchmarks/rules.py
"""

from __future__ import annotations

import json
import secrets
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from benchmarks._common import machine, pin_one_core, rate, table
from scanner_app.core.bundle import Anchor, build_content, open_bundle, sign_bundle
from scanner_app.core.revocation import Blocklist
from scanner_app.core.rules import classify, profile_from_json
from scanner_app.devkit.keys import make_csca, new_ec_key
from scanner_app.local.bundle_store import app_anchors
from scanner_app.system.resources import asset

NOW = datetime(2021, 10, 20, 3, 0, tzinfo=UTC)


def many_certificates(count: int) -> list[bytes]:
    csca = make_csca()
    key = new_ec_key().public_key()
    ders = []
    for number in range(count):
        name = x509.Name(
            [
                x509.NameAttribute(x509.NameOID.COMMON_NAME, f"DSC {number}"),
                x509.NameAttribute(x509.NameOID.COUNTRY_NAME, "VN"),
            ]
        )
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(csca.certificate.subject)
            .public_key(key)
            .serial_number(number + 1)
            .not_valid_before(NOW)
            .not_valid_after(NOW + timedelta(days=365))
            .sign(csca.private_key, hashes.SHA256())
        )
        ders.append(cert.public_bytes(serialization.Encoding.DER))
    return ders


def main() -> None:
    print(f"machine: {machine()}; {pin_one_core()}")
    profile = profile_from_json(json.loads(asset("rules", "VN-KH-2021-10.json").read_text()))
    payloads = {
        "green 2/2 vaccination": {"v": [{"dn": 2, "sd": 2, "dt": "2021-09-01"}]},
        "yellow negative PCR": {"t": [{"tt": "LP6464-4", "tr": "260415000", "sc": "2021-10-19T10:00:00Z"}]},
        "green recovery": {"r": [{"fr": "2021-06-01", "df": "2021-06-12", "du": "2021-12-01"}]},
        "red (nothing matches)": {},
    }
    rows = [[name, f"{rate(lambda p=p: classify(profile, p, NOW)):,.0f}"] for name, p in payloads.items()]
    print(table(["payload (profile VN-KH-2021-10)", "classifications /s"], rows))

    began = time.perf_counter()
    ders = many_certificates(10_000)
    revoked = [secrets.token_bytes(16) for _ in range(1_000_000)]
    made = time.perf_counter() - began
    anchor = new_ec_key()
    policy = json.loads(asset("policies", "VN-EXAMPLE-POLICY.json").read_text())
    content = build_content(
        issuer="BENCH",
        sequence=1,
        issued_at=NOW,
        not_after=NOW + timedelta(days=14),
        signers=ders,
        profiles=[profile.source],
        policies=[policy],
        revoked=revoked,
    )
    data = sign_bundle(content, anchor)
    anchors = [Anchor("bench", anchor.public_key()), *app_anchors()]
    loads = []
    for _ in range(3):
        began = time.perf_counter()
        bundle = open_bundle(data, anchors)
        loads.append(time.perf_counter() - began)
    print(
        f"\nbundle: {len(bundle.signers):,} signer certificates, {len(bundle.revoked):,} revoked hashes, "
        f"{len(data) / 1e6:.1f} MB (test data made in {made:.0f} s)"
    )
    print(f"bundle verify + parse: median {statistics.median(loads):.2f} s over 3 loads")
    small = Blocklist(revoked=frozenset(revoked[:1000]))
    big = Blocklist(revoked=bundle.revoked)
    ids = [f"URN:UVCI:01:VN:{i:012d}#A" for i in range(1000)]
    lookups = []
    for name, blocklist in (("1,000 entries", small), ("1,000,000 entries", big)):
        per_second = rate(lambda b=blocklist: [b.status(i) for i in ids]) * len(ids)
        lookups.append([name, f"{per_second:,.0f}", f"{1e6 / per_second:.2f}"])
    print(table(["revocation list", "lookups /s", "µs per lookup"], lookups))


if __name__ == "__main__":
    main()
