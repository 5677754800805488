"""A sweep's summary (bookkit.sweep.robustness) in words: the book's "Robustness across
seeds" page (:func:`page`), its parts shared with the chapter pages (seed ranges,
margins, durations, table cells) and the terminal's overview (:func:`overview`).
"""
from __future__ import annotations

import json

from ..evidence import decode
from .robustness import EVIDENCE_SCALE, shorten


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
