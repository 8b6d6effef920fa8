"""`issue`: platform exports in, signed cards out, the register updated — all or nothing.

Stages (each timed, for benchmarks/issuer.py): read the CSVs, merge people, choose
certificates, schema-check and sign each card through the token (main process); the
scanner's verifier, the valid-until time, the QR and the phone picture (worker processes,
see rendering.py); then, in order, each card into the register and onto the PDF sheets.
The register commits only after every card is back and the outputs are staged; a failure
anywhere leaves the register as it was and no card in OUTDIR.
"""

from __future__ import annotations

import secrets
import shutil
import time
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from scanner_app.core.rules import Profile
from scanner_app.core.trust import signer_from_certificate
from scanner_issuer.choose import LIFETIME, Candidate, choose, load_profile
from scanner_issuer.dcc import content_key, schema_problems
from scanner_issuer.errors import IssuerError
from scanner_issuer.hc1 import SigningKey, cwt_payload, sign_card
from scanner_issuer.keys import KeyBackend, open_backend
from scanner_issuer.outputs import OUTPUT_NAMES, IssuedCard, card_text, picture_name, publish, write_lists
from scanner_issuer.people import Person, merge
from scanner_issuer.reasons import Reason, Reject
from scanner_issuer.register import CardRow, Register
from scanner_issuer.rendering import STAGES, Finished, FinishJob, FinishQueue
from scanner_issuer.sheet import SheetWriter
from scanner_issuer.sources import Record, read_source
from scanner_issuer.state import IssuerState, iso
from scanner_issuer.uvci import new_uvci


