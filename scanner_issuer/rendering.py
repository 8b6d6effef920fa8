"""Finishing signed cards in worker processes while the main process goes on signing.

Signing goes through one token session and stays in the main process. Everything after it
is independent per card and goes to a pool in chunks: reading the card back with the
scanner's verifier, finding until when its colour holds, the QR symbol and the phone
picture. Results come back in order; the main process files each card in the register and
on the PDF sheet while the workers go on. Nothing is committed until every card is back, so
a card that fails its check in a worker still stops the whole run.

Workers are spawned, not forked: a forked child would inherit the parent's open PKCS#11
session, which the standard leaves undefined. Small batches run in-process, where starting
workers would cost more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from cryptography import x509

from scanner_app.core.rules import Colour, Profile
from scanner_app.core.trust import TrustStore, signer_from_certificate
from scanner_issuer.card_text import CardText, local_time
from scanner_issuer.choose import colour_holds_until, load_profile
from scanner_issuer.hc1 import check_card
from scanner_issuer.picture import write_picture
from scanner_issuer.qr import Symbol, make_symbol

CHUNK = 64
MIN_CARDS_FOR_WORKERS = 400
STAGES = ("check with scanner verifier", "valid-until (classify)", "QR symbols", "PNG pictures")


@dataclass(frozen=True)
class FinishJob:
    """A signed card and what its finishing needs; all picklable."""

    hc1: str
    dcc: dict[str, Any]
    kind: str
    colour: str
    issued_at: datetime
    expires_at: datetime
    signer_der: bytes
    profile: Path
    text: CardText  # without valid_until: that is computed here
    png: Path


@dataclass(frozen=True)
class Finished:
    valid_until: datetime
    text: CardText
    side: int
    packed: np.ndarray

    def symbol(self) -> Symbol:
        return Symbol(
            np.unpackbits(self.packed, count=self.side * self.side).reshape(self.side, -1).astype(bool)
        )


@dataclass
class ChunkResult:
    cards: list[Finished]
    seconds: dict[str, float]


@cache
def _profile(path: Path) -> Profile:
    return load_profile(path)


@cache
def _trust(der: bytes) -> TrustStore:
    return TrustStore([signer_from_certificate(x509.load_der_x509_certificate(der))])


def finish_chunk(jobs: list[FinishJob]) -> ChunkResult:
    """CPU seconds per stage are measured here, where the work is done."""
    seconds = dict.fromkeys(STAGES, 0.0)
    cards = []
    for job in jobs:
        began = time.process_time()
        check_card(job.hc1, _trust(job.signer_der), job.issued_at)
        checked = time.process_time()
        until = colour_holds_until(
            _profile(job.profile), job.dcc, Colour(job.colour), job.issued_at, job.expires_at
        )
        text = replace(job.text, valid_until=local_time(until) if job.kind in ("t", "r") else None)
        classified = time.process_time()
        symbol = make_symbol(job.hc1)
        drawn = time.process_time()
        write_picture(job.png, text, symbol)
        pictured = time.process_time()
        for stage, spent in zip(
            STAGES, (checked - began, classified - checked, drawn - classified, pictured - drawn), strict=True
        ):
            seconds[stage] += spent
        cards.append(Finished(until, text, symbol.size, np.packbits(symbol.modules)))
    return ChunkResult(cards, seconds)


def worker_count() -> int:
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, available)


@dataclass
class FinishQueue:
    """Cards in, finished cards out in the same order (`ready()` while signing goes on,
    `rest()` at the end)."""

    expected: int
    pending: list[FinishJob] = field(default_factory=list)
    submitted: deque[Future[ChunkResult] | ChunkResult] = field(default_factory=deque)
    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))

    def __post_init__(self) -> None:
        self.pool: ProcessPoolExecutor | None = None
        if self.expected >= MIN_CARDS_FOR_WORKERS:
            context = multiprocessing.get_context("spawn")
            self.pool = ProcessPoolExecutor(max_workers=worker_count(), mp_context=context)

    def add(self, job: FinishJob) -> None:
        self.pending.append(job)
        if len(self.pending) >= CHUNK:
            self._submit()

    def _submit(self) -> None:
        if self.pending:
            jobs, self.pending = self.pending, []
            self.submitted.append(self.pool.submit(finish_chunk, jobs) if self.pool else finish_chunk(jobs))

    def ready(self) -> Iterator[Finished]:
        """Finished cards whose whole chunk is back, in order, without waiting."""
        while self.submitted and (not isinstance(self.submitted[0], Future) or self.submitted[0].done()):
            yield from self._take()

    def rest(self) -> Iterator[Finished]:
        self._submit()
        while self.submitted:
            yield from self._take()

    def _take(self) -> Iterator[Finished]:
        head = self.submitted.popleft()
        result = head.result() if isinstance(head, Future) else head
        for stage, spent in result.seconds.items():
            self.seconds[stage] += spent
        yield from result.cards

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
