"""A sweep's runs: chapters x seeds (x parameter grids), planned, kept and collected.

A *run* is one papermill execution of one chapter at one seed and one grid point
(bookkit.sweep.run executes it on Dask): one run per (chapter, seed, parameters),
however the sweep is asked (a chapter named twice, a grid value given twice or equal to
what the chapter runs anyway). ``plan`` validates everything by the chapters' own
declarations before any run starts, cheaply (a run's notebook and identity are made
when needed: a dry run of a hundred thousand seeds answers at once), and refuses a
sweep of more than ``MAX_RUNS`` runs. A run is identified by ``Run.source``, a hash
of the chapter, ``com``, the parameters and the versions of python and of the packages
``com`` computes with; bookkit.sweep.results keeps, collects and summarises the runs.
"""
from __future__ import annotations

import ast
import hashlib
import itertools
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

from ..chapters import (
    BOOK,
    ROOT,
    SCALES,
    chapter_names,
    chapter_notebook,
    check_run,
    code_hash,
    declared,
    parameter_set,
)
from ..params import ParameterError, fields
from ..yaml11 import from_yaml

OUT = ROOT / "_build" / "sweep"


MAX_RUNS = 1_000_000


@dataclass
class Run:
    """One chapter at one seed and one grid point. What all runs of a chapter share
    (its parameter set, code hash and the versions) is held once, in ``shared``."""

    chapter: str
    scale: str
    seed: int
    overrides: dict          # the -p values of this grid point ({} for none)
    shared: dict = field(repr=False)     # base (the scale's set), code, versions, out, book

    @property
    def parameters(self) -> dict:
        """Everything papermill injects."""
        return {**self.shared["base"], "strict": False, **self.overrides, "seed": self.seed}

    @cached_property
    def source(self) -> str:
        """Hash of all the run depends on: code, parameters and versions."""
        return _digest([self.shared["code"], self.parameters, self.shared["versions"]])

    @property
    def name(self) -> str:
        """The executed notebook's file name: seed-<k>[-<grid hash>].ipynb"""
        return f"seed-{self.seed}" + (f"-{_digest(self.overrides)[:8]}" if self.overrides
                                      else "") + ".ipynb"

    @property
    def path(self) -> Path:
        """The executed notebook, kept when the run succeeded."""
        return self.shared["out"] / self.scale / self.chapter / self.name

    @property
    def failure(self) -> Path:
        return self.path.with_suffix(".failed.json")

    @property
    def label(self) -> str:
        grid = " ".join(f"{k}={json.dumps(v)}" for k, v in self.overrides.items())
        return f"{self.chapter} seed {self.seed}" + (f" ({grid})" if grid else "")

    def meta(self) -> dict:
        return dict(chapter=self.chapter, scale=self.scale, seed=self.seed,
                    overrides=self.overrides, source=self.source,
                    versions=self.shared["versions"])

    def notebook(self) -> str:
        """The chapter notebook to execute (JSON text), marked with the run's meta."""
        import nbformat
        nb = chapter_notebook(self.chapter, self.shared["book"])
        nb.metadata["com_sweep"] = self.meta()
        return nbformat.writes(nb)


def parse_seeds(text: str, limit: int = MAX_RUNS) -> list[int]:
    """Seeds from ``'0-7'`` (inclusive), ``'3'`` or ``'0,2,5-6'``; at most ``limit``."""
    allowed = ("integers >= 0 or inclusive ranges low-high (low <= high), separated by "
               "commas, each seed once, e.g. '0-7' or '0,3,5-6'")
    ranges = []
    for part in str(text).split(","):
        m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", part)
        if not m or (m[2] is not None and int(m[2]) < int(m[1])):
            raise ParameterError(f"parameter 'seeds' must be {allowed}; got {text!r}")
        ranges.append(range(int(m[1]), int(m[2] or m[1]) + 1))
    count = sum(len(r) for r in ranges)
    if count > limit:
        raise ParameterError(f"parameter 'seeds' must be at most {limit} seeds (a sweep is "
                             f"at most {MAX_RUNS} runs); got {text!r}, {count} seeds")
    seeds = [s for r in ranges for s in r]
    if len(set(seeds)) != len(seeds):
        raise ParameterError(f"parameter 'seeds' must be {allowed}; got {text!r} (a repeat)")
    return seeds


