"""`export-trust`: the document signers in service and every revoked card, as the files
`scanner-app bundle build` and `scanner-hub publish` take (`--signer`, `--revoked`,
`--block-key`), so the next published bundle carries them to every scanner.

Revocations are written as `hash:<32 hex>` lines — the first 16 bytes of SHA-256 of the
normalised UVCI, the hash the scanner checks (`scanner_app.core.revocation`) — so the file
that travels to the hub names no one's certificate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from scanner_app.core.revocation import certificate_hash
from scanner_issuer.register import Register
from scanner_issuer.state import IssuerState, iso, pem, write_atomic

SIGNERS_FILE = "signers.pem"
REVOKED_FILE = "revoked.txt"
BLOCKED_FILE = "blocked-signers.pem"


@dataclass(frozen=True)
class TrustExport:
    signers: int
    revoked: int
    blocked: int
    files: dict[str, Path]

    def bundle_arguments(self) -> str:
        arguments = [f"--signer {self.files['signers']}", f"--revoked {self.files['revoked']}"]
        if "blocked" in self.files:
            arguments.append(f"--block-key {self.files['blocked']}")
        return " ".join(arguments)


def export_trust(state: IssuerState, out: Path, at: datetime) -> TrustExport:
    out.mkdir(parents=True, exist_ok=True)
    in_service = state.in_service()
    write_atomic(out / SIGNERS_FILE, b"".join(pem(state.certificate(s)) for s in in_service))
    register = Register(state.folder / "register.sqlite")
    try:
        revoked = register.revoked_uvcis()
    finally:
        register.close()
    lines = [f"# scanner-issuer export-trust · {state.issuer_name} · {iso(at)} · {len(revoked)} revoked"]
    lines += sorted(f"hash:{certificate_hash(uvci).hex()}" for uvci in revoked)
    write_atomic(out / REVOKED_FILE, ("\n".join(lines) + "\n").encode("utf-8"))
    files = {"signers": out / SIGNERS_FILE, "revoked": out / REVOKED_FILE}
    compromised = [s for s in state.signers if s.status == "compromised"]
    blocked_path = out / BLOCKED_FILE
    if compromised:
        write_atomic(blocked_path, b"".join(pem(state.certificate(s)) for s in compromised))
        files["blocked"] = blocked_path
    else:
        blocked_path.unlink(missing_ok=True)
    return TrustExport(len(in_service), len(revoked), len(compromised), files)
