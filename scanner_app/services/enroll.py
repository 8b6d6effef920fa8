"""Enrolling this scanner with a district hub, pinning the hub's identity first.

The code the hub printed ends with the fingerprint of the hub's identity key
(`CODE-FINGERPRINT`, also inside the QR link). The scanner signs its request with its own key
(proof of possession), and accepts the answer only when it is signed by a key with that
fingerprint and answers this request; over https, the certificate the address presented
must be the one the hub signed into its answer, and it is pinned from then on. The secrets
come sealed to this device's own key. An impostor at the typed address gets nothing and
changes nothing: `EnrollError(IMPOSTOR)`.

Failures are typed (`EnrollProblem`) so that the window and the command line can each say
what went wrong in the user's language.
"""

from __future__ import annotations

import binascii
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import httpx
from cryptography.exceptions import InvalidTag

from scanner_app.core.clock import Clock
from scanner_app.core.sealing import open_json
from scanner_app.core.wire import (
    RECOVERY_INFO,
    AnswerError,
    EnrollmentCode,
    certificate_sha256,
    enrollment_body,
    fingerprint,
    load_hub_key,
    new_nonce,
    open_answer,
    sign_request,
)
from scanner_app.local.day_keys import DayKeys
from scanner_app.local.device import Device, Enrollment, save_enrollment
from scanner_app.local.pin_store import save_hub_recovery
from scanner_app.local.trust_state import TrustState
from scanner_app.sync.client import HubClient, HubRefused, HubUnavailable, fetch_certificate

CLOCK_MARGIN = timedelta(minutes=10)


class EnrollProblem(StrEnum):
    BAD_CODE = "bad_code"  # not CODE-FINGERPRINT as the hub printed it
    UNREACHABLE = "hub_unreachable"  # no answer: address, network, the hub is down
    REFUSED = "code_refused"  # the hub said no: unknown, used or expired code
    IMPOSTOR = "not_the_hub"  # whoever answered is not the hub the code names
    BAD_ANSWER = "bad_answer"  # the hub answered something this scanner cannot use


class EnrollError(Exception):
    def __init__(self, problem: EnrollProblem, detail: str) -> None:
        super().__init__(f"{problem.value}: {detail}")
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True)
class Enrolled:
    device_id: str
    checkpoint_id: str
    checkpoint_type: str
    hub_fingerprint: str


def enroll(
    data_dir: Path,
    device: Device,
    trust: TrustState,
    clock: Clock,
    hub_urls: Sequence[str],
    code_text: str,
    *,
    transport: httpx.BaseTransport | None = None,
) -> Enrolled:
    """Enroll `device` with the hub at `hub_urls` (tried in turn); raises EnrollError. The
    caller reloads the device identity afterwards."""
    try:
        code = EnrollmentCode.parse(code_text)
    except ValueError as exc:
        raise EnrollError(EnrollProblem.BAD_CODE, str(exc)) from exc
    try:
        presented = fetch_certificate(hub_urls[0])
    except HubUnavailable as exc:
        raise EnrollError(EnrollProblem.UNREACHABLE, str(exc)) from exc
    nonce = new_nonce()
    body = enrollment_body(code, device.device_id, device.public_key_pem(), device.seal_public_raw(), nonce)
    client = HubClient(hub_urls, tls_pem=presented, transport=transport)
    try:
        answer = client.enroll(sign_request(body, device.signing_key))
    except HubUnavailable as exc:
        raise EnrollError(EnrollProblem.UNREACHABLE, str(exc)) from exc
    except HubRefused as exc:
        problem = EnrollProblem.IMPOSTOR if exc.problem == "wrong_hub" else EnrollProblem.REFUSED
        raise EnrollError(problem, str(exc)) from exc
    finally:
        client.close()
    if answer.status != 200 or not isinstance(answer.body, dict):
        raise EnrollError(EnrollProblem.REFUSED, f"{answer.status} {answer.body}")
    payload = _verified(answer.body, code, device.device_id, nonce)
    pin = _tls_pin(presented, payload.get("tls_sha256"), hub_urls[0])
    _take_day_keys(data_dir, device, clock, payload)
    _take_recovery(data_dir, device, payload)
    enrolled = _save(data_dir, device, payload, answer.body, pin, hub_urls)
    _raise_floor(trust, clock, payload)
    return Enrolled(
        enrolled.device_id, enrolled.checkpoint_id or "", enrolled.checkpoint_type or "", code.fingerprint
    )


