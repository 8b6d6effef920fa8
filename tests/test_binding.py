"""Two-code binding, the pure comparison: a CCCD (or PC-COVID personal QR) holder against a
health card holder (DCC nam/dob, SMART Health Card Patient). Deliberate cases for middle
names, both orders, with and without diacritics, ICAO transliteration, partial dates and
another person; hypothesis properties for the two promises the issue makes."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner_app.core.binding import (
    NO_IDENTITY,
    Binding,
    DateMatch,
    NameMatch,
    compare,
    compare_dates,
    token_forms,
)
from scanner_app.core.context import VerifyContext
from scanner_app.core.formats import identity_vn
from scanner_app.core.model import Holder
from scanner_app.core.names import standardise
from scanner_app.core.trust import TrustStore
from scanner_app.core.verify import verify

CCCD = "079085001234|123456789|NGUYỄN VĂN AN|12031985|Nam|Nha Trang, Khánh Hòa|01072021"


def _identity(text: str = CCCD) -> Holder:
    from datetime import UTC, datetime

    holder = verify(text, VerifyContext(TrustStore(), datetime(2021, 10, 20, tzinfo=UTC))).holder
    assert holder is not None
    return holder


def _dcc(
    fn: str | None, gn: str | None, dob: str, *, fnt: str | None = None, gnt: str | None = None
) -> Holder:
    """A DCC's nam/dob as the verifier reads it (fnt/gnt standardised when not given)."""
    return Holder(
        family=fn,
        given=gn,
        family_std=fnt if fnt is not None else (standardise(fn) if fn else None),
        given_std=gnt if gnt is not None else (standardise(gn) if gn else None),
        dob=dob,
    )


def _outcome(card: Holder, identity: Holder | None = None) -> Binding:
    return compare(identity or _identity(), card).outcome


@pytest.mark.parametrize(
    "card",
    [
        _dcc("Nguyễn", "Văn An", "1985-03-12"),  # as Viet Nam issues it
        _dcc(None, None, "1985-03-12", fnt="NGUYEN", gnt="VAN<AN"),  # only the ICAO forms
        _dcc("NGUYEN", "VAN AN", "1985-03-12"),  # no diacritics
        _dcc("Nguyen Van", "An", "1985-03-12"),  # middle name in the family field
        _dcc("An", "Nguyen Van", "1985-03-12"),  # given-name-first system, fields swapped
        _dcc("Nguyen", "An Van", "1985-03-12"),  # given names in another order
        _dcc("nguyễn", "văn an", "1985-03-12"),  # case
        _dcc("Nguyễn", "Văn-An", "1985-03-12"),  # hyphenated
    ],
)
def test_the_same_person_in_every_spelling_matches(card: Holder) -> None:
    result = compare(_identity(), card)
    assert (result.outcome, result.name, result.birth_date) == (
        Binding.MATCHED,
        NameMatch.SAME,
        DateMatch.EXACT,
    )
    assert not result.partial


def test_a_card_without_the_middle_name_matches_partially() -> None:
    result = compare(_identity(), _dcc("Nguyen", "An", "1985-03-12"))
    assert (result.outcome, result.name) == (Binding.MATCHED, NameMatch.MIDDLE_NAMES)
    assert result.partial


def test_a_long_vietnamese_name_with_middle_names_omitted() -> None:
    identity = _identity("079085001234||Tôn Nữ Thị Hồng Nhung|01021990|Nữ|Huế|01072021")
    assert _outcome(_dcc("Ton", "Nhung", "1990-02-01"), identity) is Binding.MATCHED
    assert _outcome(_dcc("Ton Nu", "Hong Nhung", "1990-02-01"), identity) is Binding.MATCHED
    # keeping the middle names but losing the given name (the last) is not the same name
    assert _outcome(_dcc("Ton Nu", "Thi Hong", "1990-02-01"), identity) is Binding.MISMATCH
    # nor is losing the family name
    assert _outcome(_dcc("Thi", "Hong Nhung", "1990-02-01"), identity) is Binding.MISMATCH


def test_a_card_with_a_name_the_identity_does_not_have_is_another_person() -> None:
    assert _outcome(_dcc("Nguyễn", "Văn Minh An", "1985-03-12")) is Binding.MISMATCH


@pytest.mark.parametrize(
    "card",
    [
        _dcc("Trần", "Văn An", "1985-03-12"),  # another family
        _dcc("Nguyễn", "Văn Anh", "1985-03-12"),  # another given name
        _dcc("Nguyễn", "Văn", "1985-03-12"),  # the given name missing
        _dcc("Nguyễn", "Văn An", "1985-03-13"),  # another birth date
        _dcc("Nguyễn", "Văn An", "1986"),  # another birth year
        _dcc("Nguyễn", "Văn An", "1985-04"),  # another birth month
        _dcc("Trần", "Thị Bình", "1990-07-01"),  # someone else entirely
    ],
)
def test_another_person_is_a_mismatch(card: Holder) -> None:
    assert _outcome(card) is Binding.MISMATCH


@pytest.mark.parametrize(
    ("dob", "expected"),
    [
        ("1985", DateMatch.PARTIAL),
        ("1985-03", DateMatch.PARTIAL),
        ("1985-XX-XX", DateMatch.PARTIAL),
        ("1985-03-XX", DateMatch.PARTIAL),
        ("1985-03-12", DateMatch.EXACT),
        ("1985-03-12T00:00:00", DateMatch.EXACT),
        ("1984", DateMatch.DIFFERENT),
        ("1985-02", DateMatch.DIFFERENT),
        ("1985-XX-12", DateMatch.UNKNOWN),
        ("", DateMatch.UNKNOWN),
        ("12/03/1985", DateMatch.UNKNOWN),
    ],
)
def test_dcc_partial_birth_dates(dob: str, expected: DateMatch) -> None:
    assert compare_dates("1985-03-12", dob) is expected


