"""CertLogic 1.3.3: the EU's JsonLogic dialect for DCC business rules.

Written here because no Python package serves: there is no maintained Python CertLogic
implementation, and the generic JsonLogic ports (e.g. panzi-json-logic, which fails 25 of the
218 assertions of the official suite) are deliberately lenient where CertLogic must throw.
This one follows the specification and the reference certlogic-js evaluator: an invalid
expression raises `CertLogicError`, never yields a silent value. It passes all 218 active
assertions of the official test suite (tests/test_certlogic_suite.py).
"""

from __future__ import annotations

import calendar
import itertools
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from operator import ge, gt, le, lt
from typing import Any

TIME_UNITS = ("year", "month", "day", "hour")
_INFIX_TWO = ("===", "in", "+")
_COMPARISONS = {"<": "<", ">": ">", "<=": "<=", ">=": ">="}
_DATE_COMPARISONS = {"after": ">", "before": "<", "not-after": "<=", "not-before": ">="}
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2}))?")
_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|([+-])(\d{1,2}):?(\d{2})?)?"
)
MAX_DEPTH = 200


class CertLogicError(Exception):
    """The expression is not valid CertLogic, or its operands have the wrong types."""


# -- values -----------------------------------------------------------------------------


def is_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def boolsiness(value: Any) -> bool | None:
    """True for truthy, False for falsy, None for values that are neither (CertLogic §Values)."""
    if value is True or value is False:
        return bool(value)
    if value is None:
        return False
    if isinstance(value, str | list | Mapping):
        return len(value) > 0
    if is_int(value):
        return bool(value != 0)
    return None


