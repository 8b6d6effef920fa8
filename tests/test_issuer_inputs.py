"""The platforms' CSV exports: every reject reason with the row that earns it, the formats
the platforms write (BOM, DD/MM/YYYY or ISO, times without a zone), files refused whole,
and the choice of card per person. Keys in DEMO files: these tests are about the inputs."""

from __future__ import annotations

import csv
import dataclasses
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from scanner_issuer.ceremony import InitOptions, init_issuer
from scanner_issuer.choose import load_profile
from scanner_issuer.dcc import schema_problems, vaccination_dcc
from scanner_issuer.errors import IssuerError
from scanner_issuer.issuing import IssueRequest, issue
from scanner_issuer.products import find_product
from scanner_issuer.sources import VN_TIME, Identity, Vaccination, parse_time, read_source
from scanner_issuer.state import IssuerState
from tests.conftest import shared_path
from tests.issuer_helpers import (
    RECOVERY_HEADER,
    TEST_HEADER,
    VACCINATION_HEADER,
    cccd_for,
    need_tool,
    read_cards,
    read_rejects,
    run_issuer,
)

ROOT = Path(__file__).resolve().parent.parent
AT = datetime(2021, 10, 15, 9, 0, tzinfo=VN_TIME)
AN = ["056085000001", "Nguyễn Văn", "An", "12/03/1985"]
BINH = ["056190000002", "Trần Thị", "Bình", "1990-07-01"]


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> IssuerState:
    options = InitOptions(
        folder=tmp_path_factory.mktemp("inputs") / "state",
        token=None,
        country="VN",
        province="KH",
        issuer_name="Sở Y tế Khánh Hòa",
        alg="ES256",
        per_type=False,
        profile=ROOT / "assets" / "rules" / "VN-KH-2021-10.json",
        at=datetime(2021, 9, 1, tzinfo=UTC),
    )
    return init_issuer(options)


