"""A sweep's runs: chapters x seeds (x parameter grids), planned, kept and collected.

A *run* is one papermill execution of one chapter at one seed and one grid point
(bookkit.sweep.run executes it on Dask). ``plan`` validates everything before any run starts;
a finished run's notebook is kept under ``<out>/<scale>/<chapter>/`` and is
``current`` while the chapter, ``com`` and the parameters it was computed from are
(``Run.source``, a hash of them all); ``collect`` gathers the current ones for
bookkit.sweep.robustness, and ``write_summary`` writes ``<out>/summary.json``.
"""
from __future__ import annotations

import ast
import hashlib
import itertools
import json
import re
from dataclasses import dataclass, field
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
    parameter_file,
    parameter_set,
)
from ..files import write_whole
from ..params import ParameterError

OUT = ROOT / "_build" / "sweep"


@dataclass
class Run:
    """One chapter at one seed and one grid point."""

    chapter: str
    scale: str
    seed: int
    overrides: dict          # the -p values of this grid point ({} for none)
    parameters: dict         # everything papermill injects
    source: str              # hash of all the run depends on (code and parameters)
    path: Path               # the executed notebook, kept when the run succeeded
    notebook: str = field(default="", repr=False)   # the chapter notebook to execute

    @property
    def failure(self) -> Path:
        return self.path.with_suffix(".failed.json")

    @property
    def label(self) -> str:
        grid = " ".join(f"{k}={json.dumps(v)}" for k, v in self.overrides.items())
        return f"{self.chapter} seed {self.seed}" + (f" ({grid})" if grid else "")

    def meta(self) -> dict:
        return dict(chapter=self.chapter, scale=self.scale, seed=self.seed,
                    overrides=self.overrides, source=self.source)


def parse_seeds(text: str) -> list[int]:
    """Seeds from ``'0-7'`` (inclusive), ``'3'`` or ``'0,2,5-6'``."""
    allowed = ("integers >= 0 or inclusive ranges low-high (low <= high), separated by "
               "commas, each seed once, e.g. '0-7' or '0,3,5-6'")
    seeds: list[int] = []
    for part in str(text).split(","):
        m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", part)
        if not m or (m[2] is not None and int(m[2]) < int(m[1])):
            raise ParameterError(f"parameter 'seeds' must be {allowed}; got {text!r}")
        seeds += range(int(m[1]), int(m[2] or m[1]) + 1)
    if len(set(seeds)) != len(seeds):
        raise ParameterError(f"parameter 'seeds' must be {allowed}; got {text!r} (a repeat)")
    return seeds


def _value(text: str):
    """A -p value: a Python literal (``[8, 16]``, ``1e-3``, ``True``), else YAML."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return yaml.safe_load(text)


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
            value = _value(text)
        except yaml.YAMLError as e:
            raise ParameterError(f"parameter '{name}' must be a Python or YAML value; "
                                 f"got {text!r} ({e.__class__.__name__})") from None
        if value not in axes.setdefault(name, []):
            axes[name].append(value)
    return axes


def grid(axes: dict[str, list]) -> list[dict]:
    """Every combination of the axes' values: [{name: value, ...}, ...] ([{}] for none)."""
    names = list(axes)
    return [dict(zip(names, combo)) for combo in itertools.product(*axes.values())]


