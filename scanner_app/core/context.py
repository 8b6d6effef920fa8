"""Everything `verify` needs besides the text: trusted keys (DCC signers and SMART Health Card
issuers), the blocklist, the time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from scanner_app.core.revocation import EMPTY_BLOCKLIST, Blocklist
from scanner_app.core.shc_keys import EMPTY_SHC_ISSUERS, ShcIssuers
from scanner_app.core.trust import TrustStore

DEFAULT_SKEW = timedelta(minutes=5)
MAX_QR_TEXT = 4296  # the most a QR code (version 40-L, alphanumeric) can hold


@dataclass(frozen=True)
class VerifyContext:
    trust: TrustStore
    now: datetime
    skew: timedelta = DEFAULT_SKEW
    blocklist: Blocklist = field(default_factory=lambda: EMPTY_BLOCKLIST)
    shc_issuers: ShcIssuers = field(default_factory=lambda: EMPTY_SHC_ISSUERS)

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
