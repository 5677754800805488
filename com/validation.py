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
machine can do: :func:`budget` takes the chapter's cost formula (memory, arithmetic,
small-op count as functions of the parameters) and refuses a run that would not fit
this machine's memory or the time budget, naming the parameter to reduce and the
largest value that fits. ``COM_ALLOW_LARGE=1`` lifts the refusal; ``COM_MAX_HOURS``
sets the time budget (default 4 hours per chapter).
"""
from __future__ import annotations

import ast
import difflib
import math
import numbers
import os
import time
import types
from dataclasses import dataclass
from functools import lru_cache
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


# --- what the machine can do ------------------------------------------------------------

@dataclass(frozen=True)
class Machine:
    """Limits and speeds of this machine: ``memory`` bytes the run may use, ``seconds``
    it may take, and measured seconds per float64 multiply-add (``flop``, a matmul)
    and per small torch operation (``op``, dominated by Python and dispatch)."""

    memory: float
    seconds: float
    flop: float
    op: float


def _available_memory() -> float:
    try:
        with open("/proc/meminfo") as f:
            info = dict(line.split(":", 1) for line in f)
        return float(info["MemAvailable"].split()[0]) * 1024
    except (OSError, KeyError, ValueError):
        return float(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))


def _best_time(fn: Callable[[], Any], repeats: int = 5) -> float:
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


@lru_cache(maxsize=1)
def machine() -> Machine:
    """Measure this machine once (about 50 ms): 80% of the available memory,
    ``COM_MAX_HOURS`` (default 4) of time, and the speed of arithmetic and small ops."""
    import torch

    hours = os.environ.get("COM_MAX_HOURS", "4")
    try:
        seconds = float(hours) * 3600
        assert seconds > 0 and math.isfinite(seconds)
    except (ValueError, AssertionError):
        raise ParameterError(f"COM_MAX_HOURS must be a positive number of hours; got {hours!r}")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)                 # one core's speed: stable under a shared load
    try:
        a = torch.rand(256, 256, dtype=torch.float64)
        flop = _best_time(lambda: a @ a) / 256 ** 3
        x = torch.rand(8, dtype=torch.float64)
        op = _best_time(lambda: [x * x for _ in range(200)]) / 200
    finally:
        torch.set_num_threads(threads)
    return Machine(0.8 * _available_memory(), seconds, flop, op)


class _Params:
    """Attribute access to parameter values, with some overridden (for the search)."""

    def __init__(self, values: Mapping[str, Any], **override: Any):
        self._values, self._override = values, override

    def __getattr__(self, name: str) -> Any:
        if name in self._override:
            return self._override[name]
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None


def _cost(cost: Callable[[Any], Mapping[str, float]], values, m: Machine, **override):
    """(bytes, seconds) of a run; inf where the formula overflows."""
    try:
        c = cost(_Params(values, **override))
        mem = float(c.get("memory", 0.0))
        sec = float(c.get("flops", 0.0)) * m.flop + float(c.get("ops", 0.0)) * m.op
    except (OverflowError, ZeroDivisionError, ValueError):
        return math.inf, math.inf
    return mem, sec


def _fits(cost, values, m: Machine, **override) -> bool:
    mem, sec = _cost(cost, values, m, **override)
    return mem <= m.memory and sec <= m.seconds


def _largest_int(ok: Callable[[int], bool], lo: int, hi: int) -> int | None:
    """Largest n in [lo, hi] with ok(n), ok monotone (true then false)."""
    if not ok(lo):
        return None
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if ok(mid) else (lo, mid - 1)
    return lo


def _fitting_value(cost, values, m: Machine, name: str):
    """The value of ``name`` closest to the requested one that fits, the others as
    requested (None if none does), and how far the request is from it (a factor)."""
    v = values[name]
    fits = lambda x: _fits(cost, values, m, **{name: x})          # noqa: E731
    if isinstance(v, (list, tuple)) and v and all(_is_real(x) for x in v):
        top = max(v)                                              # cap the entries
        capped = lambda c: [min(x, c) for x in v]                 # noqa: E731
        if all(_is_int(x) for x in v):
            c = _largest_int(lambda c: fits(capped(c)), 1, int(top))
        else:
            c = _largest_real(lambda c: fits(capped(c)), top)
        return (None, math.inf) if c is None else (c, top / c)
    if _is_int(v):
        n = _largest_int(fits, 1, int(v))
        return (None, math.inf) if n is None else (n, v / n)
    if _is_real(v) and v > 0:
        up = _cost(cost, values, m, **{name: 2 * v}) >= _cost(cost, values, m, **{name: v})
        x = _largest_real(fits, v) if up else _smallest_real(fits, v)
        return (None, math.inf) if x is None else (x, v / x if up else x / v)
    return None, math.inf


def _bisect_log(ok: Callable[[float], bool], good: float, bad: float) -> float:
    """The point between ``good`` (ok) and ``bad`` (not ok) where ok changes, to 3
    significant digits on the ``good`` side (geometric bisection)."""
    for _ in range(200):
        mid = math.sqrt(good) * math.sqrt(bad)          # no overflow
        if mid in (good, bad):
            break
        good, bad = (mid, bad) if ok(mid) else (good, mid)
    rounded = float(f"{good:.3g}")
    return rounded if ok(rounded) else good


def _largest_real(ok: Callable[[float], bool], hi: float) -> float | None:
    lo = max(hi / 1e300, 1e-300)
    return _bisect_log(ok, lo, hi) if ok(lo) else None


def _smallest_real(ok: Callable[[float], bool], lo: float) -> float | None:
    hi = min(lo * 1e300, 1e300)
    return _bisect_log(ok, hi, lo) if ok(hi) else None


def _top(v: Any) -> float | None:
    """A size's magnitude: the number, or a list's largest entry."""
    if isinstance(v, (list, tuple)):
        v = max(v) if v and all(_is_real(x) for x in v) else None
    return float(v) if _is_real(v) else None


def defaults(namespace: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters cell's own values, read (never run) from the first cell of the
    notebook's history that assigns literals; {} outside a notebook."""
    history = namespace.get("In")
    for source in history if isinstance(history, list) else []:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        found = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name):
                try:
                    found[node.targets[0].id] = ast.literal_eval(node.value)
                except (ValueError, SyntaxError, TypeError):
                    pass
        if found:
            return found
    return {}