def strict_equal(left: Any, right: Any) -> bool:
    """JavaScript `===`: no coercion; arrays, objects and date-times equal only themselves."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return left == right
    if isinstance(left, str) and isinstance(right, str):
        return left == right
    if left is None or right is None:
        return left is None and right is None
    return left is right


# -- dates ------------------------------------------------------------------------------


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def date_of_birth(text: str) -> datetime:
    """dccDateOfBirth: the last moment-of-day consistent with YYYY, YYYY-MM or YYYY-MM-DD."""
    full = _DATE.fullmatch(text)
    if full:
        return _checked(int(full[1]), int(full[2]), int(full[3]))
    partial = _PARTIAL_DATE.fullmatch(text)
    if not partial:
        raise CertLogicError(f"not a DCC date of birth: {text!r}")
    year = int(partial[1])
    month = int(partial[2]) if partial[2] else 12
    if not 1 <= month <= 12:
        raise CertLogicError(f"not a DCC date of birth: {text!r}")
    return _checked(year, month, _last_day(year, month))


def _checked(
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    minute: int = 0,
    second: int = 0,
    micro: int = 0,
    tz: timezone = UTC,
) -> datetime:
    try:
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
    except ValueError as exc:
        raise CertLogicError(f"invalid date: {exc}") from exc


def parse_date_time(text: str) -> datetime:
    """A date(-time) in the formats of CertLogic §plusTime, normalised to milliseconds."""
    if _DATE.fullmatch(text) or _PARTIAL_DATE.fullmatch(text):
        return date_of_birth(text)
    match = _DATE_TIME.fullmatch(text)
    if not match:
        raise CertLogicError(f"not an allowed date or date-time format: {text!r}")
    millis = int((match[7] or ".0")[1:4].ljust(3, "0"))
    tz = UTC
    if match[9]:
        sign = -1 if match[9] == "-" else 1
        offset = timedelta(hours=int(match[10]), minutes=int(match[11] or 0))
        tz = timezone(sign * offset)
    year, month, day, hour, minute, second = (int(match[i]) for i in range(1, 7))
    moment = _checked(year, month, day, hour, minute, second, millis * 1000, tz)
    return moment.astimezone(UTC)


def plus_time(text: str, amount: int, unit: str) -> datetime:
    """plusTime with JavaScript Date semantics (setUTCMonth/FullYear roll day overflow)."""
    moment = parse_date_time(text)
    if unit == "day":
        return moment + timedelta(days=amount)
    if unit == "hour":
        return moment + timedelta(hours=amount)
    months = amount * 12 if unit == "year" else amount
    index = moment.year * 12 + (moment.month - 1) + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise CertLogicError("date out of range")
    first = moment.replace(year=year, month=month + 1, day=1)
    return first + timedelta(days=moment.day - 1)  # overflow rolls into the next month


# -- evaluation -------------------------------------------------------------------------


def evaluate(expression: Any, data: Any) -> Any:
    return _eval(expression, data, 0)


def _eval(expr: Any, data: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise CertLogicError("expression nested too deeply")
    if isinstance(expr, str | bool):
        return expr
    if is_int(expr):
        return int(expr)
    if isinstance(expr, list):
        return [_eval(item, data, depth + 1) for item in expr]
    if not isinstance(expr, Mapping):
        raise CertLogicError(f"invalid CertLogic expression: {expr!r}")
    if len(expr) != 1:
        raise CertLogicError("an expression object must have exactly one key")
    ((operator, operands),) = expr.items()
    if operator == "var":
        return _var(operands, data)
    if not (isinstance(operands, list) and operands):
        raise CertLogicError('operation not of the form { "<operator>": [ <values...> ] }')
    handler = _OPERATIONS.get(operator)
    if handler is None:
        raise CertLogicError(f"unrecognised operator: {operator!r}")
    return handler(operator, operands, data, depth + 1)


def _var(path: Any, data: Any) -> Any:
    if not isinstance(path, str):
        raise CertLogicError('not of the form { "var": "<path>" }')
    if path == "":
        return data
    value = data
    for fragment in path.split("."):
        value = _step_into(value, fragment)
        if value is None:
            return None
    return value


def _step_into(value: Any, fragment: str) -> Any:
    if isinstance(value, Mapping):
        return value.get(fragment)
    if isinstance(value, list | str) and fragment.isdigit():
        index = int(fragment)
        return value[index] if index < len(value) else None
    return None


def _if(_: str, operands: list[Any], data: Any, depth: int) -> Any:
    if len(operands) < 3:
        raise CertLogicError("an if-operation needs a guard, a then and an else")
    guard = _eval(operands[0], data, depth)
    truth = boolsiness(guard)
    if truth is None:
        raise CertLogicError(f"if-guard is neither truthy nor falsy: {guard!r}")
    return _eval(operands[1] if truth else operands[2], data, depth)


def _and(_: str, operands: list[Any], data: Any, depth: int) -> Any:
    if len(operands) < 2:
        raise CertLogicError('an "and" operation needs at least 2 operands')
    result: Any = True
    for operand in operands:
        truth = boolsiness(result)
        if truth is None:
            raise CertLogicError('all operands of "and" must be truthy or falsy')
        if not truth:
            return result
        result = _eval(operand, data, depth)
    return result


def _infix_two(operator: str, operands: list[Any], data: Any, depth: int) -> Any:
    if len(operands) != 2:
        raise CertLogicError(f'an operation with "{operator}" must have 2 operands')
    left, right = (_eval(o, data, depth) for o in operands)
    if operator == "===":
        return strict_equal(left, right)
    if operator == "in":
        if not isinstance(right, list):
            raise CertLogicError('right-hand side of "in" must be an array')
        return any(strict_equal(left, item) for item in right)
    if not (is_int(left) and is_int(right)):
        raise CertLogicError('operands of "+" must both be integers')
    return int(left) + int(right)


_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": lt,
    ">": gt,
    "<=": le,
    ">=": ge,
}


def _compare(symbol: str, values: list[Any]) -> bool:
    check = _ORDER[symbol]
    return all(check(a, b) for a, b in itertools.pairwise(values))


def _comparison(operator: str, operands: list[Any], data: Any, depth: int) -> bool:
    if len(operands) not in (2, 3):
        raise CertLogicError(f'an operation with "{operator}" must have 2 or 3 operands')
    values = [_eval(o, data, depth) for o in operands]
    if operator in _DATE_COMPARISONS:
        if not all(isinstance(v, datetime) for v in values):
            raise CertLogicError("all operands of a date-time comparison must be date-times")
        return _compare(_DATE_COMPARISONS[operator], values)
    if not all(is_int(v) for v in values):
        raise CertLogicError("all operands of a comparison must be integers")
    return _compare(_COMPARISONS[operator], values)


def _not(_: str, operands: list[Any], data: Any, depth: int) -> bool:
    value = _eval(operands[0], data, depth)
    truth = boolsiness(value)
    if truth is None:
        raise CertLogicError(f"operand of ! is neither truthy nor falsy: {value!r}")
    return not truth


def _plus_time(_: str, operands: list[Any], data: Any, depth: int) -> datetime:
    if len(operands) != 3:
        raise CertLogicError("plusTime takes a date-time, an amount and a unit")
    date_operand, amount, unit = operands
    if not is_int(amount):
        raise CertLogicError('"amount" argument (#2) of plusTime must be an integer')
    if unit not in TIME_UNITS:
        raise CertLogicError(f'"unit" argument (#3) of plusTime must be one of {TIME_UNITS}')
    text = _eval(date_operand, data, depth)
    if not isinstance(text, str):
        raise CertLogicError("date argument of plusTime must be a string")
    return plus_time(text, int(amount), unit)


def _date_of_birth(_: str, operands: list[Any], data: Any, depth: int) -> datetime:
    if len(operands) != 1:
        raise CertLogicError("dccDateOfBirth takes one operand")
    text = _eval(operands[0], data, depth)
    if not isinstance(text, str):
        raise CertLogicError("operand of dccDateOfBirth must be a string")
    return date_of_birth(text)


def _reduce(_: str, operands: list[Any], data: Any, depth: int) -> Any:
    if len(operands) != 3:
        raise CertLogicError("reduce takes an operand, a lambda and an initial value")
    operand, body, initial = operands
    items = _eval(operand, data, depth)
    accumulator = _eval(initial, data, depth)
    if items is None:
        return accumulator
    if not isinstance(items, list):
        raise CertLogicError("operand of reduce evaluated to a non-null non-array")
    for current in items:
        accumulator = _eval(body, {"accumulator": accumulator, "current": current}, depth)
    return accumulator


def _extract_from_uvci(_: str, operands: list[Any], data: Any, depth: int) -> str | None:
    if len(operands) != 2:
        raise CertLogicError("extractFromUVCI takes an operand and an index")
    value = _eval(operands[0], data, depth)
    index = operands[1]
    if not (value is None or isinstance(value, str)):
        raise CertLogicError('"UVCI" argument of extractFromUVCI must be a string or null')
    if not is_int(index):
        raise CertLogicError('"index" argument of extractFromUVCI must be an integer')
    if value is None or index < 0:
        return None
    fragments = re.split(r"[/#:]", value.removeprefix("URN:UVCI:"))
    return fragments[int(index)] if index < len(fragments) else None


_OPERATIONS = {
    "if": _if,
    "and": _and,
    **{op: _infix_two for op in _INFIX_TWO},
    **{op: _comparison for op in (*_COMPARISONS, *_DATE_COMPARISONS)},
    "!": _not,
    "plusTime": _plus_time,
    "dccDateOfBirth": _date_of_birth,
    "reduce": _reduce,
    "extractFromUVCI": _extract_from_uvci,
}


def validate(expression: Any) -> list[str]:
    """Static checks done when a profile is loaded: unknown operators, wrong shapes, wrong
    literal arguments. Type errors that depend on data are only caught when evaluating."""
    issues: list[str] = []
    _validate(expression, issues, 0)
    return issues


def _validate(expr: Any, issues: list[str], depth: int) -> None:
    if depth > MAX_DEPTH:
        issues.append("expression nested too deeply")
        return
    if isinstance(expr, str | bool) or is_int(expr):
        return
    if isinstance(expr, list):
        for item in expr:
            _validate(item, issues, depth + 1)
        return
    if not isinstance(expr, Mapping):
        issues.append(f"invalid literal {expr!r}")
        return
    if len(expr) != 1:
        issues.append(f"expression object must have exactly one key, but it has {len(expr)}")
        return
    ((operator, operands),) = expr.items()
    if operator == "var":
        if not isinstance(operands, str):
            issues.append('not of the form { "var": "<path>" }')
        elif operands and not all(operands.split(".")):
            issues.append(f"data access path doesn't have a valid format: {operands}")
        return
    if not (isinstance(operands, list) and operands):
        issues.append('operation not of the form { "<operator>": [ <values...> ] }')
        return
    if operator not in _OPERATIONS:
        issues.append(f'unrecognised operator: "{operator}"')
        return
    issues.extend(_arity_issue(operator, operands))
    for operand in operands:
        _validate(operand, issues, depth + 1)


def _arity_issue(operator: str, operands: list[Any]) -> list[str]:
    count = len(operands)
    expected = {
        "if": (3,),
        "!": (1,),
        "plusTime": (3,),
        "dccDateOfBirth": (1,),
        "reduce": (3,),
        "extractFromUVCI": (2,),
        **{op: (2,) for op in _INFIX_TWO},
        **{op: (2, 3) for op in (*_COMPARISONS, *_DATE_COMPARISONS)},
    }.get(operator)
    if operator == "and":
        return [] if count >= 2 else ['"and" needs at least 2 operands']
    if expected and count not in expected:
        return [f'"{operator}" takes {" or ".join(map(str, expected))} operands, not {count}']
    if operator == "plusTime" and not (is_int(operands[1]) and operands[2] in TIME_UNITS):
        return ["plusTime needs a literal integer amount and a time unit"]
    return []
