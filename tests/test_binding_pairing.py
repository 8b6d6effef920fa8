"""The station's pairing of an identity code with a health card, either order, within the
window, on an injected clock (no sleeping)."""

from __future__ import annotations

import pytest

from scanner_app.core.binding import Binding
from scanner_app.core.model import Holder
from scanner_app.core.pairing import DEFAULT_WINDOW_SECONDS, Pairing
from tests.conftest import FakeClock

AN_ID = Holder(family="NGUYỄN", given="VĂN AN", dob="1985-03-12")
AN_CARD = Holder(family="Nguyen", given="Van An", family_std="NGUYEN", given_std="VAN<AN", dob="1985-03-12")
BINH_ID = Holder(family="TRẦN", given="THỊ BÌNH", dob="1990-07-01")
BINH_CARD = Holder(family="Tran", given="Thi Binh", dob="1990-07-01")


@pytest.fixture
def pairing(clock: FakeClock) -> Pairing[str]:
    return Pairing(clock)


def test_the_default_window_is_twenty_seconds() -> None:
    assert DEFAULT_WINDOW_SECONDS == 20
    with pytest.raises(ValueError):
        Pairing(FakeClock(), 0)


def test_identity_first_then_the_card(pairing: Pairing[str], clock: FakeClock) -> None:
    assert pairing.identity_read(AN_ID) is None
    clock.advance(19.9)
    assert pairing.health_read(AN_CARD, "check-1").outcome is Binding.MATCHED
    assert pairing.awaiting_identity() is None  # matched: nothing left open
    assert pairing.health_read(AN_CARD, "check-2").outcome is Binding.ABSENT  # the identity was used


def test_card_first_then_the_identity(pairing: Pairing[str], clock: FakeClock) -> None:
    assert pairing.health_read(AN_CARD, "check-1").outcome is Binding.ABSENT
    assert pairing.awaiting_identity() == "check-1"  # the panel prompts for the CCCD
    clock.advance(15)
    paired = pairing.identity_read(AN_ID)
    assert paired is not None and (paired.ticket, paired.binding.outcome) == ("check-1", Binding.MATCHED)
    assert pairing.awaiting_identity() is None
    assert pairing.identity_read(AN_ID) is None  # kept for the next card


@pytest.mark.parametrize("card_first", [True, False])
def test_another_persons_identity_is_a_mismatch_in_either_order(
    pairing: Pairing[str], clock: FakeClock, card_first: bool
) -> None:
    if card_first:
        pairing.health_read(AN_CARD, "check-1")
        clock.advance(3)
        paired = pairing.identity_read(BINH_ID)
        assert paired is not None
        outcome = paired.binding.outcome
    else:
        pairing.identity_read(BINH_ID)
        clock.advance(3)
        outcome = pairing.health_read(AN_CARD, "check-1").outcome
    assert outcome is Binding.MISMATCH


def test_outside_the_window_nothing_pairs(pairing: Pairing[str], clock: FakeClock) -> None:
    pairing.identity_read(AN_ID)
    clock.advance(20.1)
    assert pairing.health_read(AN_CARD, "check-1").outcome is Binding.ABSENT
    clock.advance(20.1)
    assert pairing.awaiting_identity() is None
    assert pairing.identity_read(AN_ID) is None  # the card expired: the identity waits instead


def test_exactly_at_the_window_still_pairs(pairing: Pairing[str], clock: FakeClock) -> None:
    pairing.health_read(AN_CARD, "check-1")
    clock.advance(20)
    assert pairing.identity_read(AN_ID) is not None


def test_a_mismatch_stands_whatever_identity_follows(pairing: Pairing[str], clock: FakeClock) -> None:
    """The CCCD's QR is unsigned: a second one printed with the card's name and birth date must
    not turn a mismatch into a match (a deny into an allow). Either order; the officer scans
    the card again to start over."""
    pairing.identity_read(BINH_ID)
    assert pairing.health_read(AN_CARD, "check-1").outcome is Binding.MISMATCH
    assert pairing.awaiting_identity() is None
    clock.advance(5)
    assert pairing.identity_read(AN_ID) is None  # kept for the next card, not check-1
    pairing.clear()
    pairing.health_read(AN_CARD, "check-2")
    paired = pairing.identity_read(BINH_ID)
    assert paired is not None and (paired.ticket, paired.binding.outcome) == ("check-2", Binding.MISMATCH)
    assert pairing.identity_read(AN_ID) is None
    assert pairing.awaiting_identity() is None
    assert pairing.health_read(AN_CARD, "check-3").outcome is Binding.MATCHED  # the card again


def test_newer_reads_replace_older_unpaired_ones(pairing: Pairing[str], clock: FakeClock) -> None:
    pairing.identity_read(BINH_ID)
    pairing.identity_read(AN_ID)
    assert pairing.health_read(AN_CARD, "check-1").outcome is Binding.MATCHED
    pairing.health_read(BINH_CARD, "check-2")
    pairing.health_read(AN_CARD, "check-3")
    paired = pairing.identity_read(AN_ID)
    assert paired is not None and paired.ticket == "check-3"


def test_a_card_without_a_holder_and_clear(pairing: Pairing[str]) -> None:
    pairing.identity_read(AN_ID)
    assert pairing.health_read(None, "check-1").outcome is Binding.ABSENT
    pairing.clear()
    assert pairing.awaiting_identity() is None


def test_a_clock_that_jumps_back_forgets(pairing: Pairing[str], clock: FakeClock) -> None:
    pairing.identity_read(AN_ID)
    clock.mono -= 60  # a monotonic clock never does this; if it did, nothing stale pairs
    assert pairing.health_read(AN_CARD, "check-1").outcome is Binding.ABSENT