def write(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def rejects_of(kind: str, header: list[str], rows: list[list[str]], tmp_path: Path) -> list[tuple[int, str]]:
    _, rejects = read_source(kind, write(tmp_path / f"{kind}.csv", header, rows), AT)
    return [(r.row.line, r.reason.value) for r in rejects]


# (rows, expected (line, reason) for each rejected row)
VACCINATION_CASES = {
    "bad_cccd: 11 digits": ([["05608500000", *AN[1:], "Pfizer", "1", "2", "01/09/2021"]], "bad_cccd"),
    "bad_cccd: no such province": ([["099085000001", *AN[1:], "Pfizer", "1", "2", "01/09/2021"]], "bad_cccd"),
    "bad_cccd: birth year digits": (
        [["056086000001", *AN[1:], "Pfizer", "1", "2", "01/09/2021"]],
        "bad_cccd",
    ),
    "bad_cccd: century digit": ([["056285000001", *AN[1:], "Pfizer", "1", "2", "01/09/2021"]], "bad_cccd"),
    "future vaccination date": ([[*AN, "Pfizer", "1", "2", "16/10/2021"]], "future_date"),
    "future birth date": (
        [[AN[0], AN[1], AN[2], "01/01/2022", "Pfizer", "1", "2", "01/09/2021"]],
        "future_date",
    ),
    "unknown product": ([[*AN, "Covaxin", "1", "2", "01/09/2021"]], "unknown_product"),
    "dose above the series": ([[*AN, "Pfizer", "3", "2", "01/09/2021"]], "dose_above_series"),
    "dose not a number": ([[*AN, "Pfizer", "một", "2", "01/09/2021"]], "bad_dose"),
    "dose zero": ([[*AN, "Pfizer", "0", "2", "01/09/2021"]], "bad_dose"),
    "impossible date": ([[*AN, "Pfizer", "1", "2", "31/02/2021"]], "bad_date"),
    "born before 1900": ([[AN[0], AN[1], AN[2], "01/01/1899", "Pfizer", "1", "2", "01/09/2021"]], "bad_date"),
    "vaccinated before birth": ([[*AN, "Pfizer", "1", "2", "01/01/1980"]], "date_order"),
    "empty given name": ([[AN[0], AN[1], "", AN[3], "Pfizer", "1", "2", "01/09/2021"]], "missing_field"),
    "digits in a name": ([[AN[0], AN[1], "An 2", AN[3], "Pfizer", "1", "2", "01/09/2021"]], "bad_name"),
    "too few fields": ([[*AN, "Pfizer", "1", "2"]], "bad_row"),
}


@pytest.mark.parametrize("case", VACCINATION_CASES)
def test_each_bad_vaccination_row_is_rejected_with_its_reason(case: str, tmp_path: Path) -> None:
    rows, reason = VACCINATION_CASES[case]
    good = [*BINH, "Moderna", "1", "2", "01/09/2021"]
    assert rejects_of("vaccinations", VACCINATION_HEADER, [good, *rows], tmp_path) == [(3, reason)]


TEST_CASES = {
    "unknown test type": ([[*AN, "ELISA", "negative", "14/10/2021 08:30", "CDC"]], "bad_value"),
    "unknown result": ([[*AN, "PCR", "inconclusive", "14/10/2021 08:30", "CDC"]], "bad_value"),
    "positive result": ([[*AN, "PCR", "positive", "14/10/2021 08:30", "CDC"]], "positive_result"),
    "sample time without a time": ([[*AN, "PCR", "negative", "14/10/2021", "CDC"]], "bad_date"),
    "sample time in the future": ([[*AN, "PCR", "negative", "15/10/2021 09:01", "CDC"]], "future_date"),
    "facility name too long": ([[*AN, "PCR", "negative", "14/10/2021 08:30", "C" * 51]], "bad_value"),
}


@pytest.mark.parametrize("case", TEST_CASES)
def test_each_bad_test_row_is_rejected_with_its_reason(case: str, tmp_path: Path) -> None:
    rows, reason = TEST_CASES[case]
    assert rejects_of("tests", TEST_HEADER, rows, tmp_path) == [(2, reason)]


def test_bad_recovery_rows(tmp_path: Path) -> None:
    rows = [
        [*AN, "01/10/2021", "20/09/2021"],
        [*AN, "01/10/2021", "16/10/2021"],
        [*AN, "2021-09-01", "2021-09-15"],
    ]
    assert rejects_of("recoveries", RECOVERY_HEADER, rows, tmp_path) == [
        (2, "date_order"),
        (3, "future_date"),
    ]


def test_times_without_a_zone_are_viet_nam_time_and_zones_are_kept() -> None:
    assert parse_time("14/10/2021 08:30") == datetime(2021, 10, 14, 1, 30, tzinfo=UTC)
    assert parse_time("2021-10-14T08:30:00") == datetime(2021, 10, 14, 1, 30, tzinfo=UTC)
    assert parse_time("2021-10-14T08:30:00Z") == datetime(2021, 10, 14, 8, 30, tzinfo=UTC)
    assert parse_time("2021-10-14 08:30+07:00") == datetime(2021, 10, 14, 1, 30, tzinfo=UTC)


def test_product_names_as_written_in_2021_map_to_the_value_sets() -> None:
    expected = {
        "AstraZeneca": "EU/1/21/1529", "Vaxzevria": "EU/1/21/1529", "Covishield": "Covishield",
        "Pfizer": "EU/1/20/1528", "comirnaty": "EU/1/20/1528", "Moderna": "EU/1/20/1507",
        "Spikevax": "EU/1/20/1507", "Sinopharm": "BBIBP-CorV", "Vero Cell": "BBIBP-CorV",
        "VERO-CELL": "BBIBP-CorV", "Sputnik V": "Sputnik-V", "Abdala": "Abdala", "Hayat-Vax": "Hayat-Vax",
    }  # fmt: skip
    assert {name: getattr(find_product(name), "mp", None) for name in expected} == expected
    assert find_product("Covaxin") is None  # not guessed


def test_schema_check_refuses_what_the_1_3_0_schema_refuses() -> None:
    identity = Identity("056085000001", "Nguyễn", "Văn An", date(1985, 3, 12))
    product = find_product("Pfizer")
    assert product is not None
    record = Vaccination(None, identity, "Pfizer", product, 2, 2, date(2021, 9, 1))  # type: ignore[arg-type]
    dcc = vaccination_dcc(record, country="VN", issuer="Sở Y tế Khánh Hòa", ci="URN:UVCI:01:VN:KHABC#D")
    assert schema_problems(dcc) == []
    wrong_dose = {**dcc, "v": [{**dcc["v"][0], "dn": 0}]}
    assert schema_problems(wrong_dose) == ["data.v[0].dn must be bigger than or equal to 1"]
    wrong_name = {**dcc, "nam": {**dcc["nam"], "fnt": "Nguyễn"}}
    assert "fnt must match pattern" in schema_problems(wrong_name)[0]
    assert schema_problems({k: v for k, v in dcc.items() if k != "dob"}) != []


def test_the_compiled_schema_agrees_with_the_reference_validator_on_the_eu_conformance_data() -> None:
    from jsonschema import Draft202012Validator, FormatChecker

    from scanner_issuer.dcc import schema

    reference = Draft202012Validator(schema(), format_checker=FormatChecker())
    cases = shared_path("dgc", "cases")
    verdicts = {True: 0, False: 0}
    for case in sorted(cases.iterdir()):
        if not (case / "case.json").exists():
            continue
        payload = json.loads((case / "case.json").read_text())["fields"].get("JSON")
        if not isinstance(payload, dict):
            continue
        valid = reference.is_valid(payload)
        assert (schema_problems(payload) == []) == valid, case.name
        verdicts[valid] += 1
    assert verdicts[True] > 100 and verdicts[False] > 5  # both kinds were compared


def test_a_dcc_the_schema_refuses_is_rejected_and_never_signed(state: IssuerState, tmp_path: Path) -> None:
    # init refuses such a name; an issuer.json edited by hand is caught at the last step
    wrong = dataclasses.replace(state, issuer_name="Sở Y tế " + "Khánh Hòa " * 9)
    vaccinations = write(tmp_path / "v.csv", VACCINATION_HEADER, [[*AN, "Pfizer", "2", "2", "01/09/2021"]])
    out = tmp_path / "out"
    out.mkdir()
    report = issue(wrong, IssueRequest({"vaccinations": vaccinations}, AT, out))
    (reject,) = read_rejects(out)
    assert (reject["line"], reject["reason"]) == (
        "2",
        "schema_invalid",
    ) and "shorter than or equal to 80" in reject["detail"]
    assert report.signatures == 0 and read_cards(out) == []


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("country", "vn", "two capital letters"),
        ("province", "Khánh", "capital letters"),
        ("issuer_name", "x" * 81, "1-80"),
    ],
)
def test_init_refuses_names_the_schema_would_refuse(
    option: str, value: str, message: str, tmp_path: Path
) -> None:
    options = InitOptions(
        tmp_path / "s",
        None,
        "VN",
        "KH",
        "Sở Y tế",
        "ES256",
        False,
        ROOT / "assets" / "rules" / "VN-KH-2021-10.json",
        AT,
    )
    with pytest.raises(IssuerError, match=message):
        init_issuer(dataclasses.replace(options, **{option: value}))
    assert not (tmp_path / "s").exists()


