"""A sweep's kept runs: read, current or stale, and summarised.

A finished run's notebook is kept under ``<out>/<scale>/<chapter>/`` (bookkit.sweep.run)
and is ``current`` while the chapter, ``com``, the parameters and the versions it was
computed from are (``Run.source``); ``collect`` gathers the current ones for
bookkit.sweep.robustness, and ``write_summary`` writes ``<out>/summary.json``. Runs
kept before an upgrade of python, torch, numpy or scipy are stale, never summarised,
and rerun by the next sweep.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from ..chapters import BOOK, SCALES, code_hash, parameter_file, parameter_set, versions
from ..files import write_whole
from .runs import OUT, Run


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

def kept_runs(runs: list[Run]) -> list[bool]:
    """Which of ``runs`` have a kept result (each folder listed once: cheap for many)."""
    present: dict[tuple, set] = {}
    found = []
    for r in runs:
        where = (r.shared["out"], r.scale, r.chapter)
        if where not in present:
            folder = Path(*where)
            present[where] = set(os.listdir(folder)) if folder.is_dir() else set()
        found.append(r.name in present[where] and kept(r.path, r.source) is not None)
    return found


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
    """Was this run computed from the current chapter, com, parameter set and versions?"""
    chapter, scale = meta.get("chapter"), meta.get("scale")
    if scale not in SCALES or not (book / f"{chapter}.py").exists():
        return False
    params = parameter_file(chapter, scale, book)
    if params is not None and not params.exists():
        return False
    codes.setdefault(chapter, code_hash(chapter, book))
    codes.setdefault("versions", versions())
    run = Run(chapter, scale, meta["seed"], meta["overrides"],
              dict(base=parameter_set(chapter, scale, book), code=codes[chapter],
                   versions=codes["versions"], out=OUT, book=book))
    return meta.get("source") == run.source


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

