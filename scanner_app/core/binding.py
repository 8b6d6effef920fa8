"""Does a health card name the person whose identity code (CCCD, PC-COVID personal QR) was
read at the same station? `compare(identity, card) -> BindingResult`, pure.

Names are compared as multisets of tokens, so order does not matter (CCCD writes "NGUYỄN VĂN
AN" family first; a DCC may say fnt=NGUYEN, gnt=VAN<AN, or put the middle name in the family
field; a SMART Health Card may say family "Nguyen", given ["An", "Van"]):
- a token is case- and diacritics-insensitive (NFKD without combining marks, Đ→D), and also
  matches its ICAO 9303 transliteration (Ü→UE, Ä→AE, Ö→OE, Å→AA, Ø→OE, ß→SS, Þ→TH), so
  "Müller" matches both MULLER and MUELLER; apostrophes and dots vanish ("B." is "B");
- a one-letter token matches any token with that initial ("John B." and "JOHN BOB");
- names are the same when every token pairs off; the card may omit middle names, provided it
  keeps both the identity's first and last names (family and given in either order) and at
  least two tokens; a card with names the identity does not have is a different name.
Birth dates must be equal; a DCC partial date (`1985`, `1985-03`, `1985-XX-XX`) that agrees
with the identity's date is a partial match.

Outcome: `mismatch` when the names differ or the dates differ (evidence of another person,
which the policy always denies); `matched` when the names agree and the date agrees exactly
or partially; `absent` when there is nothing to compare: no identity read, or a card or an
identity without a usable name or birth date (the policy treats it as "not matched").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from scanner_app.core.model import Holder

MAX_TOKENS = 12  # more than this is not a name
MAX_FORMS = 16  # spellings per token (ICAO alternatives multiply)
Forms = frozenset[str]

_ICAO: dict[str, tuple[str, ...]] = {
    "Ä": ("A", "AE"),
    "Ö": ("O", "OE"),
    "Ü": ("U", "UE"),
    "Å": ("A", "AA"),
    "Æ": ("AE",),
    "Ø": ("O", "OE"),
    "Œ": ("OE",),
    "ß": ("SS",),
    "ẞ": ("SS",),
    "Þ": ("TH",),
    "Đ": ("D",),
    "Ð": ("D",),
    "Ł": ("L",),
    "Ĳ": ("IJ",),
}
_SEPARATORS = re.compile(r"[\s<,/\-]+")
_SILENT = frozenset("'’`.")
_CARD_DATE = re.compile(r"(\d{4})(?:-(\d{2}|XX)(?:-(\d{2}|XX))?)?")
_FULL_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


class Binding(StrEnum):
    """The `identity` value of a check (JSON/CLI contract)."""

    MATCHED = "matched"
    MISMATCH = "mismatch"
    ABSENT = "absent"


class NameMatch(StrEnum):
    SAME = "same"
    MIDDLE_NAMES = "middle_names"  # the card omits some of the identity's middle names
    DIFFERENT = "different"
    UNKNOWN = "unknown"


class DateMatch(StrEnum):
    EXACT = "exact"
    PARTIAL = "partial"
    DIFFERENT = "different"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class BindingResult:
    outcome: Binding
    name: NameMatch = NameMatch.UNKNOWN
    birth_date: DateMatch = DateMatch.UNKNOWN

    @property
    def partial(self) -> bool:
        return self.outcome is Binding.MATCHED and (
            self.name is NameMatch.MIDDLE_NAMES or self.birth_date is DateMatch.PARTIAL
        )

    def to_json(self) -> dict[str, str]:
        return {"identity": self.outcome.value, "name": self.name.value, "birth_date": self.birth_date.value}


NO_IDENTITY = BindingResult(Binding.ABSENT)


def compare(identity: Holder, card: Holder | None) -> BindingResult:
    if card is None:
        return NO_IDENTITY
    name = compare_names(identity, card)
    born = compare_dates(identity.dob, card.dob)
    if name is NameMatch.DIFFERENT or born is DateMatch.DIFFERENT:
        return BindingResult(Binding.MISMATCH, name, born)
    if name is not NameMatch.UNKNOWN and born is not DateMatch.UNKNOWN:
        return BindingResult(Binding.MATCHED, name, born)
    return BindingResult(Binding.ABSENT, name, born)


# -- names --------------------------------------------------------------------------------


def compare_names(identity: Holder, card: Holder) -> NameMatch:
    mine = _tokens(identity.family, identity.given) or _tokens(identity.family_std, identity.given_std)
    if not _comparable(mine):
        return NameMatch.UNKNOWN
    results = [
        _names(mine, theirs)
        for theirs in (_tokens(card.family, card.given), _tokens(card.family_std, card.given_std))
        if _comparable(theirs)
    ]
    for verdict in (NameMatch.SAME, NameMatch.MIDDLE_NAMES, NameMatch.DIFFERENT):
        if verdict in results:
            return verdict
    return NameMatch.UNKNOWN


def _comparable(tokens: Sequence[Forms]) -> bool:
    """A name, not a list of initials: at least two tokens (or the only one) are words."""
    words = sum(1 for forms in tokens if any(len(form) > 1 for form in forms))
    return 0 < len(tokens) <= MAX_TOKENS and words >= min(2, len(tokens))


def _names(identity: Sequence[Forms], card: Sequence[Forms]) -> NameMatch:
    paired = _matching(card, identity)
    if len(card) == len(identity) == paired:
        return NameMatch.SAME
    # Middle names omitted: every card token pairs off, and so do the identity's first and
    # last tokens; by Mendelsohn-Dulmage the two matchings imply one that covers both.
    omitted = 2 <= len(card) < len(identity) and paired == len(card)
    if omitted and _matching([identity[0], identity[-1]], card) == 2:
        return NameMatch.MIDDLE_NAMES
    return NameMatch.DIFFERENT


def _matching(left: Sequence[Forms], right: Sequence[Forms]) -> int:
    """Size of a maximum matching between token lists (Kuhn's augmenting paths)."""
    owner = [-1] * len(right)

    def augment(i: int, seen: set[int]) -> bool:
        for j, forms in enumerate(right):
            if j not in seen and _same(left[i], forms):
                seen.add(j)
                if owner[j] == -1 or augment(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    return sum(augment(i, set()) for i in range(len(left)))


def _same(a: Forms, b: Forms) -> bool:
    if a & b:
        return True
    return any(len(x) == 1 and any(y.startswith(x) for y in b) for x in a) or any(
        len(y) == 1 and any(x.startswith(y) for x in a) for y in b
    )


def _tokens(*parts: str | None) -> list[Forms]:
    tokens = []
    for part in parts:
        for word in _SEPARATORS.split(part or ""):
            forms = token_forms(word)
            if forms:
                tokens.append(forms)
    return tokens


def token_forms(word: str) -> Forms:
    """Every spelling of one name token: 'Müller' -> {MULLER, MUELLER}; 'Đức' -> {DUC}."""
    forms = [""]
    for char in word[:64]:
        options = _letter(char)
        if options:
            forms = [form + option for form in forms for option in options][:MAX_FORMS]
    return frozenset(form for form in forms if form)


def _letter(char: str) -> tuple[str, ...]:
    if char in _SILENT:
        return ()
    upper = char.upper()
    special = _ICAO.get(char) or _ICAO.get(upper)
    if special:
        return special
    base = "".join(c for c in unicodedata.normalize("NFKD", upper) if not unicodedata.combining(c))
    return (base,) if len(base) == 1 and ("A" <= base <= "Z" or "0" <= base <= "9") else ()


# -- birth dates --------------------------------------------------------------------------


def compare_dates(identity_dob: str | None, card_dob: str | None) -> DateMatch:
    full = _FULL_DATE.fullmatch(identity_dob or "")
    card = _CARD_DATE.fullmatch((card_dob or "").split("T")[0])
    if full is None or card is None:
        return DateMatch.UNKNOWN
    parts = card.groups()
    known: list[str] = []
    for part in parts:
        if part in (None, "XX"):
            break
        known.append(part)
    if any(part not in (None, "XX") for part in parts[len(known) :]):
        return DateMatch.UNKNOWN  # "1985-XX-12": a day without its month is not a date
    if list(full.groups()[: len(known)]) != known:
        return DateMatch.DIFFERENT
    return DateMatch.EXACT if len(known) == 3 else DateMatch.PARTIAL