def test_revoke_by_cccd_revokes_every_card_of_the_person(state: IssuerState, tmp_path: Path) -> None:
    from scanner_app.core.revocation import certificate_hash
    from scanner_issuer.revoking import revoke
    from scanner_issuer.trust_export import export_trust

    person = [cccd_for(77, date(1977, 7, 7)), "Lý", "Thường Kiệt", "07/07/1977"]
    vaccinations = write(
        tmp_path / "v.csv", VACCINATION_HEADER, [[*person, "Pfizer", "1", "2", "10/10/2021"]]
    )
    tests = write(tmp_path / "t.csv", TEST_HEADER, [[*person, "PCR", "negative", "14/10/2021 20:00", "CDC"]])
    out = tmp_path / "out"
    out.mkdir()
    issue(state, IssueRequest({"vaccinations": vaccinations, "tests": tests}, AT, out))
    uvcis = sorted(c["uvci"] for c in read_cards(out))
    assert len(uvcis) == 2
    assert sorted(revoke(state, uvci=None, cccd=person[0], reason="issued_in_error", at=AT)) == uvcis
    exported = export_trust(state, tmp_path / "trust", AT)
    lines = (tmp_path / "trust" / "revoked.txt").read_text().splitlines()
    assert {f"hash:{certificate_hash(u).hex()}" for u in uvcis} <= set(lines)
    assert exported.revoked == len(lines) - 1  # the first line is a comment
    with pytest.raises(IssuerError, match="no active card"):
        revoke(state, uvci=None, cccd=person[0], reason="lost", at=AT)


