"""Parameter validation for the chapters' papermill parameters.

A chapter declares what each parameter may be, then calls :func:`check_in` on its
namespace before any work starts, so a bad value stops the notebook at once with a
message that names the parameter and what is allowed. :func:`check_in` also

- refuses names that look like parameters but have no rule (papermill only logs
  ``-p sed 3`` as an unknown parameter and runs with the default ``seed``),
  suggesting the closest parameter of the chapter;
- registers the chapter's parameters with :mod:`com.cache`, so every cached
  result is keyed by all of them (none can be forgotten).

Numbers must be finite unless a rule says otherwise. Sizes are bounded by what the
machine can do: :func:`budget` (com.budget) refuses a run that would not fit.
"""
from __future__ import annotations

import ast
import difflib
import math
import numbers
import types
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence


class ParameterError(ValueError):
    """A chapter parameter has a value outside what the chapter allows."""


class BudgetError(ParameterError):
    """The requested run would not fit this machine's memory or the time budget."""


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


def choices(*options: str, min_len: int = 1) -> Rule:
    return _list_of(choice(*options), "of " + ", ".join(repr(o) for o in options),
                    min_len, False)


def _unknown_message(unknown: Sequence[str], rules: Mapping[str, Rule]) -> str:
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
        raise ParameterError(_unknown_message(unknown, rules))
    for name, rule in rules.items():
        rule(name, values[name])
    return values


# Names IPython/ipykernel put in a notebook's namespace: not parameters.
INTERACTIVE = frozenset({"In", "Out", "get_ipython", "exit", "quit", "open", "display"})


def _assigned(source: str) -> set[str]:
    """Names a cell's code binds (assignments, loops, defs, imports)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def _later_names(namespace: Mapping[str, Any]) -> set[str]:
    """Names bound by this validation cell and by the cells that ran after its first run.

    In a papermill run the validation cell runs once, so these are only its own
    (imports, not yet bound). In an interactive session re-running the notebook from
    the top, the chapter's own variables (bound by later cells) are in the namespace
    too; they are not misspelt parameters.
    """
    history = namespace.get("In")
    if not isinstance(history, list) or not history:
        return set()
    current = history[-1]
    first = history.index(current)
    return set().union(*(_assigned(src) for src in history[first:]))


def parameter_like(namespace: Mapping[str, Any]) -> list[str]:
    """Names in a notebook namespace that could be parameters: not private, not
    modules, functions, classes or other callables, not IPython's own names."""
    return sorted(name for name, value in namespace.items()
                  if not name.startswith("_") and name not in INTERACTIVE
                  and not isinstance(value, types.ModuleType) and not callable(value))


def check_in(namespace: dict[str, Any], rules: dict[str, Rule]) -> dict[str, Any]:
    """Validate the chapter's parameters as found in ``namespace`` (a notebook passes
    ``globals()`` right after its parameters cell and imports).

    Besides the rules, any parameter-like name without a rule is refused (with the
    closest parameter suggested), ``COM_CACHE`` is checked, and the parameters are
    registered with :mod:`com.cache` so that cached results depend on all of them.
    """
    from . import cache  # cache imports torch; validation stays light

    missing = sorted(set(rules) - set(namespace))
    if missing:
        raise ParameterError(f"parameters {missing} have no value")
    unknown = sorted(set(parameter_like(namespace)) - set(rules) - _later_names(namespace))
    if unknown:
        raise ParameterError(_unknown_message(unknown, rules))
    values = check(rules, **{name: namespace[name] for name in rules})
    cache.folder()                            # a bad COM_CACHE stops here, before any work
    cache.register(namespace, sorted(rules))
    return values


def seed_and_strict() -> dict[str, Rule]:
    """The two parameters every chapter has. numpy's global seed must be below 2^32,
    and torch's generators accept any such seed plus the chapters' small offsets."""
    return {"seed": integer(lo=0, hi=2 ** 32 - 1), "strict": boolean()}


def require(name: str, ok: bool, allowed: str, value: Any) -> None:
    """A cross-parameter rule, e.g. 'widths must hold at least two values'."""
    if not ok:
        raise ParameterError(f"parameter '{name}' must be {allowed}; got {value!r}")


def budget(namespace: Mapping[str, Any], sizes: Sequence[str],
           cost: Callable[[Any], Mapping[str, float]]) -> None:
    """com.budget.budget, here beside check_in for the chapters' one ``v`` import."""
    from . import budget as run_budget  # it imports this module: imported when called
    run_budget.budget(namespace, sizes, cost)


__all__: Sequence[str] = ["ParameterError", "BudgetError", "Rule", "integer", "real", "boolean",
                          "choice", "integers", "reals", "choices", "check", "check_in",
                          "seed_and_strict", "require", "parameter_like", "budget"]
