"""Robustness across seeds: what a sweep's runs say about each claim.

:func:`summarise` turns the run records of a sweep (``bookkit.sweep.results.collect``: one per
kept executed notebook, with its glued claims and papermill run time) into the
summary written to ``_build/sweep/summary.json``: per sweep (scale and parameter
overrides), per chapter, per claim, in how many runs it reproduced (k of n) and
the range of the numbers measured for it; per chapter, the run times and the failed
runs. :func:`page` renders it as the book's "Robustness across seeds" page.

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


# -- words ----------------------------------------------------------------------------

def seed_ranges(seeds: list[int]) -> str:
    """[0, 1, 2, 3, 5] -> '0-3, 5'."""
    spans, seeds = [], sorted(seeds)
    for s in seeds:
        if spans and s == spans[-1][1] + 1:
            spans[-1][1] = s
        else:
            spans.append([s, s])
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in spans)


def duration(seconds: float) -> str:
    s = round(seconds)
    return f"{s} s" if s < 60 else f"{s // 60} min {s % 60:02d} s"


def escape(text: str) -> str:
    """Plain text into a Markdown table cell."""
    for ch in "\\`*_[]<>|$":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", " ")


def _overrides(sweep: dict) -> str:
    if not sweep["overrides"]:
        return ""
    return " and " + ", ".join(f"`{k}={json.dumps(v)}`" for k, v in sweep["overrides"].items())


def margin_text(spread: dict | None) -> str:
    """"0.31 to 1.7 (median 0.9)": a claim's margin over runs (bookkit.margins)."""
    if not spread:
        return "not recorded"
    lo, mid, hi = (decode(spread[k]) for k in ("min", "median", "max"))
    return f"{lo:.2g}" if lo == hi else f"{lo:.2g} to {hi:.2g} (median {mid:.2g})"


def claims_table(sweep: dict) -> list[str]:
    rows = ["| chapter | claim | reproduced | margin | measured, over the runs |",
            "|---|---|---|---|---|"]
    for chapter, ch in sweep["chapters"].items():
        for i, c in enumerate(ch["claims"]):
            mark = "✓" if c["reproduced"] == c["runs"] else "✗" if not c["reproduced"] else "~"
            note = " (expected to fail)" if c["expected_failure"] else ""
            rows.append(f"| {f'{{doc}}`{chapter}`' if i == 0 else ''} | "
                        f"`{c['id']}`{note}: {escape(c['statement'])} | "
                        f"{mark} {c['reproduced']} of {c['runs']} | "
                        f"{margin_text(c.get('margin'))} | "
                        f"{escape(c['evidence_range'])} |")
    return rows


def times_table(sweep: dict, current: dict | None) -> list[str]:
    rows = ["| chapter | runs | failed | run time per run: median (range) | total |",
            "|---|---|---|---|---|"]
    notes = []
    for chapter, ch in sweep["chapters"].items():
        t = ch["run_time"]
        span = f"{duration(t['median'])} ({duration(t['min'])} to {duration(t['max'])})" if t \
            else "none finished"
        rows.append(f"| {{doc}}`{chapter}` | {ch['done'] + len(ch['failed'])} | "
                    f"{len(ch['failed'])} | {span} | {duration(t['total']) if t else ''} |")
        for f in ch["failed"]:
            error = escape(shorten(f["error"], 300))
            notes.append(f"- `{chapter}` at seed {f['seed']} failed: {error}")
        if current is not None and current.get(chapter) not in (None, ch["code"]):
            notes.append(f"- `{chapter}`: its source or `com` changed after this sweep; "
                         "these runs describe the earlier code (rerun `make sweep`).")
    return rows + ([""] + notes if notes else [])