def test_conflicts_reject_every_row_of_that_person(state: IssuerState, tmp_path: Path) -> None:
    vaccinations = write(
        tmp_path / "v.csv",
        VACCINATION_HEADER,
        [
            [*AN, "Pfizer", "1", "2", "01/08/2021"],
            [AN[0], "NGUYỄN VĂN", "AN", AN[3], "Pfizer", "2", "2", "29/08/2021"],  # same name, other case
            [*BINH, "Moderna", "1", "2", "01/08/2021"],
            [*BINH, "Moderna", "1", "2", "02/08/2021"],  # dose 1 twice, other day
            [cccd_for(3, date(1970, 1, 1)), "Lê", "Cường", "01/01/1970", "Pfizer", "1", "2", "01/08/2021"],
            [cccd_for(4, date(1980, 1, 1)), "Phạm", "Dung", "01/01/1980", "Pfizer", "1", "2", "01/08/2021"],
        ],
    )
    tests = write(
        tmp_path / "t.csv",
        TEST_HEADER,
        [
            [*BINH, "PCR", "negative", "14/10/2021 08:00", "CDC"],
            [
                cccd_for(3, date(1970, 1, 1)),
                "Lê",
                "Cương",
                "01/01/1970",
                "PCR",
                "negative",
                "14/10/2021 08:00",
                "CDC",
            ],
            [
                cccd_for(4, date(1980, 1, 1)),
                "Phạm",
                "Dung",
                "02/01/1980",
                "PCR",
                "negative",
                "14/10/2021 08:00",
                "CDC",
            ],
        ],
    )
    out = tmp_path / "out"
    out.mkdir()
    report = issue(state, IssueRequest({"vaccinations": vaccinations, "tests": tests}, AT, out))
    rejected = {(r["source"], r["line"], r["reason"]) for r in read_rejects(out)}
    assert rejected == {
        ("vaccinations", "4", "conflicting_doses"),
        ("vaccinations", "5", "conflicting_doses"),
        ("vaccinations", "6", "conflicting_names"),
        ("tests", "3", "conflicting_names"),
        ("vaccinations", "7", "conflicting_birth_date"),
        ("tests", "4", "conflicting_birth_date"),
    }
    cards = {(c["name"], c["type"], c["colour_at_issue"]) for c in read_cards(out)}
    assert cards == {("Nguyễn Văn An", "v", "green"), ("Trần Thị Bình", "t", "yellow")}
    assert report.people == 2


def test_rejects_csv_names_the_file_line_cccd_and_reason(state: IssuerState, tmp_path: Path) -> None:
    path = write(
        tmp_path / "platform-export.csv",
        VACCINATION_HEADER,
        [["05608500000", *AN[1:], "Pfizer", "1", "2", "x"]],
    )
    out = tmp_path / "out"
    out.mkdir()
    issue(state, IssueRequest({"vaccinations": path}, AT, out))
    assert read_rejects(out) == [
        {
            "source": "vaccinations",
            "file": "platform-export.csv",
            "line": "2",
            "cccd": "05608500000",
            "reason": "bad_cccd",
            "detail": "05608500000: a CCCD has exactly 12 digits",
        }
    ]


