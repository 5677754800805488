"""What a parameter may be: the rules a chapter's declared parameters carry.

A rule has a description (for the message) and a predicate; a bad value raises
ParameterError naming the parameter, what is allowed and what was given, e.g.
``parameter 'widths' must be a list of at least 3 integers >= 1 and <= 512, strictly
increasing; got [8, 4]``. Numbers must be finite unless a rule says otherwise; every
size has an upper bound, so an absurd size stops a chapter before any work.
"""
from __future__ import annotations

import difflib
import math
import numbers
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence


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
                f"parameter '{name}' must be {self.allowed}; got {value!r}"
                + (_as_text(self, name, value) if isinstance(value, str) else ""))
        return value


def _as_text(rule: Rule, name: str, text: str) -> str:
    """How to give a value that arrived as text, if it would pass as a number or as YAML
    (papermill's -p passes a list as text; YAML 1.1 reads 1e-3 as text)."""
    import yaml

    from .yaml11 import number, rewritten
    x = number(text)
    if x is not None and (rule.accepts(x) or x.is_integer() and rule.accepts(int(x))):
        return (f" (text, not a number: YAML 1.1, as papermill's -f and -y read it, takes "
                f"{text} for text; write {rewritten(text)})")
    try:
        ok = rule.accepts(yaml.safe_load(text))
    except yaml.YAMLError:
        ok = False
    return (f" (text: papermill's -p passes it as text; give it as YAML, -y \"{name}: "
            f"{text}\")") if ok else ""


def _is_int(v: Any) -> bool:
    # bool is an int subclass; True as a width is a mistake, not a 1.
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _is_real(v: Any, finite: bool = True) -> bool:
    if not isinstance(v, numbers.Real) or isinstance(v, bool):
        return False
    try:
        x = float(v)
    except OverflowError:                     # an int beyond float range is not finite
        return False
    return math.isfinite(x) if finite else x == x


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


def real(lo: float | None = None, hi: float | None = None, positive: bool = False,
         finite: bool = True) -> Rule:
    """A number (not NaN; finite unless ``finite=False``) in [lo, hi], or > 0."""
    b = " and ".join(filter(None, ["> 0" if positive else "", _bounds(lo, hi)]))
    what = "a finite number" if finite else "a number"
    return Rule(f"{what}{' ' + b if b else ''}",
                lambda v: _is_real(v, finite) and (v > 0 or not positive) and _in(v, lo, hi))


def boolean() -> Rule:
    return Rule("True or False", lambda v: isinstance(v, bool))


def choice(*options: str) -> Rule:
    return Rule("one of " + ", ".join(repr(o) for o in options),
                lambda v: isinstance(v, str) and v in options)


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
          min_len: int = 1, increasing: bool = False, finite: bool = True) -> Rule:
    one = real(lo, hi, positive, finite).allowed
    many = one.replace("a finite number", "finite numbers").replace("a number", "numbers")
    return _list_of(real(lo, hi, positive, finite), many, min_len, increasing)


def _unknown_message(unknown: Sequence[str], rules: Mapping[str, Any]) -> str:
    lines = []
    lower = {r.lower(): r for r in rules}
    for name in unknown:
        near = difflib.get_close_matches(name, list(rules), n=1, cutoff=0.6) \
            or [lower[m] for m in difflib.get_close_matches(name.lower(), list(lower), n=1,
                                                            cutoff=0.6)]
        hint = f" (did you mean '{near[0]}'?)" if near else ""
        lines.append(f"'{name}'{hint}")
    return (f"unknown parameter{'s' if len(unknown) > 1 else ''} {', '.join(lines)}: not a "
            f"parameter of this chapter, whose parameters are {', '.join(sorted(rules))}")


def require(name: str, ok: bool, allowed: str, value: Any) -> None:
    """A cross-parameter rule, e.g. 'widths must hold at least two values'."""
    if not ok:
        raise ParameterError(f"parameter '{name}' must be {allowed}; got {value!r}")

def unknown_message(unknown: Sequence[str], known: Sequence[str]) -> str:
    """'unknown parameter 'sed' (did you mean 'seed'?): not a parameter of this chapter,
    whose parameters are ...'"""
    return _unknown_message(unknown, {k: None for k in known})


__all__: Sequence[str] = ["ParameterError", "Rule", "integer", "real", "boolean", "choice",
                          "integers", "reals", "require", "unknown_message"]