def last_sweep(summary: dict) -> str:
    last = summary.get("last_sweep")
    if not last:
        return ""
    failed = len(last["failed"])
    return (f"The last sweep (finished {last['end'][:10]}) executed {last['executed']} runs "
            f"on {last['workers']} Dask workers in {duration(last['wall_time'])} of wall time. "
            f"Their papermill run times add up to {duration(last['run_time'])}: the same runs "
            "one after another, overestimated by however much the runs slowed each other "
            f"down while sharing the machine. {last['skipped']} runs were kept from earlier "
            "sweeps" + (f", {failed} failed." if failed else "."))


def page(summary: dict | None, current: dict | None = None, error: str | None = None) -> str:
    """The Markdown of the book's page (after its title and introduction).

    ``current`` maps chapter -> its current code hash (bookkit.chapters.code_hash), to flag
    runs of code that has changed since; ``error`` says why a summary could not be read.
    """
    howto = ("Run `make sweep` (every chapter at full scale, seeds 0-19) and then "
             "`make book`: this page then shows, for every claim, in how many runs it "
             "reproduced and the range of the numbers measured for it. (A smoke sweep, "
             "`make sweep SCALE=smoke SEEDS=0-3`, checks that the chapters run; it is "
             "no evidence for their claims.)")
    if error:
        return f"The sweep summary could not be read ({escape(error)}). {howto}"
    if not summary or not summary["sweeps"]:
        return "No sweep has been run on the machine that built this book. " + howto
    out = []
    for sweep in summary["sweeps"]:
        if sweep["scale"] != EVIDENCE_SCALE:
            out += execution_check(sweep, current)
            continue
        n = len(sweep["seeds"])
        out += [f"## Scale {sweep['scale']}, {n} seed{'s' if n > 1 else ''}"
                + (" with overrides" if sweep["overrides"] else ""), "",
                f"Seeds {seed_ranges(sweep['seeds'])}, parameter sets "
                f"`book/params/{sweep['scale']}/<chapter>.yaml` with `strict=False`"
                f"{_overrides(sweep)}. A claim reproduced in every run is marked ✓, "
                "in none ✗, in some ~. Its margin is how far it held (> 0) or failed "
                "(< 0) in each run: decades between the measured value and the claim's "
                "limit, or the unit the claim names for a signed quantity or a count.",
                "",
                *claims_table(sweep), "", "Run times:", "",
                *times_table(sweep, current), ""]
    if summary.get("stale"):
        out += [f"{summary['stale']} kept runs were computed from earlier sources or "
                "parameter sets and are not counted.", ""]
    out.append(last_sweep(summary))
    return "\n".join(out).rstrip() + "\n"


def execution_check(sweep: dict, current: dict | None) -> list[str]:
    """A sweep below the documented scale: that its runs finished, never its verdicts."""
    n = len(sweep["seeds"])
    return [f"## Scale {sweep['scale']}, {n} seed{'s' if n > 1 else ''}: an execution "
            "check, not evidence", "",
            f"Seeds {seed_ranges(sweep['seeds'])}{_overrides(sweep)}. At this scale the "
            "chapters run with sizes chosen to finish quickly, not to test their claims "
            f"(which are stated for the {EVIDENCE_SCALE} scale), so no verdict of these "
            "runs is counted here; they show only that every chapter executes.", "",
            *times_table(sweep, current), ""]


def overview(summary: dict) -> str:
    """A few lines for the terminal: per claim, k of n."""
    lines = []
    for sweep in summary["sweeps"]:
        evidence = sweep["scale"] == EVIDENCE_SCALE
        lines.append(f"scale {sweep['scale']}, seeds {seed_ranges(sweep['seeds'])}"
                     + (f", {sweep['overrides']}" if sweep["overrides"] else "")
                     + ("" if evidence else ": an execution check, not evidence"))
        for chapter, ch in sweep["chapters"].items():
            lines.append(f"  {chapter} ({ch['done']} runs, {len(ch['failed'])} failed)")
            lines += [f"    {c['reproduced']:>3} of {c['runs']:<3} {c['id']}"
                      + (" (expected to fail)" if c["expected_failure"] else "")
                      for c in ch["claims"] if evidence]
    return "\n".join(lines)
