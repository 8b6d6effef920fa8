"""Enrolling this scanner with a district hub: send the device's public key with the one-time
code, record what the hub answers (checkpoint, the keys identities are sealed to), raise the
trusted-time floor from the hub's clock.

Failures are typed (`EnrollProblem`) so that the window and the command line can each say
what went wrong in the user's language, and the reason is never lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from scanner_app.local.device import Device, save_enrollment
from scanner_app.local.trust_state import TrustState
from scanner_app.sync.client import HubClient, HubRefused, HubUnavailable


class EnrollProblem(StrEnum):
    UNREACHABLE = "hub_unreachable"  # no answer: address, network, the hub is down
    REFUSED = "code_refused"  # the hub said no: unknown, used or expired code
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


def enroll(
    data_dir: Path, device: Device, client: HubClient, trust: TrustState, hub_url: str, code: str
) -> Enrolled:
    """Enroll `device` with the hub `client` talks to; raises EnrollError. The caller
    reloads the device identity afterwards (it now names the hub and the checkpoint)."""
    try:
        answer = client.enroll(code, device.public_key_pem(), device.device_id)
    except HubUnavailable as exc:
        raise EnrollError(EnrollProblem.UNREACHABLE, str(exc)) from exc
    except HubRefused as exc:
        raise EnrollError(EnrollProblem.REFUSED, str(exc)) from exc
    finally:
        client.close()
    if answer.status != 200:
        raise EnrollError(EnrollProblem.REFUSED, f"{answer.status} {answer.body}")
    body = answer.body if isinstance(answer.body, dict) else {}
    try:
        enrolled = save_enrollment(
            data_dir,
            hub_url=hub_url,
            hmac_secret=bytes.fromhex(body["hmac_secret"]),
            hub_seal_key=bytes.fromhex(body["seal_public_key"]),
            checkpoint_id=str(body["checkpoint_id"]),
        )
        checkpoint_type = str(body["checkpoint_type"])
    except (KeyError, TypeError, ValueError) as exc:
        raise EnrollError(EnrollProblem.BAD_ANSWER, f"missing or malformed {exc}") from exc
    if answer.hub_time:
        trust.raise_floor(answer.hub_time, "hub")
    return Enrolled(enrolled.device_id, enrolled.checkpoint_id or "", checkpoint_type)
