"""What a chapter's page says of its claims over seeds, read from the sweep summary.

The book's evidence for a chapter is the full-scale sweep of its own parameter set
(``make sweep``: seeds 0-19, bookkit.sweep.robustness), when that sweep ran the
chapter's current code. From it each chapter page shows, in the box of its claims:

- ``held``: beside each claim, in how many seeds it held and the spread of its margin
  (bookkit.margins: how far it held, > 0, or failed, < 0);
- ``figure``: every claim's margin at every seed, one row per claim, drawn at staging
  into ``book/margins/<chapter>.png`` and placed in the box.

A sweep of earlier code, of another scale, or with parameter overrides is not shown
on the chapter (the robustness page lists every sweep).
"""
from __future__ import annotations

import math
from pathlib import Path

from bookkit.evidence import decode
from bookkit.sweep.report import margin_text, seed_ranges
from bookkit.sweep.robustness import EVIDENCE_SCALE

FOLDER = "margins"        # beside the chapter pages in the staged book


def evidence_sweep(summary: dict | None, chapter: str, code: str) -> dict | None:
    """The chapter's entry in the full-scale sweep of the book's own parameters, with
    its ``seeds`` — if that sweep ran ``code`` (the chapter's current code hash)."""
    for sweep in (summary or {}).get("sweeps", []):
        if sweep["scale"] != EVIDENCE_SCALE or sweep["overrides"]:
            continue
        ch = sweep["chapters"].get(chapter)
        if ch and ch.get("code") == code and ch["claims"]:
            return {**ch, "seeds": ch["seeds"]}
    return None


def held(tally: dict) -> str:
    """"20 of 20; margin 0.31 to 1.7 (median 0.9)" (no margin where none was recorded)."""
    count = f"{tally['reproduced']} of {tally['runs']}"
    return count + (f"; margin {margin_text(tally['margin'])}" if tally.get("margin")
                    else "")


def recorded(entry: dict) -> bool:
    """Whether any claim of the chapter's sweep recorded a margin (else no figure)."""
    return any(t.get("margin") for t in entry["claims"])


def margins(tally: dict) -> list[tuple[int, float]]:
    """(seed, margin) of one claim, for the seeds that recorded one."""
    return [(int(s), decode(v["margin"])) for s, v in tally["by_seed"].items()
            if v.get("margin") is not None]


def figure(chapter: str, tallies: list[dict]):
    """Every claim's margin at every seed (a row per claim; infinite margins drawn at
    the axis' end as open triangles)."""
    from bookkit import plotting
    plotting.use_style()
    ordered = sorted(tallies, key=lambda t: t.get("kind") != "paper")
    fig, (ax,) = plotting.subplots(height=0.8 + 0.28 * len(ordered))
    finite = [m for t in ordered for _, m in margins(t) if math.isfinite(m)] or [0.0]
    lo, hi = min(min(finite), -0.1) * 1.3, max(max(finite), 0.1) * 1.3
    ok, bad = plotting.colors(4)[0], plotting.colors(4)[3]
    for row, t in enumerate(ordered):
        for _, m in margins(t):
            edge = math.isinf(m)
            x = (hi if m > 0 else lo) if edge else m
            ax.plot(x, row, ">" if edge and m > 0 else "<" if edge else "o",
                    color=ok if m >= 0 else bad, ms=5, alpha=0.7,
                    mfc="none" if edge else None)
    ax.axvline(0, color="0.3", lw=1)
    ax.set_xscale("symlog", linthresh=0.1)
    ax.set_xlim(lo, hi)
    ax.set_yticks(range(len(ordered)),
                  [f"{t['id']}{' (check)' if t.get('kind') == 'check' else ''}"
                   for t in ordered])
    ax.invert_yaxis()
    plotting.label(ax, "margin (decades from the claim's limit, or its unit; "
                   "< 0: failed)", "claim")
    return plotting.finish(fig)


def draw(chapter: str, entry: dict, book: Path) -> str:
    """Draw the chapter's margins figure into ``book/margins/``; its MyST, captioned."""
    path = book / FOLDER / f"{chapter}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    figure(chapter, entry["claims"]).savefig(path, dpi=160)
    n = len(entry["seeds"])
    return "\n".join([
        f":::{{figure}} {FOLDER}/{chapter}.png", f":name: margins-{chapter}",
        ":width: 100%",
        f"The margin of each claim at each of the {n} seeds "
        f"({seed_ranges(entry['seeds'])}, {EVIDENCE_SCALE} scale): how far it held "
        "(right of the line) or failed (left), in decades between the measured value "
        "and the claim's limit or in the unit the claim names; open triangles: a "
        "margin without end (a condition with no number behind it, or a measured "
        "zero), met (right) or not (left).", ":::"])


__all__ = ["FOLDER", "draw", "evidence_sweep", "figure", "held", "margins", "recorded"]