def _digest(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()[:16]


def plan(chapters: list[str] | None, seeds, scale: str, assignments: list[str] = (),
         book: Path = BOOK, out: Path = OUT) -> list[Run]:
    """Every run of the sweep, validated: raises ParameterError, naming the parameter,
    for an unknown scale or chapter, a bad seed range or a -p the chapter lacks."""
    if scale not in SCALES:
        raise ParameterError(f"parameter 'scale' must be one of {', '.join(SCALES)}; "
                             f"got {scale!r}")
    available = chapter_names(book)
    chapters = list(chapters or available)
    unknown = [c for c in chapters if c not in available]
    if unknown or not chapters:
        raise ParameterError(f"parameter 'chapters' must name chapters among "
                             f"{', '.join(available)}; got {unknown or chapters}")
    seeds = parse_seeds(seeds) if isinstance(seeds, str) else list(seeds)
    if not seeds or not all(isinstance(s, int) and s >= 0 for s in seeds):
        raise ParameterError(f"parameter 'seeds' must be integers >= 0; got {seeds!r}")
    axes = parse_assignments(list(assignments))
    import nbformat
    runs = []
    for chapter in chapters:
        nb = chapter_notebook(chapter, book)
        base = parameter_set(chapter, scale, book)
        code = code_hash(chapter, book)
        for point in grid(axes):
            for seed in seeds:
                parameters = {**base, "strict": False, **point, "seed": seed}
                check_run(chapter, parameters)
                name = f"seed-{seed}" + (f"-{_digest(point)[:8]}" if point else "")
                run = Run(chapter, scale, seed, point, parameters,
                          _digest([code, parameters]), out / scale / chapter / f"{name}.ipynb")
                nb.metadata["com_sweep"] = run.meta()
                run.notebook = nbformat.writes(nb)
                runs.append(run)
    return runs


def kept(path: Path, source: str | None = None) -> dict | None:
    """The kept executed notebook at ``path`` (a dict), if it is whole and, when
    ``source`` is given, was computed from those inputs; else None (to be rerun)."""
    try:
        nb = json.loads(path.read_text())
        meta = nb["metadata"]["com_sweep"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return nb if source is None or meta.get("source") == source else None


# -- what the kept runs say -----------------------------------------------------

def collect(out: Path = OUT, book: Path = BOOK) -> list[dict]:
    """Every kept run under ``out`` whose inputs are still the current ones, as records
    for :func:`bookkit.sweep.robustness.summarise`: the successful runs and the failed ones
    (a failure with a successful run beside it is superseded). Stale or damaged files
    are counted under ``{"stale": n}`` records, never summarised."""
    from ..claims import read_claims

    records, codes = [], {}
    for path in sorted(out.glob("*/*/seed-*.ipynb")):
        if path.name.endswith(".failed.ipynb"):
            continue
        nb = kept(path)
        meta = nb and nb["metadata"]["com_sweep"]
        if not meta or not current(meta, book, codes):
            records.append({"stale": str(path)})
            continue
        records.append({**meta, "status": "done", "claims": read_claims(nb),
                        "duration": nb["metadata"].get("papermill", {}).get("duration"),
                        "code": codes[meta["chapter"]]})
    for path in sorted(out.glob("*/*/seed-*.failed.json")):
        try:
            meta = json.loads(path.read_text())
        except (OSError, ValueError):
            meta = None
        done = Path(str(path).removesuffix(".failed.json") + ".ipynb")
        if not meta or not current(meta, book, codes):
            records.append({"stale": str(path)})
        elif kept(done, meta["source"]) is None:
            records.append({**meta, "status": "failed", "claims": [], "duration": None,
                            "code": codes[meta["chapter"]]})
    return records


def current(meta: dict, book: Path, codes: dict) -> bool:
    """Was this run computed from the current chapter, com and parameter set?"""
    chapter, scale = meta.get("chapter"), meta.get("scale")
    if scale not in SCALES or not (book / f"{chapter}.py").exists():
        return False
    params = parameter_file(chapter, scale, book)
    if params is not None and not params.exists():
        return False
    codes.setdefault(chapter, code_hash(chapter, book))
    base = parameter_set(chapter, scale, book)
    parameters = {**base, "strict": False, **meta["overrides"], "seed": meta["seed"]}
    return meta.get("source") == _digest([codes[chapter], parameters])


def previous_sweep(out: Path = OUT) -> dict | None:
    """What the sweep that last wrote ``out/summary.json`` did, if it can be read."""
    try:
        return json.loads((out / "summary.json").read_text()).get("last_sweep")
    except (OSError, ValueError, AttributeError):
        return None


def write_summary(out: Path = OUT, book: Path = BOOK, last: dict | None = None) -> dict:
    """Summarise every current kept run into ``out/summary.json``; returns the summary."""
    from .robustness import summarise
    summary = summarise(collect(out, book), last=last)
    write_whole(out / "summary.json", json.dumps(summary, indent=1))
    return summary