def _human_bytes(b: float) -> str:
    if not math.isfinite(b):
        return "more than any machine has"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if b < 1024 or unit == "PiB":
            return f"{b:.3g} {unit}"
        b /= 1024
    return f"{b:.3g} PiB"


def _human_seconds(s: float) -> str:
    if not math.isfinite(s):
        return "forever"
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if s >= size:
            return f"{s / size:.3g} {unit}"
    return f"{s:.3g} s"


def _short(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 60 else text[:28] + " ... " + text[-27:]


def estimate(namespace: Mapping[str, Any],
             cost: Callable[[Any], Mapping[str, float]]) -> dict[str, float]:
    """The run's estimated peak memory (bytes) and time (seconds) on this machine."""
    mem, sec = _cost(cost, namespace, machine())
    return {"memory": mem, "seconds": sec}


def budget(namespace: Mapping[str, Any], sizes: Sequence[str],
           cost: Callable[[Any], Mapping[str, float]]) -> None:
    """Refuse a run that would not fit this machine, before it starts.

    ``cost(p)`` reads parameters as attributes (``p.steps``) and returns the run's
    estimated peak ``memory`` in bytes, ``flops`` (float64 multiply-adds) and ``ops``
    (small torch operations, each about a few microseconds of overhead); seconds are
    ``flops * machine().flop + ops * machine().op``. ``sizes`` names the parameters
    that set the cost (integers, positive reals in either direction, or lists whose
    entries are capped). If the run does not fit, BudgetError names the size that is
    furthest from fitting, the estimated cost, the limits and the largest value that
    fits. ``COM_ALLOW_LARGE=1`` skips the refusal. Returns None (a notebook shows nothing).
    """
    m = machine()
    mem, sec = _cost(cost, namespace, m)
    if os.environ.get("COM_ALLOW_LARGE", "").strip().lower() in ("1", "true", "yes", "on"):
        return
    if mem <= m.memory and sec <= m.seconds:
        return
    found = {name: _fitting_value(cost, namespace, m, name) for name in sizes}
    default = defaults(namespace)

    def blame(n):             # a size alone able to fit, furthest from its default (or fit)
        best, ratio = found[n]
        if best is None:
            return (False, 0.0)
        v, d = _top(namespace[n]), _top(default.get(n))
        if v is None or d is None or d <= 0 or v <= 0:
            return (True, ratio)
        return (True, v / d if _top(best) <= v else d / v)
    name = max(sizes, key=blame)
    best = found[name][0]
    over = []
    if mem > m.memory:
        over.append(f"{_human_bytes(mem)} of memory (this machine allows "
                    f"{_human_bytes(m.memory)}, 80% of what is available)")
    if sec > m.seconds:
        over.append(f"about {_human_seconds(sec)} (the time budget is "
                    f"{_human_seconds(m.seconds)}, COM_MAX_HOURS)")
    if best is None:
        fix = (f"no value of it alone fits with the other parameters as given; "
               f"reduce some of {', '.join(repr(n) for n in sizes)}")
    elif isinstance(namespace[name], (list, tuple)):
        fix = f"entries up to {best} fit"
    else:
        fix = f"the largest value that fits is {best}" if best <= namespace[name] \
            else f"the smallest value that fits is {best}"
    raise BudgetError(
        f"parameter '{name}' = {_short(namespace[name])} makes this run need "
        f"{' and '.join(over)}; {fix}. Set COM_ALLOW_LARGE=1 to run it anyway "
        f"(on a bigger machine).")


__all__: Sequence[str] = [
    "ParameterError", "BudgetError", "Rule", "integer", "real", "boolean", "choice",
    "integers", "reals", "choices", "check", "check_in", "seed_and_strict", "require",
    "parameter_like", "Machine", "machine", "budget", "estimate", "defaults",
]
