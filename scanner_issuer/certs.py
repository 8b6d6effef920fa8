"""The province's certificates: a self-signed CSCA and document signers (DSCs) it issues.

Built with cryptography's X.509 builder; the signature comes from whatever key object is
passed, which for a token is an adapter whose `sign()` asks the token (see token.py).
DSCs restricted to certificate types carry the DCC extended-key-usage OIDs
(hcert spec §5.1.1), non-critical as the EU's issuers do.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID, ObjectIdentifier

from scanner_issuer.keys import PrivateKey

PublicKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey

USAGE_OIDS = {
    "t": "1.3.6.1.4.1.1847.2021.1.1",
    "v": "1.3.6.1.4.1.1847.2021.1.2",
    "r": "1.3.6.1.4.1.1847.2021.1.3",
}
ALL_TYPES = "vtr"
CSCA_DAYS = 365 * 10
DSC_DAYS = 365 * 2
DEMO_ORGANISATION = "DEMO (file keys) - not for production"


def _name(country: str, organisation: str, common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, country),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def organisation(issuer_name: str, demo: bool) -> str:
    return DEMO_ORGANISATION if demo else issuer_name


def build_csca(
    key: PrivateKey, *, country: str, organisation: str, common_name: str, not_before: datetime
) -> x509.Certificate:
    name = _name(country, organisation, common_name)
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + timedelta(days=CSCA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_usage(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


def build_dsc(
    key_public: PublicKey,
    *,
    csca: x509.Certificate,
    csca_key: PrivateKey,
    country: str,
    organisation: str,
    common_name: str,
    types: str,
    not_before: datetime,
) -> x509.Certificate:
    """A DSC for `types` ("vtr" = every type: no EKU, as the hcert spec allows)."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(country, organisation, common_name))
        .issuer_name(csca.subject)
        .public_key(key_public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(min(not_before + timedelta(days=DSC_DAYS), csca.not_valid_after_utc))
        .add_extension(_signer_usage(), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(_ca_public_key(csca)),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key_public), critical=False)
    )
    if sorted(types) != sorted(ALL_TYPES):
        oids = [ObjectIdentifier(USAGE_OIDS[kind]) for kind in types]
        builder = builder.add_extension(x509.ExtendedKeyUsage(oids), critical=False)
    return builder.sign(csca_key, hashes.SHA256())


def _ca_public_key(csca: x509.Certificate) -> PublicKey:
    key = csca.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
        raise TypeError(f"unexpected CSCA key type {type(key).__name__}")
    return key


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def _signer_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
