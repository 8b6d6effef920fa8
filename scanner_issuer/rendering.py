"""QR symbols and phone pictures, made in worker processes while the main process signs.

Signing goes through one token session and stays in the main process; drawing a card's QR
and PNG (~8 ms of CPU each) is independent per card, so chunks of cards go to a pool as
soon as they are signed. Workers are spawned, not forked: a forked child would inherit the
parent's open PKCS#11 session, which the standard leaves undefined. Small batches render
in-process, where starting workers would cost more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from scanner_issuer.card_text import CardText
from scanner_issuer.picture import write_picture
from scanner_issuer.qr import Symbol, make_symbol

CHUNK = 128
MIN_CARDS_FOR_WORKERS = 400


@dataclass(frozen=True)
class RenderJob:
    hc1: str
    text: CardText
    png: Path


@dataclass
class ChunkResult:
    symbols: list[tuple[int, np.ndarray]]  # side, packed modules
    qr_seconds: float
    png_seconds: float


def render_chunk(jobs: list[RenderJob]) -> ChunkResult:
    result = ChunkResult([], 0.0, 0.0)
    for job in jobs:
        began = time.process_time()
        symbol = make_symbol(job.hc1)
        drawn = time.process_time()
        write_picture(job.png, job.text, symbol)
        result.qr_seconds += drawn - began
        result.png_seconds += time.process_time() - drawn
        result.symbols.append((symbol.size, np.packbits(symbol.modules)))
    return result


def _unpack(packed: np.ndarray, size: int) -> Symbol:
    return Symbol(np.unpackbits(packed, count=size * size).reshape(size, size).astype(bool))


def worker_count() -> int:
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, available)


@dataclass
class RenderQueue:
    """Collects signed cards; renders them in chunks; `finish()` returns symbols in order."""

    expected: int
    pending: list[RenderJob] = field(default_factory=list)
    futures: list[tuple[Future[ChunkResult] | ChunkResult, list[RenderJob]]] = field(default_factory=list)
    qr_seconds: float = 0.0
    png_seconds: float = 0.0

    def __post_init__(self) -> None:
        self.pool: ProcessPoolExecutor | None = None
        if self.expected >= MIN_CARDS_FOR_WORKERS:
            context = multiprocessing.get_context("spawn")
            self.pool = ProcessPoolExecutor(max_workers=worker_count(), mp_context=context)

    def add(self, job: RenderJob) -> None:
        self.pending.append(job)
        if len(self.pending) >= CHUNK:
            self._submit()

    def _submit(self) -> None:
        if not self.pending:
            return
        jobs, self.pending = self.pending, []
        outcome = self.pool.submit(render_chunk, jobs) if self.pool else render_chunk(jobs)
        self.futures.append((outcome, jobs))

    def finish(self) -> list[Symbol]:
        self._submit()
        symbols: list[Symbol] = []
        for outcome, _ in self.futures:
            result = outcome.result() if isinstance(outcome, Future) else outcome
            self.qr_seconds += result.qr_seconds
            self.png_seconds += result.png_seconds
            symbols += [_unpack(packed, side) for side, packed in result.symbols]
        self.close()
        return symbols

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
