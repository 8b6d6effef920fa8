"""What an issue run leaves in OUTDIR: cards.jsonl, rejects.csv, png/, cards.pdf — staged in
a hidden folder and moved into place only after the register committed."""

from __future__ import annotations

import csv
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner_issuer.card_text import CardText, day, facts_line
from scanner_issuer.people import Person
from scanner_issuer.reasons import REJECT_HEADER, Reject
from scanner_issuer.register import CardRow
from scanner_issuer.state import IssuerState

SOURCE_ORDER = {"vaccinations": 0, "tests": 1, "recoveries": 2}
OUTPUT_NAMES = ("png", "cards.pdf", "cards.jsonl", "rejects.csv")


@dataclass(frozen=True)
class IssuedCard:
    row: CardRow
    person: Person
    dcc: dict[str, Any]


def card_text(card: IssuedCard, state: IssuerState) -> CardText:
    """The printed words; valid_until is filled in once it is known."""
    identity = card.person.identity
    return CardText(
        full_name=f"{identity.family} {identity.given}",
        birth=day(identity.dob),
        colour=card.row.colour_at_issue,
        facts=facts_line(card.dcc),
        valid_until=None,
        uvci=card.row.uvci,
        issuer=state.issuer_name,
        demo=state.demo,
    )


def picture_name(uvci: str) -> str:
    """File name from the UVCI's opaque part; the check character may be '/' or ':'."""
    body, _, check = uvci.removeprefix("URN:UVCI:01:").partition("#")
    return re.sub(r"[^A-Z0-9]", "_", f"{body}-{check}") + ".png"


def card_line(card: IssuedCard, state: IssuerState) -> dict[str, Any]:
    row = card.row
    identity = card.person.identity
    return {
        "cccd": row.cccd,
        "uvci": row.uvci,
        "type": row.type,
        "hc1": row.hc1,
        "colour_at_issue": row.colour_at_issue,
        "valid_until": row.valid_until,
        "png": f"png/{picture_name(row.uvci)}",
        "name": f"{identity.family} {identity.given}",
        "dob": identity.dob.isoformat(),
        "issued_at": row.issued_at,
        "expires_at": row.expires_at,
        "kid": row.kid,
        "demo": state.demo,
    }


def write_lists(staging: Path, cards: list[IssuedCard], rejects: list[Reject], state: IssuerState) -> None:
    with (staging / "cards.jsonl").open("w", encoding="utf-8") as handle:
        for card in cards:
            handle.write(json.dumps(card_line(card, state), ensure_ascii=False) + "\n")
    with (staging / "rejects.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REJECT_HEADER)
        for reject in sorted(rejects, key=lambda r: (SOURCE_ORDER[r.row.source], r.row.file, r.row.line)):
            writer.writerow(reject.as_csv_row())


def publish(staging: Path, out: Path) -> None:
    """Move the staged outputs into OUTDIR (which held none: issue checks that first)."""
    for name in OUTPUT_NAMES:
        source = staging / name
        if source.exists():
            source.rename(out / name)
    shutil.rmtree(staging)
