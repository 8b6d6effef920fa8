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
import re
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

from scanner_app.core.rules import Profile
from scanner_app.core.trust import signer_from_certificate
from scanner_issuer.card_text import CardText, day, facts_line, local_time
from scanner_issuer.choose import LIFETIME, Candidate, choose, colour_holds_until, load_profile
from scanner_issuer.dcc import content_key, schema_problems
from scanner_issuer.errors import IssuerError
from scanner_issuer.hc1 import SigningKey, check_card, cwt_payload, sign_card
from scanner_issuer.keys import KeyBackend, open_backend
from scanner_issuer.people import Person, merge
from scanner_issuer.qr import Symbol
from scanner_issuer.reasons import REJECT_HEADER, Reason, Reject
from scanner_issuer.register import CardRow, Register
from scanner_issuer.rendering import RenderJob, RenderQueue
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


@dataclass(frozen=True)
class IssuedCard:
    row: CardRow
    person: Person
    dcc: dict[str, Any]


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
    run = _Batch(
        state, at, f"{at.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}", profile, report, rejects
    )
    staging = request.out / f".staging-{run.batch}"
    (staging / "png").mkdir(parents=True)
    queue = RenderQueue(expected=sum(len(chosen) for _, chosen in plans))
    try:
        with register.transaction(), open_backend(state.folder, state.token) as backend:
            cards = run.sign_all(plans, _signing_keys(state, backend, at), register, queue, staging)
            with stages.timed("wait for QR + PNG workers"):
                symbols = queue.finish()
            _write_outputs(state, staging, run.batch, cards, symbols, rejects, report)
            register.add_batch(
                run.batch, at=iso(at), out=str(request.out), cards=len(cards), rejects=len(rejects)
            )
        _publish(staging, request.out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        queue.close()
        register.close()
    stages.seconds["QR symbols (CPU, in workers)"] = queue.qr_seconds
    stages.seconds["PNG pictures (CPU, in workers)"] = queue.png_seconds
    report.rejects = len(rejects)
    return report


def _signing_keys(state: IssuerState, backend: KeyBackend, at: datetime) -> dict[str, SigningKey]:
    keys: dict[str, SigningKey] = {}
    for kind in ("v", "t", "r"):
        record = state.signer_for(kind)
        signer = signer_from_certificate(state.certificate(record))
        if not signer.valid_at(at):
            raise IssuerError(
                f"DSC {record.label} is valid {record.not_before} to {record.not_after}, not at {iso(at)}"
            )
        keys[kind] = SigningKey(backend.key(record.key_id_bytes), signer)
    return keys


@dataclass
class _Batch:
    """One issue run's constants and tallies, shared by the per-card steps."""

    state: IssuerState
    at: datetime
    batch: str
    profile: Profile
    report: IssueReport
    rejects: list[Reject]

    def sign_all(
        self,
        plans: list[tuple[Person, list[Candidate]]],
        keys: dict[str, SigningKey],
        register: Register,
        queue: RenderQueue,
        staging: Path,
    ) -> list[IssuedCard]:
        cards: list[IssuedCard] = []
        for person, chosen in plans:
            for candidate in chosen:
                card = self.sign_one(person, candidate, keys[candidate.kind], register)
                if card is not None:
                    cards.append(card)
                    job = RenderJob(
                        card.row.hc1,
                        card_text(card, self.state),
                        staging / "png" / picture_name(card.row.uvci),
                    )
                    queue.add(job)
        return cards

    def sign_one(
        self, person: Person, candidate: Candidate, key: SigningKey, register: Register
    ) -> IssuedCard | None:
        """Sign `candidate` unless the same content is already active; None when not signed."""
        stages, at, state = self.report.stages, self.at, self.state
        with stages.timed("choose (classify)"):
            previous = register.active(person.cccd, candidate.kind)
            content = content_key(candidate.build(""))
            if previous is not None and previous.content == content:
                self.report.unchanged += 1
                return None
            uvci = _unique_uvci(state, register)
            dcc = candidate.build(uvci)
        with stages.timed("schema check"):
            problems = schema_problems(dcc)
        if problems:
            self.rejects.append(
                Reject(candidate.record.row, Reason.SCHEMA_INVALID, "; ".join(problems)[:300])
            )
            return None
        expires = at + LIFETIME[candidate.kind]
        with stages.timed("sign in token"):
            text = sign_card(cwt_payload(dcc, country=state.country, issued_at=at, expires_at=expires), key)
        self.report.signatures += 1
        with stages.timed("check with scanner verifier"):
            check_card(text, key, at)
        with stages.timed("choose (classify)"):
            until = colour_holds_until(self.profile, dcc, candidate.colour, at, expires)
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
            batch=self.batch,
        )
        with stages.timed("register"):
            if previous is not None:
                register.revoke(previous.uvci, reason="superseded", at=iso(at), replaced_by=uvci)
                self.report.superseded += 1
            register.add(row)
        self.report.issued[f"{candidate.kind}/{candidate.colour.value}"] += 1
        return IssuedCard(row, person, dcc)


def _unique_uvci(state: IssuerState, register: Register) -> str:
    for _ in range(10):
        uvci = new_uvci(state.country, state.province)
        if register.card(uvci) is None:
            return uvci
    raise IssuerError("could not draw an unused UVCI in 10 tries; the register looks corrupt")


def card_text(card: IssuedCard, state: IssuerState) -> CardText:
    identity = card.person.identity
    valid_until = None
    if card.row.type in ("t", "r"):
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
    """File name from the UVCI's opaque part; the check character may be '/' or ':'."""
    body, _, check = uvci.removeprefix("URN:UVCI:01:").partition("#")
    return re.sub(r"[^A-Z0-9]", "_", f"{body}-{check}") + ".png"


def _write_outputs(
    state: IssuerState,
    staging: Path,
    batch: str,
    cards: list[IssuedCard],
    symbols: list[Symbol],
    rejects: list[Reject],
    report: IssueReport,
) -> None:
    stages = report.stages
    with stages.timed("PDF sheets"):
        if cards:
            report.sheets = write_sheets(
                staging / "cards.pdf",
                ((card_text(card, state), symbol) for card, symbol in zip(cards, symbols, strict=True)),
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
