"""`issue`: platform exports in, signed cards out, the register updated — all or nothing.

Stages (each timed, for benchmarks/issuer.py): read the CSVs, merge people, choose
certificates, sign (through the token) and check each card with the scanner's verifier,
draw the phone pictures and the PDF sheets into a staging folder, then commit the register
and move the outputs into place. A failure before the commit leaves the register as it
was and no card in OUTDIR.
"""

from __future__ import annotations

import csv
import json
import secrets
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from scanner_app.core.trust import signer_from_certificate
from scanner_issuer.card_text import CardText, day, facts_line, local_time
from scanner_issuer.choose import LIFETIME, Candidate, choose, colour_holds_until, load_profile
from scanner_issuer.dcc import content_key, schema_problems
from scanner_issuer.errors import IssuerError
from scanner_issuer.hc1 import SigningKey, check_card, cwt_payload, sign_card
from scanner_issuer.keys import KeyBackend, open_backend
from scanner_issuer.people import Person, merge
from scanner_issuer.picture import write_picture
from scanner_issuer.qr import Symbol, make_symbol
from scanner_issuer.reasons import REJECT_HEADER, Reason, Reject
from scanner_issuer.register import CardRow, Register
from scanner_issuer.sheet import write_sheets
from scanner_issuer.sources import Record, read_source
from scanner_issuer.state import IssuerState, iso
from scanner_issuer.uvci import new_uvci


