"""A ready-made set of demo cards covering every outcome a checkpoint meets.

Used by the simulated camera, `scanner-app devkit cards`, the end-to-end benchmark and
tests. Cards are issued relative to `now`, so the set is valid whenever it is made.

Each call issues new cards (new certificate identifiers, a new ID-card number): the simulated
camera shows a fresh set on every pass, as a queue of different people would, so that the
shared-code flag (the same card more than three times in 30 minutes) appears only on the one
card meant to show it, `shared_card`, which `demo_queue` passes around four times a pass.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from scanner_app.devkit.cards import DEMO_PEOPLE, issue, lab_test, recovery, tamper, vaccination
from scanner_app.devkit.keys import Signer, demo_signer, make_csca, make_signer


@dataclass(frozen=True)
class DemoCard:
    name: str
    text: str
    expect: str  # what the default demo setup shows: green / yellow / red / invalid / manual


def demo_cards(
    now: datetime, signer: Signer | None = None, rsa_signer: Signer | None = None
) -> list[DemoCard]:
    signer = signer or demo_signer()
    rsa_signer = rsa_signer or demo_signer(rsa_key=True)
    today = now.date()
    an, binh, cuong, dung, huy = DEMO_PEOPLE
    issued = now - timedelta(days=1)
    cards = [
        DemoCard(
            "green-2of2",
            issue(vaccination(an, 2, 2, today - timedelta(days=40)), signer, issued),
            "green",
        ),
        DemoCard(
            "green-rsa-ps256",
            issue(
                vaccination(binh, 1, 1, today - timedelta(days=30), product="EU/1/20/1525"),
                rsa_signer,
                issued,
            ),
            "green",
        ),
        DemoCard(
            "yellow-1of2",
            issue(vaccination(cuong, 1, 2, today - timedelta(days=20)), signer, issued),
            "yellow",
        ),
        DemoCard(
            "yellow-pcr",
            issue(
                lab_test(dung, now - timedelta(hours=20)),
                signer,
                now - timedelta(hours=18),
                valid_days=3,
            ),
            "yellow",
        ),
        DemoCard(
            "green-recovered",
            issue(recovery(huy, today - timedelta(days=60)), signer, issued),
            "green",
        ),
        DemoCard(
            "red-1of2-recent",
            issue(vaccination(an, 1, 2, today - timedelta(days=5)), signer, issued),
            "red",
        ),
        DemoCard(
            "expired",
            issue(
                vaccination(binh, 2, 2, today - timedelta(days=400)),
                signer,
                now - timedelta(days=390),
                valid_days=30,
            ),
            "invalid",
        ),
        DemoCard(
            "tampered",
            tamper(issue(vaccination(cuong, 2, 2, today - timedelta(days=40)), signer, issued)),
            "invalid",
        ),
        DemoCard(
            "cccd-identity",
            f"0790850{secrets.randbelow(100_000):05d}|123456789|Nguyễn Văn An|12031985|Nam|"
            "12 Trần Phú, Nha Trang, Khánh Hòa|01072021",
            "manual",
        ),
    ]
    stranger = make_signer(make_csca("VN"), name="UNKNOWN signer")
    cards.append(
        DemoCard(
            "unknown-key",
            issue(vaccination(dung, 2, 2, today - timedelta(days=40)), stranger, issued),
            "invalid",
        )
    )
    return cards


def shared_card(now: datetime, signer: Signer | None = None) -> DemoCard:
    """One green card passed from person to person: the same certificate again and again."""
    huy = DEMO_PEOPLE[4]
    text = issue(vaccination(huy, 2, 2, now.date() - timedelta(days=50)), signer or demo_signer(), now)
    return DemoCard("shared-code", text, "green, flagged as a possibly shared code from its 4th showing")


def demo_queue(cards: list[DemoCard], shared: DemoCard, showings: int = 4) -> list[DemoCard]:
    """One pass of the simulated camera: `cards` with `shared` slipped in `showings` times,
    spread out (never twice in a row: the cooldown would drop the repeat)."""
    queue: list[DemoCard] = []
    step = max(1, len(cards) // showings)
    for index, card in enumerate(cards):
        queue.append(card)
        if index % step == 0 and sum(c is shared for c in queue) < showings:
            queue.append(shared)
    return queue