def _verified(body: dict[str, Any], code: EnrollmentCode, device_id: str, nonce: str) -> dict[str, Any]:
    try:
        identity = load_hub_key(str(body["hub_identity"]))
    except (KeyError, ValueError, binascii.Error) as exc:
        raise EnrollError(EnrollProblem.IMPOSTOR, "the answer carries no hub identity") from exc
    if fingerprint(identity) != code.fingerprint:
        raise EnrollError(
            EnrollProblem.IMPOSTOR,
            f"the hub at this address has fingerprint {fingerprint(identity)}, "
            f"the code names {code.fingerprint}",
        )
    try:
        payload = open_answer(
            body.get("answer"), identity, kind="enrollment", device_id=device_id, nonce=nonce
        )
    except AnswerError as exc:
        raise EnrollError(EnrollProblem.IMPOSTOR, str(exc)) from exc
    payload["_identity"] = identity
    return payload


def _tls_pin(presented: str | None, signed_sha256: object, url: str) -> str | None:
    """The certificate to pin: the one presented, when it is the one the hub signed; None for
    plain HTTP and for a hub behind a proxy whose certificate a public CA vouches for."""
    if presented is None:
        return None
    if signed_sha256 is None:  # TLS ends at a proxy: the usual CA checks apply from now on
        try:
            httpx.get(url.rstrip("/") + "/v1/health", timeout=10).raise_for_status()
        except (httpx.HTTPError, ssl.SSLError) as exc:
            raise EnrollError(
                EnrollProblem.IMPOSTOR,
                "the address presents a certificate the hub did not sign and no CA vouches for",
            ) from exc
        return None
    der = ssl.PEM_cert_to_DER_cert(presented)
    if certificate_sha256(der) != signed_sha256:
        raise EnrollError(EnrollProblem.IMPOSTOR, "the certificate at this address is not the hub's")
    return presented


def _save(
    data_dir: Path,
    device: Device,
    payload: dict[str, Any],
    body: dict[str, Any],
    pin: str | None,
    urls: Sequence[str],
) -> Device:
    try:
        announced = [u for u in payload.get("hub_urls") or [] if isinstance(u, str)]
        return save_enrollment(
            data_dir,
            Enrollment(
                hub_urls=list(dict.fromkeys([*urls, *announced])),
                hub_identity=payload["_identity"],
                hub_tls_pem=pin,
                hub_seal_key=bytes.fromhex(str(payload["seal_public_key"])),
                checkpoint_id=str(payload["checkpoint_id"]),
                checkpoint_type=str(payload["checkpoint_type"]),
            ),
        )
    except (KeyError, TypeError, ValueError, InvalidTag) as exc:  # malformed: nothing is saved
        raise EnrollError(EnrollProblem.BAD_ANSWER, f"{type(exc).__name__}: {exc}") from exc


def _take_day_keys(data_dir: Path, device: Device, clock: Clock, payload: dict[str, Any]) -> None:
    """The pseudonym keys for today and the next days, sealed to this device's own key."""
    try:
        DayKeys(data_dir, device.local_secret).install(str(payload["day_keys"]), device.seal_key, clock.now())
    except (KeyError, TypeError, ValueError, InvalidTag) as exc:
        raise EnrollError(EnrollProblem.BAD_ANSWER, f"the day keys could not be opened: {exc}") from exc


def _take_recovery(data_dir: Path, device: Device, payload: dict[str, Any]) -> None:
    """The hub's PIN recovery code for this device: only its scrypt hash is kept here."""
    sealed = payload.get("recovery")
    if not isinstance(sealed, str):
        return
    try:
        save_hub_recovery(data_dir, str(open_json(device.seal_key, sealed, RECOVERY_INFO)["code"]))
    except (KeyError, TypeError, ValueError, InvalidTag) as exc:
        raise EnrollError(EnrollProblem.BAD_ANSWER, f"the recovery code could not be opened: {exc}") from exc


def _raise_floor(trust: TrustState, clock: Clock, payload: dict[str, Any]) -> None:
    try:
        hub_time = datetime.fromisoformat(str(payload["hub_time"]))
    except (KeyError, ValueError):
        return
    if abs(clock.now() - hub_time) <= CLOCK_MARGIN:
        trust.raise_floor(hub_time, "hub")
