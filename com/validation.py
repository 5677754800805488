"""Parameter validation for the chapters' papermill parameters.

A chapter declares what each parameter may be, then calls :func:`check` on the
values before any work starts, so a bad value stops the notebook at once with a
message that names the parameter and what is allowed.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, Callable, Sequence


class ParameterError(ValueError):
    """A chapter parameter has a value outside what the chapter allows."""


@dataclass(frozen=True)
class Rule:
    """One parameter's rule: a description for the message and a predicate."""

    allowed: str
    accepts: Callable[[Any], bool]

    def __call__(self, name: str, value: Any) -> Any:
        if not self.accepts(value):
            raise ParameterError(
                f"parameter '{name}' must be {self.allowed}; got {value!r}")
        return value


def _is_int(v: Any) -> bool:
    # bool is an int subclass; True as a width is a mistake, not a 1.
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _is_real(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool) and v == v


def _bounds(lo, hi) -> str:
    parts = []
    if lo is not None:
        parts.append(f">= {lo}")
    if hi is not None:
        parts.append(f"<= {hi}")
    return " and ".join(parts)


def _in(v, lo, hi) -> bool:
    return (lo is None or v >= lo) and (hi is None or v <= hi)


def integer(lo: int | None = None, hi: int | None = None) -> Rule:
    b = _bounds(lo, hi)
    return Rule(f"an integer{' ' + b if b else ''}",
                lambda v: _is_int(v) and _in(v, lo, hi))


def real(lo: float | None = None, hi: float | None = None, positive: bool = False) -> Rule:
    b = "> 0" if positive else _bounds(lo, hi)
    return Rule(f"a number{' ' + b if b else ''}",
                lambda v: _is_real(v) and (v > 0 if positive else _in(v, lo, hi)))


def boolean() -> Rule:
    return Rule("True or False", lambda v: isinstance(v, bool))


def choice(*options: str) -> Rule:
    return Rule("one of " + ", ".join(repr(o) for o in options), lambda v: v in options)


def _list_of(item: Rule, what: str, min_len: int, increasing: bool) -> Rule:
    def ok(v):
        if not isinstance(v, (list, tuple)) or len(v) < min_len:
            return False
        if not all(item.accepts(x) for x in v):
            return False
        return not increasing or all(a < b for a, b in zip(v, v[1:]))
    order = ", strictly increasing" if increasing else ""
    return Rule(f"a list of at least {min_len} {what}{order}", ok)


def integers(lo: int | None = None, hi: int | None = None, min_len: int = 1,
             increasing: bool = False) -> Rule:
    return _list_of(integer(lo, hi), integer(lo, hi).allowed.replace("an integer", "integers"),
                    min_len, increasing)


def reals(lo: float | None = None, hi: float | None = None, positive: bool = False,
          min_len: int = 1, increasing: bool = False) -> Rule:
    return _list_of(real(lo, hi, positive), real(lo, hi, positive).allowed.replace("a number", "numbers"),
                    min_len, increasing)


def choices(*options: str, min_len: int = 1) -> Rule:
    return _list_of(choice(*options), "of " + ", ".join(repr(o) for o in options),
                    min_len, False)


def check(rules: dict[str, Rule], **values: Any) -> dict[str, Any]:
    """Validate ``values`` against ``rules``; return them unchanged.

    Every rule must have a value and every value a rule, so a misspelt
    parameter is caught too. The first bad parameter raises ParameterError.
    """
    missing = sorted(set(rules) - set(values))
    unknown = sorted(set(values) - set(rules))
    if missing:
        raise ParameterError(f"parameters {missing} have no value")
    if unknown:
        raise ParameterError(f"parameters {unknown} are not parameters of this chapter; "
                             f"allowed: {sorted(rules)}")
    for name, rule in rules.items():
        rule(name, values[name])
    return values


def check_in(namespace: dict[str, Any], rules: dict[str, Rule]) -> dict[str, Any]:
    """Validate the parameters named by ``rules`` as found in ``namespace``
    (a notebook passes ``globals()`` after its parameters cell)."""
    missing = sorted(set(rules) - set(namespace))
    if missing:
        raise ParameterError(f"parameters {missing} have no value")
    return check(rules, **{name: namespace[name] for name in rules})


def seed_and_strict() -> dict[str, Rule]:
    """The two parameters every chapter has."""
    return {"seed": integer(lo=0), "strict": boolean()}


def require(name: str, ok: bool, allowed: str, value: Any) -> None:
    """A cross-parameter rule, e.g. 'widths must hold at least two values'."""
    if not ok:
        raise ParameterError(f"parameter '{name}' must be {allowed}; got {value!r}")


__all__: Sequence[str] = [
    "ParameterError", "Rule", "integer", "real", "boolean", "choice", "integers",
    "reals", "choices", "check", "check_in", "seed_and_strict", "require",
]