def _value(name: str, text: str):
    """A -p value: a Python literal (``[8, 16]``, ``1e-3``, ``True``), else YAML read as
    written (bookkit.yaml11: ``010`` is refused, not read as the octal 8)."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return from_yaml(f"{name}: {text}", f"-p {name}={text}")[name]


def parse_assignments(items: list[str]) -> dict[str, list]:
    """``['steps=100', 'steps=200', 'lr=0.1']`` -> ``{'steps': [100, 200], 'lr': [0.1]}``.

    A name given more than once is a grid axis; the sweep runs every combination.
    """
    axes: dict[str, list] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise ParameterError(f"parameter '-p' must be name=value (e.g. widths=[8,16,32]); "
                                 f"got {item!r}")
        if name == "seed":
            raise ParameterError("parameter 'seed' is set by --seeds, not by -p")
        try:
            value = _value(name, text)
        except yaml.YAMLError as e:
            raise ParameterError(f"parameter '{name}' must be a Python or YAML value; "
                                 f"got {text!r} ({e.__class__.__name__})") from None
        if not any(_same(value, v) for v in axes.setdefault(name, [])):
            axes[name].append(value)            # 1 and 1.0, True and 1 stay apart
    return axes


def _same(a, b) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def grid(axes: dict[str, list]) -> list[dict]:
    """Every combination of the axes' values: [{name: value, ...}, ...] ([{}] for none)."""
    names = list(axes)
    return [dict(zip(names, combo)) for combo in itertools.product(*axes.values())]


def _digest(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()[:16]


def plan(chapters: list[str] | None, seeds, scale: str, assignments: list[str] = (),
         book: Path = BOOK, out: Path = OUT) -> list[Run]:
    """Every run of the sweep, once each, validated: raises ParameterError, naming the
    parameter, for an unknown scale or chapter, a bad seed range, a sweep of more than
    MAX_RUNS runs, or a value the chapter's declaration refuses."""
    if scale not in SCALES:
        raise ParameterError(f"parameter 'scale' must be one of {', '.join(SCALES)}; "
                             f"got {scale!r}")
    available = chapter_names(book)
    chapters = list(dict.fromkeys(chapters or available))       # -c X,X: X once
    unknown = [c for c in chapters if c not in available]
    if unknown or not chapters:
        raise ParameterError(f"parameter 'chapters' must name chapters among "
                             f"{', '.join(available)}; got {unknown or chapters}")
    seeds = parse_seeds(seeds) if isinstance(seeds, str) else list(dict.fromkeys(seeds))
    if not seeds or not all(isinstance(s, int) and s >= 0 for s in seeds):
        raise ParameterError(f"parameter 'seeds' must be integers >= 0; got {seeds!r}")
    points = grid(parse_assignments(list(assignments)))
    total = len(chapters) * len(seeds) * len(points)
    if total > MAX_RUNS:
        raise ParameterError(f"parameter 'seeds' must make a sweep of at most {MAX_RUNS} runs; "
                             f"got {len(chapters)} chapters x {len(seeds)} seeds x "
                             f"{len(points)} grid points")
    from ..chapters import versions
    runs, found = [], versions()
    for chapter in chapters:
        shared = dict(base=parameter_set(chapter, scale, book), code=code_hash(chapter, book),
                      versions=found, out=out, book=book)
        for point in unique(_normal(chapter, shared["base"], p) for p in points):
            check_seeds(chapter, {**shared["base"], "strict": False, **point}, seeds)
            runs += [Run(chapter, scale, seed, point, shared) for seed in seeds]
    return runs


def _normal(chapter: str, base: dict, point: dict) -> dict:
    """A grid point without the values the chapter runs anyway (its parameter set's or
    its declared defaults), so that it names the same run as a sweep without them."""
    from ..params import defaults
    anyway = {**defaults(declared(chapter)), **base, "strict": False}
    return {k: v for k, v in point.items() if not (k in anyway and _same(v, anyway[k]))}


def unique(points) -> list[dict]:
    out: list[dict] = []
    for p in points:
        if not any(_same(p, q) for q in out):
            out.append(p)
    return out


def check_seeds(chapter: str, parameters: dict, seeds: list[int]) -> None:
    """The chapter's rules for every seed: its seed rule for each (cheap), the whole
    declaration with the smallest and the largest."""
    rule = next(f for f in fields(declared(chapter)) if f.name == "seed").metadata["rule"]
    for seed in seeds:
        try:
            rule("seed", seed)
        except ParameterError as e:
            raise ParameterError(f"{e} (chapter '{chapter}')") from None
    for seed in {min(seeds), max(seeds)}:
        check_run(chapter, {**parameters, "seed": seed})