@dataclass
class Stages:
    """Seconds per stage, in the order they first ran."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def timed(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start


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
    existing = [name for name in OUTPUT_NAMES if (request.out / name).exists()]
    if existing:
        raise IssuerError(
            f"{request.out} already holds an issue run's outputs ({', '.join(existing)}); "
            "give a new --out folder, so that no sheet waiting to be printed is overwritten"
        )
    report = IssueReport()
    stages = report.stages
    at = request.at.replace(microsecond=0)
    profile_path = request.profile or state.profile_path()
    profile = load_profile(profile_path)
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
    batch = f"{at.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
    staging = request.out / f".staging-{batch}"
    (staging / "png").mkdir(parents=True)
    register = Register(state.folder / "register.sqlite")
    queue = FinishQueue(expected=sum(len(chosen) for _, chosen in plans))
    run = _Batch(state, at, batch, profile, profile_path, report, rejects, register, queue, staging)
    try:
        with register.transaction(), open_backend(state.folder, state.token) as backend:
            run.sign_all(plans, _signing_keys(state, backend, at))
            with stages.timed("wait for the workers, file the rest"):
                run.file(queue.rest())
            with stages.timed("PDF sheets"):
                report.sheets = run.sheet.close()
            with stages.timed("cards.jsonl + rejects.csv"):
                write_lists(staging, run.cards, rejects, state)
            register.add_batch(
                batch, at=iso(at), out=str(request.out), cards=len(run.cards), rejects=len(rejects)
            )
        publish(staging, request.out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        queue.close()
        register.close()
    for stage in STAGES:
        stages.seconds[f"{stage} (CPU, in workers)"] = queue.seconds[stage]
    report.rejects = len(rejects)
    return report


def _signing_keys(state: IssuerState, backend: KeyBackend, at: datetime) -> dict[str, SigningKey]:
    keys: dict[str, SigningKey] = {}
    for kind in ("v", "t", "r"):
        record = state.signer_for(kind)
        signer = signer_from_certificate(state.certificate(record))
        if not signer.valid_at(at):
            validity = f"{record.not_before} to {record.not_after}"
            raise IssuerError(f"DSC {record.label} is valid {validity}, not at {iso(at)}")
        keys[kind] = SigningKey(backend.key(record.key_id_bytes), signer)
    return keys


@dataclass
class _Batch:
    """One issue run: signs in the main process, files finished cards in order."""

    state: IssuerState
    at: datetime
    batch: str
    profile: Profile
    profile_path: Path
    report: IssueReport
    rejects: list[Reject]
    register: Register
    queue: FinishQueue
    staging: Path
    cards: list[IssuedCard] = field(default_factory=list)
    waiting: deque[tuple[IssuedCard, str | None]] = field(default_factory=deque)  # card, superseded
    drawn: set[str] = field(default_factory=set)  # UVCIs drawn in this batch, not yet in the register

    def __post_init__(self) -> None:
        footer = f"{'DEMO · ' if self.state.demo else ''}{self.state.issuer_name} · {self.batch}"
        title = f"Thẻ Covid · {self.state.issuer_name} · {self.batch}"
        self.sheet = SheetWriter(self.staging / "cards.pdf", title=title, footer=footer)

    def sign_all(self, plans: list[tuple[Person, list[Candidate]]], keys: dict[str, SigningKey]) -> None:
        for person, chosen in plans:
            for candidate in chosen:
                self.sign_one(person, candidate, keys[candidate.kind])
            with self.report.stages.timed("file finished cards (register, PDF)"):
                self.file(self.queue.ready())

    def sign_one(self, person: Person, candidate: Candidate, key: SigningKey) -> None:
        """Sign `candidate` and hand it to the workers, unless the same content is active."""
        stages, at, state = self.report.stages, self.at, self.state
        with stages.timed("choose (classify)"):
            previous = self.register.active(person.cccd, candidate.kind)
            content = content_key(candidate.build(""))
            if previous is not None and previous.content == content:
                self.report.unchanged += 1
                return
            uvci = self._unique_uvci()
            dcc = candidate.build(uvci)
        with stages.timed("schema check"):
            problems = schema_problems(dcc)
        if problems:
            self.rejects.append(
                Reject(candidate.record.row, Reason.SCHEMA_INVALID, "; ".join(problems)[:300])
            )
            return
        expires = at + LIFETIME[candidate.kind]
        with stages.timed("sign in token"):
            text = sign_card(cwt_payload(dcc, country=state.country, issued_at=at, expires_at=expires), key)
        self.report.signatures += 1
        row = CardRow(
            uvci=uvci,
            cccd=person.cccd,
            type=candidate.kind,
            content=content,
            kid=key.signer.kid.hex(),
            issued_at=iso(at),
            expires_at=iso(expires),
            valid_until="",  # from the worker
            colour_at_issue=candidate.colour.value,
            hc1=text,
            batch=self.batch,
        )
        card = IssuedCard(row, person, dcc)
        self.waiting.append((card, previous.uvci if previous else None))
        self.queue.add(
            FinishJob(
                hc1=text,
                dcc=dcc,
                kind=candidate.kind,
                colour=candidate.colour.value,
                issued_at=at,
                expires_at=expires,
                signer_der=key.signer.der,
                profile=self.profile_path,
                text=card_text(card, state),
                png=self.staging / "png" / picture_name(uvci),
            )
        )

    def file(self, finished: Iterator[Finished]) -> None:
        """Finished cards, in signing order: into the register and onto the sheets."""
        for result in finished:
            card, superseded = self.waiting.popleft()
            row = replace(card.row, valid_until=result.valid_until.isoformat())
            if superseded is not None:
                self.register.revoke(superseded, reason="superseded", at=iso(self.at), replaced_by=row.uvci)
                self.report.superseded += 1
            self.register.add(row)
            self.sheet.add(result.text, result.symbol())
            self.cards.append(replace(card, row=row))
            self.report.issued[f"{row.type}/{row.colour_at_issue}"] += 1

    def _unique_uvci(self) -> str:
        for _ in range(10):
            uvci = new_uvci(self.state.country, self.state.province)
            if uvci not in self.drawn and self.register.card(uvci) is None:
                self.drawn.add(uvci)
                return uvci
        raise IssuerError("could not draw an unused UVCI in 10 tries; the register looks corrupt")
