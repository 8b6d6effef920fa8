"""Demo key material: a signing CA, document signers (EC P-256 and RSA) and trust anchors.

The fixed demo keys under `assets/devkit/` make demo cards verifiable against the embedded
demo bundle on any machine; tests make fresh keys with the same functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID, ObjectIdentifier

from scanner_app.core.trust import SignerKey, kid_of, signer_from_certificate
from scanner_app.system.resources import asset

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
USAGE_OIDS = {
    "t": "1.3.6.1.4.1.1847.2021.1.1",
    "v": "1.3.6.1.4.1.1847.2021.1.2",
    "r": "1.3.6.1.4.1.1847.2021.1.3",
}
DEMO_EPOCH = datetime(2021, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Signer:
    """A document signer: private key plus its certificate."""

    private_key: PrivateKey
    certificate: x509.Certificate

    @property
    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def kid(self) -> bytes:
        return kid_of(self.der)

    @property
    def alg(self) -> str:
        return "PS256" if isinstance(self.private_key, rsa.RSAPrivateKey) else "ES256"

    def trusted(self) -> SignerKey:
        return signer_from_certificate(self.certificate)

    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def key_pem(self) -> bytes:
        return private_key_pem(self.private_key)


def private_key_pem(key: PrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def new_ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name: str, country: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, country),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "DEMO - not a real issuer"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def make_csca(country: str = "VN", not_before: datetime = DEMO_EPOCH, years: int = 15) -> Signer:
    key = new_ec_key()
    name = _name(f"DEMO CSCA {country}", country)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    return Signer(key, cert)


def make_signer(
    csca: Signer,
    *,
    country: str = "VN",
    name: str = "DEMO DSC",
    rsa_key: bool = False,
    usages: str | None = None,
    not_before: datetime = DEMO_EPOCH,
    days: int = 365 * 10,
    critical_eku: bool = False,
) -> Signer:
    """A DSC issued by `csca`. `usages` like "v" or "vtr" adds the DCC EKU OIDs."""
    key: PrivateKey = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048) if rsa_key else new_ec_key()
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(name, country))
        .issuer_name(csca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + timedelta(days=days))
    )
    if usages is not None:
        oids = [ObjectIdentifier(USAGE_OIDS[u]) for u in usages]
        builder = builder.add_extension(x509.ExtendedKeyUsage(oids), critical=critical_eku)
    return Signer(key, builder.sign(csca.private_key, hashes.SHA256()))


def load_signer(key_pem: bytes, cert_pem: bytes) -> Signer:
    key = serialization.load_pem_private_key(key_pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise ValueError("signer key must be EC or RSA")
    return Signer(key, x509.load_pem_x509_certificate(cert_pem))


def load_private_key(path: Path) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{path}: expected an EC P-256 private key")
    return key


def demo_signer(rsa_key: bool = False) -> Signer:
    """A published DEMO document signer whose certificate is in the demo bundle."""
    folder = asset("devkit")
    stem = "demo-dsc-rsa" if rsa_key else "demo-dsc"
    return load_signer((folder / f"{stem}-key.pem").read_bytes(), (folder / f"{stem}.pem").read_bytes())


def demo_anchor_key() -> ec.EllipticCurvePrivateKey:
    """The published DEMO anchor key: signs demo bundles only (see core/bundle.py)."""
    return load_private_key(asset("devkit", "demo-anchor-key.pem"))
