"""The official CertLogic 1.3.3 evaluator test suite (218 active assertions) and its
validation suite, plus the strictness rules: invalid expressions raise, never pass."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from scanner_app.core.certlogic import CertLogicError, evaluate, plus_time, validate
from tests.conftest import SHARED, shared_params, shared_path

SUITE = SHARED / "certlogic" / "spec" / "testSuite"


def _assertions() -> list[tuple[str, Any, Any, Any]]:
    found = []
    for path in sorted(SUITE.glob("*.json")) if SUITE.exists() else []:
        suite = json.loads(path.read_text())
        if suite.get("directive") == "skip":
            continue
        for case in suite["cases"]:
            if case.get("directive") == "skip":
                continue
            for number, assertion in enumerate(case["assertions"]):
                if assertion.get("directive") == "skip":
                    continue
                expression = assertion.get("certLogicExpression", case.get("certLogicExpression"))
                name = f"{path.stem}: {case['name']} #{number}"
                found.append((name, expression, assertion["data"], assertion["expected"]))
    return found


ASSERTIONS = _assertions()


def test_suite_size() -> None:
    shared_path("certlogic", "spec", "testSuite")
    assert len(ASSERTIONS) == 218


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


@pytest.mark.parametrize(
    "name, expression, data, expected",
    shared_params(ASSERTIONS, "certlogic", "spec", "testSuite", ids=[a[0] for a in ASSERTIONS], width=4),
)
def test_assertion(name: str, expression: Any, data: Any, expected: Any) -> None:
    result = _plain(evaluate(expression, data))
    assert result == expected
    assert type(result) is type(expected)  # 1 is not True, "" is not None


def _validation_cases() -> list[tuple[str, Any, bool]]:
    folder = SHARED / "certlogic" / "spec" / "validation-testSuite"
    cases = []
    for path in sorted(folder.glob("*.json")) if folder.exists() else []:
        for number, case in enumerate(json.loads(path.read_text())["cases"]):
            cases.append((f"{path.stem} #{number}", case["certLogicExpression"], bool(case["issues"])))
    return cases


VALIDATION = _validation_cases()


@pytest.mark.parametrize(
    "name, expression, has_issues",
    shared_params(
        VALIDATION, "certlogic", "spec", "validation-testSuite", ids=[v[0] for v in VALIDATION], width=3
    ),
)
def test_validation_suite(name: str, expression: Any, has_issues: bool) -> None:
    assert bool(validate(expression)) is has_issues


@pytest.mark.parametrize(
    "expression",
    [
        {"unknown-op": [1]},
        {"if": [True, 1]},
        {"and": [1]},
        {"+": [1, "2"]},
        {"<": [1, "2"]},
        {"after": [1, 2]},
        {"in": [1, "not an array"]},
        {"!": [{"var": "x"}]},  # x is 5: neither truthy nor falsy? no - 5 is truthy; see below
        {"plusTime": ["2021-01-01", {"var": "n"}, "day"]},
        {"plusTime": ["2021-01-01", 1, "week"]},
        {"plusTime": ["01/02/2021", 1, "day"]},
        {"var": 0},
        None,
        {"a": [1], "b": [2]},
    ],
)
def test_invalid_expressions_raise(expression: Any) -> None:
    if expression == {"!": [{"var": "x"}]}:
        expression, data = {"!": [{"var": "x"}]}, {"x": 1.5}  # a non-integer number: neither
    else:
        data = {"x": 5, "n": 1}
    with pytest.raises(CertLogicError):
        evaluate(expression, data)


def test_plus_time_follows_javascript_date_rules() -> None:
    assert plus_time("2020-02-29", 1, "day").isoformat() == "2020-03-01T00:00:00+00:00"
    assert plus_time("2020-02-29", 1, "month").isoformat() == "2020-03-29T00:00:00+00:00"
    assert plus_time("2020-02-29", 1, "year").isoformat() == "2021-03-01T00:00:00+00:00"
    assert plus_time("2021-01-31", 1, "month").isoformat() == "2021-03-03T00:00:00+00:00"
    assert plus_time("2021-10-20T10:00:00+07:00", 0, "hour").isoformat() == "2021-10-20T03:00:00+00:00"
