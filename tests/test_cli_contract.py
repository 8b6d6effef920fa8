"""The command lines exactly as the issues spell them out: other tools and checks type them
that way, so each must parse to the intended command with every option in its place."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from scanner_app.cli import build_parser
from scanner_hub.cli import build_parser as build_hub_parser
from tests.cli_helpers import cli

# (command line, the attributes it must set)
CONTRACTS = [
    (
        "verify --trust a.pem --trust b.json --trust-list-key k.pem --at 2021-10-20T10:00:00Z --json -",
        {"command": "verify", "trust": ["a.pem", "b.json"], "trust_list_key": "k.pem", "json": True},
    ),
    (
        "verify --bundle b.cose --profile VN-KH-2021-10 --checkpoint market --level 3 --lang en TEXT",
        {"command": "verify", "bundle": "b.cose", "level": 3, "checkpoint": "market", "lang": "en"},
    ),
    (
        "gate --source frames/ --data-dir D --trust a.pem --trust-list-key k.pem --bundle b --profile P "
        "--checkpoint road --level 2 --json",
        {"command": "gate", "source": "frames/", "data_dir": "D", "level": 2, "json": True},
    ),
    ("--data-dir D gate --source 0", {"command": "gate", "data_dir": "D"}),
    ("--data-dir D gate --source 0 --data-dir E", {"data_dir": "E"}),
    (
        "export --data-dir D --date 2021-10-20 --format pdf --out day.pdf",
        {"command": "export", "data_dir": "D", "format": "pdf", "out": "day.pdf"},
    ),
    ("audit verify --data-dir D", {"command": "audit", "data_dir": "D"}),
    (
        "enroll --hub http://127.0.0.1:8700 --code ABC --data-dir D",
        {"command": "enroll", "hub": "http://127.0.0.1:8700", "code": "ABC", "data_dir": "D"},
    ),
    ("sync --once --data-dir D", {"command": "sync", "once": True, "data_dir": "D"}),
    ("outbox export --out f.json --data-dir D", {"command": "outbox", "out": "f.json", "data_dir": "D"}),
    ("bundle import f.cose --data-dir D", {"command": "bundle", "data_dir": "D"}),
    ("decode --json a.png b.png", {"command": "decode", "json": True, "files": ["a.png", "b.png"]}),
    ("audit verify", {"data_dir": None, "lang": None}),
]

HUB_CONTRACTS = [
    (
        "enroll --db sqlite:///h.db --checkpoint CP-1 --type market",
        {"command": "enroll", "db": "sqlite:///h.db", "checkpoint": "CP-1", "type": "market"},
    ),
    ("serve --db postgresql://u@h/db --host 127.0.0.1 --port 8700", {"port": 8700, "host": "127.0.0.1"}),
    (
        "export --db sqlite:///h.db --date 2021-10-20 --checkpoint CP-1 --format xlsx --out x.xlsx",
        {"command": "export", "format": "xlsx", "checkpoint": "CP-1"},
    ),
    ("ingest --data-dir H outbox.json", {"command": "ingest", "data_dir": "H", "file": "outbox.json"}),
    ("--data-dir H ingest outbox.json", {"data_dir": "H"}),
]


@pytest.mark.parametrize(("line", "expected"), CONTRACTS, ids=[c[0][:40] for c in CONTRACTS])
def test_scanner_app_contract(line: str, expected: dict[str, object]) -> None:
    args = vars(build_parser().parse_args(shlex.split(line)))
    assert {key: args.get(key) for key in expected} == expected


@pytest.mark.parametrize(("line", "expected"), HUB_CONTRACTS, ids=[c[0][:40] for c in HUB_CONTRACTS])
def test_scanner_hub_contract(line: str, expected: dict[str, object]) -> None:
    args = vars(build_hub_parser().parse_args(shlex.split(line)))
    assert {key: args.get(key) for key in expected} == expected


def test_data_dir_after_the_command_is_the_one_used(tmp_path: Path) -> None:
    """Not only parsed: `audit verify --data-dir DIR` looks in DIR."""
    run = cli("audit", "verify", "--data-dir", str(tmp_path))
    assert run.code == 2
    assert str(tmp_path) in run.err  # "there is no check log in DIR"