def test_files_that_are_not_exports_are_refused_whole(state: IssuerState, tmp_path: Path) -> None:
    utf16 = write(
        tmp_path / "utf16.csv", VACCINATION_HEADER, [[*AN, "Pfizer", "1", "2", "01/09/2021"]], "utf-16"
    )
    with pytest.raises(IssuerError, match="not UTF-8"):
        read_source("vaccinations", utf16, AT)
    wrong = write(tmp_path / "tests.csv", TEST_HEADER, [])
    with pytest.raises(IssuerError, match="missing column"):
        read_source("vaccinations", wrong, AT)
    run = run_issuer(
        "issue", "--dir", str(state.folder), "--vaccinations", str(utf16), "--out", str(tmp_path / "o")
    )
    assert run.code == 2 and "not UTF-8" in run.err


def test_a_bom_and_iso_dates_are_read(state: IssuerState, tmp_path: Path) -> None:
    path = write(
        tmp_path / "v.csv", VACCINATION_HEADER, [[*BINH, "Moderna", "2", "2", "2021-09-01"]], "utf-8-sig"
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    records, rejects = read_source("vaccinations", path, AT)
    assert rejects == [] and len(records) == 1


def test_best_colour_wins_and_the_vaccination_card_comes_too(state: IssuerState, tmp_path: Path) -> None:
    vaccinations = write(
        tmp_path / "v.csv", VACCINATION_HEADER, [[*AN, "Pfizer", "1", "2", "10/10/2021"]]
    )  # red
    tests = write(
        tmp_path / "t.csv", TEST_HEADER, [[*AN, "PCR", "negative", "14/10/2021 20:00", "CDC"]]
    )  # yellow
    out = tmp_path / "out"
    out.mkdir()
    issue(state, IssueRequest({"vaccinations": vaccinations, "tests": tests}, AT, out))
    cards = read_cards(out)
    assert [(c["type"], c["colour_at_issue"]) for c in cards] == [("t", "yellow"), ("v", "red")]
    test_card = cards[0]
    # printed valid-until: the last second of the PCR's 72 h window under the profile
    assert test_card["valid_until"] == "2021-10-17T19:59:59+07:00"
    assert cards[1]["valid_until"] == "2022-10-15T09:00:00+07:00"  # a vaccination card only gets better


def test_demo_file_keys_are_labelled_everywhere(state: IssuerState, tmp_path: Path) -> None:
    import subprocess

    from cryptography import x509

    need_tool("pdftotext", "poppler-utils")
    vaccinations = write(tmp_path / "v.csv", VACCINATION_HEADER, [[*AN, "Pfizer", "2", "2", "01/09/2021"]])
    out = tmp_path / "out"
    out.mkdir()
    issue(state, IssueRequest({"vaccinations": vaccinations}, AT, out))
    assert [c["demo"] for c in read_cards(out)] == [True]
    certificate = x509.load_pem_x509_certificate((state.folder / "dsc.pem").read_bytes())
    assert "DEMO" in certificate.subject.rfc4514_string()
    text = subprocess.run(
        ["pdftotext", str(out / "cards.pdf"), "-"], capture_output=True, text=True, check=True
    )
    assert "DEMO · KHÔNG CÓ GIÁ TRỊ" in text.stdout and "NGUYỄN VĂN AN" in text.stdout


def test_an_out_folder_with_earlier_outputs_is_refused(state: IssuerState, tmp_path: Path) -> None:
    vaccinations = write(tmp_path / "v.csv", VACCINATION_HEADER, [[*BINH, "Moderna", "2", "2", "01/09/2021"]])
    out = tmp_path / "out"
    out.mkdir()
    issue(state, IssueRequest({"vaccinations": vaccinations}, AT, out))
    before = (out / "cards.pdf").read_bytes()
    with pytest.raises(IssuerError, match="already holds an issue run's outputs"):
        issue(state, IssueRequest({"vaccinations": vaccinations}, AT, out))
    assert (out / "cards.pdf").read_bytes() == before


def test_the_saved_profile_is_the_one_given_at_init(state: IssuerState) -> None:
    assert load_profile(state.profile_path()).id == "VN-KH-2021-10"