@dataclass
class Stages:
    """Wall time per stage in seconds, in the order they ran."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def timed(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start


@dataclass
class IssuedCard:
    row: CardRow
    person: Person
    dcc: dict[str, Any]
    symbol: Symbol | None = None


@dataclass
class IssueReport:
    people: int = 0
    issued: Counter[str] = field(default_factory=Counter)  # by "type/colour"
    unchanged: int = 0
    superseded: int = 0
    rejects: int = 0
    sheets: int = 0
    signatures: int = 0
    stages: Stages = field(default_factory=Stages)

    def summary(self) -> str:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.issued.items())) or "none"
        return (
            f"{self.people} people: {sum(self.issued.values())} card(s) issued ({kinds}), "
            f"{self.unchanged} unchanged, {self.superseded} previous card(s) revoked as superseded, "
            f"{self.rejects} row(s) rejected, {self.sheets} sheet(s)"
        )


@dataclass(frozen=True)
class IssueRequest:
    sources: dict[str, Path]  # "vaccinations" | "tests" | "recoveries" -> CSV
    at: datetime
    out: Path
    profile: Path | None = None


def issue(state: IssuerState, request: IssueRequest) -> IssueReport:
    report = IssueReport()
    stages = report.stages
    at = request.at.replace(microsecond=0)
    profile = load_profile(request.profile or state.profile_path())
    with stages.timed("read CSV"):
        records: list[Record] = []
        rejects: list[Reject] = []
        for kind, path in request.sources.items():
            found, refused = read_source(kind, path, at)
            records += found
            rejects += refused
    with stages.timed("merge people"):
        people, conflicts = merge(records)
        rejects += conflicts
    report.people = len(people)
    with stages.timed("choose (classify)"):
        plans = [(p, choose(p, profile, at, country=state.country, issuer=state.issuer_name)) for p in people]
    register = Register(state.folder / "register.sqlite")
    batch = f"{at.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
    try:
        with register.transaction(), open_backend(state.folder, state.token) as backend:
            keys = _signing_keys(state, backend)
            cards = _sign_all(state, plans, keys, register, at, batch, profile, report, rejects)
            staging = _stage_outputs(state, request.out, batch, cards, rejects, report)
            register.add_batch(
                batch, at=iso(at), out=str(request.out), cards=len(cards), rejects=len(rejects)
            )
        _publish(staging, request.out)
    finally:
        register.close()
    report.rejects = len(rejects)
    return report


def _signing_keys(state: IssuerState, backend: KeyBackend) -> dict[str, SigningKey]:
    keys: dict[str, SigningKey] = {}
    for kind in ("v", "t", "r"):
        record = state.signer_for(kind)
        signer = signer_from_certificate(state.certificate(record))
        keys[kind] = SigningKey(backend.key(record.key_id_bytes), signer)
    return keys


def _sign_all(
    state: IssuerState,
    plans: list[tuple[Person, list[Candidate]]],
    keys: dict[str, SigningKey],
    register: Register,
    at: datetime,
    batch: str,
    profile: Any,
    report: IssueReport,
    rejects: list[Reject],
) -> list[IssuedCard]:
    stages = report.stages
    cards: list[IssuedCard] = []
    for person, chosen in plans:
        for candidate in chosen:
            with stages.timed("choose (classify)"):
                previous = register.active(person.cccd, candidate.kind)
                content = content_key(candidate.build(""))
                if previous is not None and previous.content == content:
                    report.unchanged += 1
                    continue
                uvci = _unique_uvci(state, register)
                dcc = candidate.build(uvci)
            with stages.timed("schema check"):
                problems = schema_problems(dcc)
            if problems:
                rejects.append(Reject(candidate.record.row, Reason.SCHEMA_INVALID, "; ".join(problems)[:300]))
                continue
            key = keys[candidate.kind]
            expires = at + LIFETIME[candidate.kind]
            with stages.timed("sign in token"):
                text = sign_card(
                    cwt_payload(dcc, country=state.country, issued_at=at, expires_at=expires), key
                )
            report.signatures += 1
            with stages.timed("check with scanner verifier"):
                check_card(text, key, at)
            with stages.timed("choose (classify)"):
                until = colour_holds_until(profile, dcc, candidate.colour, at, expires)
            row = CardRow(
                uvci=uvci,
                cccd=person.cccd,
                type=candidate.kind,
                content=content,
                kid=key.signer.kid.hex(),
                issued_at=iso(at),
                expires_at=iso(expires),
                valid_until=until.isoformat(),
                colour_at_issue=candidate.colour.value,
                hc1=text,
                batch=batch,
            )
            with stages.timed("register"):
                if previous is not None:
                    register.revoke(previous.uvci, reason="superseded", at=iso(at), replaced_by=uvci)
                    report.superseded += 1
                register.add(row)
            report.issued[f"{candidate.kind}/{candidate.colour.value}"] += 1
            cards.append(IssuedCard(row, person, dcc))
    return cards


def _unique_uvci(state: IssuerState, register: Register) -> str:
    for _ in range(10):
        uvci = new_uvci(state.country, state.province)
        if register.card(uvci) is None:
            return uvci
    raise IssuerError("could not draw an unused UVCI in 10 tries; the register looks corrupt")


def card_text(card: IssuedCard, state: IssuerState) -> CardText:
    identity = card.person.identity
    valid_until = None
    if card.row.type == "t":
        valid_until = local_time(datetime.fromisoformat(card.row.valid_until))
    return CardText(
        full_name=f"{identity.family} {identity.given}",
        birth=day(identity.dob),
        colour=card.row.colour_at_issue,
        facts=facts_line(card.dcc),
        valid_until=valid_until,
        uvci=card.row.uvci,
        issuer=state.issuer_name,
        demo=state.demo,
    )


def picture_name(uvci: str) -> str:
    return uvci.rsplit(":", 1)[-1].replace("#", "-") + ".png"


def _stage_outputs(
    state: IssuerState,
    out: Path,
    batch: str,
    cards: list[IssuedCard],
    rejects: list[Reject],
    report: IssueReport,
) -> Path:
    stages = report.stages
    staging = out / f".staging-{batch}"
    (staging / "png").mkdir(parents=True)
    texts = []
    with stages.timed("QR symbols"):
        for card in cards:
            card.symbol = make_symbol(card.row.hc1)
    with stages.timed("PNG pictures"):
        for card in cards:
            text = card_text(card, state)
            texts.append(text)
            assert card.symbol is not None
            write_picture(staging / "png" / picture_name(card.row.uvci), text, card.symbol)
    with stages.timed("PDF sheets"):
        if cards:
            report.sheets = write_sheets(
                staging / "cards.pdf",
                ((t, c.symbol) for t, c in zip(texts, cards, strict=True) if c.symbol is not None),
                title=f"Thẻ Covid · {state.issuer_name} · {batch}",
                footer=f"{'DEMO · ' if state.demo else ''}{state.issuer_name} · {batch} · {len(cards)} thẻ",
            )
    with stages.timed("cards.jsonl + rejects.csv"):
        with (staging / "cards.jsonl").open("w", encoding="utf-8") as handle:
            for card in cards:
                handle.write(json.dumps(_card_line(card, state), ensure_ascii=False) + "\n")
        with (staging / "rejects.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(REJECT_HEADER)
            order = {"vaccinations": 0, "tests": 1, "recoveries": 2}
            for reject in sorted(rejects, key=lambda r: (order[r.row.source], r.row.file, r.row.line)):
                writer.writerow(reject.as_csv_row())
    return staging


def _card_line(card: IssuedCard, state: IssuerState) -> dict[str, Any]:
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


def _publish(staging: Path, out: Path) -> None:
    """Replace the previous run's outputs in OUTDIR with this run's."""
    for name in ("png", "cards.pdf", "cards.jsonl", "rejects.csv"):
        target = out / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        source = staging / name
        if source.exists():
            source.rename(target)
    shutil.rmtree(staging)
