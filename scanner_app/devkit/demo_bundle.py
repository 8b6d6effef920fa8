"""The embedded demo trust bundle: demo signers, the rule profiles and the example policy
from `assets/`, signed by the published demo anchor. `python -m scanner_app.devkit.demo_bundle`
rebuilds `assets/demo-bundle.cose`; a test checks the committed file matches its sources."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from scanner_app.core.bundle import build_content, sign_bundle
from scanner_app.devkit.keys import demo_anchor_key, demo_signer
from scanner_app.system.resources import asset

DEMO_ISSUED_AT = datetime(2026, 11, 26, tzinfo=UTC)
DEMO_VALID_YEARS = 10


def _json_files(folder: Path) -> list[Any]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


def demo_content(issued_at: datetime = DEMO_ISSUED_AT) -> dict[str, Any]:
    profiles = sorted(_json_files(asset("rules")), key=lambda p: p["id"] != "VN-KH-2021-10")
    return build_content(
        issuer="DEMO Khánh Hòa trust issuer",
        sequence=1,
        issued_at=issued_at,
        not_after=issued_at + timedelta(days=365 * DEMO_VALID_YEARS),
        signers=[demo_signer().der, demo_signer(rsa_key=True).der],
        profiles=profiles,
        policies=_json_files(asset("policies")),
        value_sets=json.loads(asset("valuesets", "demo-valuesets.json").read_text()),
        demo=True,
    )


def build_demo_bundle(issued_at: datetime = DEMO_ISSUED_AT) -> bytes:
    return sign_bundle(demo_content(issued_at), demo_anchor_key())


if __name__ == "__main__":
    target = asset("demo-bundle.cose")
    target.write_bytes(build_demo_bundle())
    print(f"wrote {target}")