def test_a_partial_date_that_agrees_is_a_partial_match() -> None:
    result = compare(_identity(), _dcc("Nguyễn", "Văn An", "1985"))
    assert (result.outcome, result.birth_date, result.partial) == (Binding.MATCHED, DateMatch.PARTIAL, True)


def test_nothing_to_compare_is_absent_not_a_mismatch() -> None:
    assert compare(_identity(), None) == NO_IDENTITY
    assert _outcome(_dcc("Nguyễn", "Văn An", "")) is Binding.ABSENT  # DCC: birth date unknown
    assert _outcome(Holder(dob="1985-03-12")) is Binding.ABSENT  # a card that names nobody
    assert _outcome(_dcc("王", "小明", "1985-03-12", fnt="", gnt="")) is Binding.ABSENT  # no Latin name
    assert _outcome(_dcc("N", "V A", "1985-03-12")) is Binding.ABSENT  # initials are not a name
    # ...but a different birth date is evidence even without a name
    assert _outcome(Holder(dob="1990-01-01")) is Binding.MISMATCH


def test_the_pc_covid_personal_qr_binds_like_the_cccd() -> None:
    identity = _identity("079085001234|Nguyễn Văn An|12/03/1985|CCCD|QID123|")
    assert _outcome(_dcc("Nguyen", "Van An", "1985-03-12"), identity) is Binding.MATCHED


def test_icao_transliteration_and_initials() -> None:
    identity = Holder(family="Müller", given="Jürgen Hans", dob="1970-01-02")
    assert (
        _outcome(_dcc(None, None, "1970-01-02", fnt="MUELLER", gnt="JUERGEN<HANS"), identity)
        is Binding.MATCHED
    )
    assert (
        _outcome(_dcc(None, None, "1970-01-02", fnt="MULLER", gnt="JURGEN<HANS"), identity) is Binding.MATCHED
    )
    assert token_forms("Đặng") == {"DANG"}
    assert token_forms("Ørsted") == {"ORSTED", "OERSTED"}
    assert token_forms("O'Brien") == {"OBRIEN"}
    # the SMART Health Card example's holder: given ["John", "B."]
    passport = Holder(family="ANYPERSON", given="JOHN BOB", dob="1951-01-20")
    assert (
        _outcome(Holder(family="Anyperson", given="John B.", dob="1951-01-20"), passport) is Binding.MATCHED
    )


def test_identity_parsing_feeds_the_comparison() -> None:
    holder = identity_vn._holder("Đặng Quốc Huy", "30091969")
    assert compare(holder, _dcc("Dang", "Quoc Huy", "1969-09-30")).outcome is Binding.MATCHED


# -- properties ---------------------------------------------------------------------------

VIETNAMESE = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
TOKEN = st.text(alphabet=VIETNAMESE + VIETNAMESE.upper(), min_size=2, max_size=7)
NAME = st.lists(TOKEN, min_size=2, max_size=5)
DATES = st.dates().map(lambda d: d.isoformat())


def _strip(token: str) -> str:
    """Diacritics away, as a foreign issuer or a keyboard without Vietnamese would."""
    token = token.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFKD", token) if not unicodedata.combining(c))


@settings(max_examples=300, deadline=None)
@given(NAME, DATES, st.data())
def test_a_name_matches_itself_under_any_stripping_and_reordering(tokens: list[str], dob: str, data) -> None:  # type: ignore[no-untyped-def]
    identity = identity_vn._holder(" ".join(tokens), dob[8:10] + dob[5:7] + dob[:4])
    if identity.dob is None:  # years before 1000 do not fit DDMMYYYY's four digits
        return
    stripped = [_strip(t) if data.draw(st.booleans()) else t for t in tokens]
    order = data.draw(st.permutations(stripped))
    split = data.draw(st.integers(1, len(order) - 1))
    family, given = " ".join(order[:split]), " ".join(order[split:])
    use_std = data.draw(st.booleans())
    card = Holder(
        family=None if use_std else family,
        given=None if use_std else given,
        family_std=standardise(family),
        given_std=standardise(given),
        dob=dob,
    )
    result = compare(identity, card)
    assert result.outcome is Binding.MATCHED, (identity, card, result)
    assert result.name is NameMatch.SAME


@settings(max_examples=300, deadline=None)
@given(NAME, NAME, DATES, DATES, st.sampled_from([10, 7, 4]))
def test_different_birth_dates_never_match(
    mine: list[str], theirs: list[str], a: str, b: str, cut: int
) -> None:  # type: ignore[no-untyped-def]
    card_dob = b[:cut]
    if a.startswith(card_dob):
        return  # the same date (or a partial date that agrees): not what this property is about
    identity = Holder(family=mine[0], given=" ".join(mine[1:]), dob=a)
    for card_tokens in (mine, theirs):  # even with the very same name
        card = Holder(family=card_tokens[0], given=" ".join(card_tokens[1:]), dob=card_dob)
        assert compare(identity, card).outcome is Binding.MISMATCH


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.text(max_size=60), st.text(max_size=12))
def test_any_text_compares_without_an_exception(family: str, given: str, dob: str) -> None:
    result = compare(
        _identity(), Holder(family=family, given=given, family_std=family, given_std=given, dob=dob)
    )
    assert result.outcome in set(Binding)
