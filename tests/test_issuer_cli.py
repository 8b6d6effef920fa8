"""The issuer's command lines exactly as issue 17 spells them parse to the intended command,
and every refusal exits 2 with the reason."""

from __future__ import annotations

import shlex

import pytest

from scanner_issuer.cli import build_parser, main

CONTRACTS = [
    (
        "init --dir D --pkcs11-module /usr/lib/softhsm/libsofthsm2.so --token-label L --pin-env VAR",
        {"command": "init", "dir": "D", "token_label": "L", "pin_env": "VAR", "file_keys": False},
    ),
    ("init --dir D --file-keys", {"command": "init", "file_keys": True}),
    ("rotate --dir D", {"command": "rotate", "dir": "D"}),
    (
        "issue --dir D --vaccinations v.csv --tests t.csv --recoveries r.csv --at 2021-10-15T09:00:00+07:00 --out O",
        {"command": "issue", "vaccinations": "v.csv", "tests": "t.csv", "recoveries": "r.csv", "out": "O"},
    ),
    (
        "revoke --dir D --uvci U --reason lost",
        {"command": "revoke", "uvci": "U", "cccd": None, "reason": "lost"},
    ),
    ("revoke --dir D --cccd 056085000001 --reason issued_in_error", {"cccd": "056085000001", "uvci": None}),
    ("export-trust --dir D --out T", {"command": "export-trust", "dir": "D", "out": "T"}),
]


@pytest.mark.parametrize(
    ("line", "expected"), CONTRACTS, ids=[c[0].split()[0] + str(i) for i, c in enumerate(CONTRACTS)]
)
def test_command_lines_parse_as_spelled(line: str, expected: dict[str, object]) -> None:
    args = build_parser().parse_args(shlex.split(line))
    assert {key: getattr(args, key) for key in expected} == expected


def test_revoke_needs_exactly_one_target() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(shlex.split("revoke --dir D --uvci U --cccd N --reason lost"))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("issue --dir {d} --out {d}/o", "give at least one of --vaccinations, --tests, --recoveries"),
        ("issue --dir {d} --tests t.csv --out {d}/o", "is not an issuer folder"),
        ("revoke --dir {d} --uvci U --reason nope", "is not an issuer folder"),
        ("issue --dir {d} --vaccinations x.csv --at 2021-10-15T09:00 --out {d}/o", "needs a time zone"),
    ],
)
def test_refusals_exit_2_with_the_reason(line: str, message: str, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(shlex.split(line.format(d=tmp_path))) == 2
    assert message in capsys.readouterr().err
