"""Robustness across seeds: what a sweep's runs say about each claim.

:func:`summarise` turns the run records of a sweep (``bookkit.sweep.results.collect``: one per
kept executed notebook, with its glued claims and papermill run time) into the
summary written to ``_build/sweep/summary.json``: per sweep (scale and parameter
overrides), per chapter, per claim, in how many runs it reproduced (k of n) and
the range of the numbers measured for it; per chapter, the run times and the failed
runs. bookkit.sweep.report says it in words (the book's "Robustness across seeds" page).

A claim's evidence is data (bookkit.claims: a template and its numbers), so its range
over runs is the template filled with each number's range, ``[min, max]`` in the
number's own format (bookkit.evidence.ranges); where runs measured differently shaped
numbers, the most common text is shown with how many runs gave it.
"""
from __future__ import annotations

import json
import statistics
from collections import Counter
from datetime import datetime, timezone

from ..evidence import decode, encode, ranges, render

# the scale at which the chapters state their claims: only its sweeps are evidence
EVIDENCE_SCALE = "full"


def shorten(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def evidence_range(claims: list[dict]) -> str:
    """The evidence of one claim over runs (its records), each measured number as its
    range over the runs."""
    if not claims:
        return ""
    templates = {c["template"] for c in claims}
    merged = ranges([decode(c["numbers"]) for c in claims]) if len(templates) == 1 else None
    if merged is not None:
        return render(claims[0]["template"], merged)
    texts = [c["evidence"] for c in claims]
    (common, k), = Counter(texts).most_common(1)
    others = len(set(texts)) - 1
    return (f"{shorten(common)} ({k} of {len(texts)} runs; "
            f"{others} other text{'s' if others > 1 else ''})")


def margin_spread(claims: list[dict]) -> dict | None:
    """The least, median (the lower middle one) and largest margin of one claim over
    runs (bookkit.margins; "inf"/"-inf" kept as such), or None if no run recorded one."""
    m = sorted(decode(c["margin"]) for c in claims if c.get("margin") is not None)
    if not m:
        return None
    return encode(dict(min=m[0], median=statistics.median_low(m), max=m[-1]))


def claim_tallies(done: list[dict]) -> list[dict]:
    """Per claim over the successful runs of one chapter: reproduced k of n, its kind,
    whether it is expected to fail, its evidence range, its margin's spread, and its
    verdict and margin at each seed."""
    ids = list(dict.fromkeys(c["id"] for r in done for c in r["claims"]))
    out = []
    for cid in ids:
        rows = [(r["seed"], c) for r in done for c in r["claims"] if c["id"] == cid]
        out.append(dict(
            id=cid, statement=rows[-1][1]["statement"], kind=rows[-1][1].get("kind"),
            reproduced=sum(bool(c["reproduced"]) for _, c in rows), runs=len(rows),
            expected_failure=any(c.get("expected_failure") is not None for _, c in rows),
            evidence_range=evidence_range([c for _, c in rows]),
            margin=margin_spread([c for _, c in rows]),
            by_seed={str(s): dict(reproduced=bool(c["reproduced"]), evidence=c["evidence"],
                                  margin=encode(c.get("margin"))) for s, c in rows}))
    return out


def chapter_summary(runs: list[dict]) -> dict:
    """One chapter in one sweep: seeds, failures, run times (s), claim tallies."""
    done = [r for r in runs if r["status"] == "done"]
    times = [r["duration"] for r in done if r.get("duration") is not None]
    return dict(
        code=runs[0].get("code"), seeds=sorted(r["seed"] for r in runs), done=len(done),
        failed=[dict(seed=r["seed"], error=r["error"]) for r in runs if r["status"] == "failed"],
        run_time=dict(median=statistics.median(times), min=min(times), max=max(times),
                      total=sum(times)) if times else None,
        claims=claim_tallies(done))


def summarise(records: list[dict], last: dict | None = None) -> dict:
    """The summary of a sweep's run records (see the module docstring); ``last`` is what
    the sweep that wrote it did (bookkit.sweep.run.sweep: wall time, runs executed...)."""
    groups: dict[tuple, list[dict]] = {}
    for r in records:
        if "stale" not in r:
            key = (r["scale"], json.dumps(r["overrides"], sort_keys=True))
            groups.setdefault(key, []).append(r)
    sweeps = []
    # per scale, the book's own parameter sets first, then each grid point
    for (scale, _), runs in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] != "{}",
                                                                    kv[0][1])):
        chapters = sorted({r["chapter"] for r in runs})
        sweeps.append(dict(
            scale=scale, overrides=runs[0]["overrides"],
            seeds=sorted({r["seed"] for r in runs}),
            chapters={c: chapter_summary(sorted((r for r in runs if r["chapter"] == c),
                                                key=lambda r: r["seed"]))
                      for c in chapters}))
    return dict(generated=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                sweeps=sweeps, stale=sum("stale" in r for r in records), last_sweep=last)
