"""What the book says about its claims, made at staging from the chapters' ``claims_data``
(bookkit.claims: every claim's id, statement, kind, ref and verdict, as data):

- ``claims_box``: the box a chapter opens with, the claims its page checks (the
  papers' first, then the checks), each with its verdict, its kind and what it
  reproduces (``ref``: "wang2024inverse Fig. 1(b)" shown as a citation and the
  figure; a chapter whose claims name no ref shows no such column);
- ``claims_summary``: the intro's tables of every chapter's claims, each linking to its
  chapter's box; ``claims_counts``: the two kinds counted apart.
"""
from __future__ import annotations

from bookkit.build import citations, over_seeds
from bookkit.sweep.report import escape, seed_ranges

MARKS = {True: ("✓", "pass"), False: ("✗", "fail")}


def verdict(c: dict) -> str:
    """✓/✗ (coloured by book.css), and the verdict in words unless it is plainly
    "reproduced"."""
    mark, cls = MARKS[bool(c["reproduced"])]
    words = "" if c["verdict"] == "reproduced" else f" {escape(c['verdict'])}"
    return f'<span class="verdict-{cls}">{mark}</span>{words}'


def box_label(chapter: str) -> str:
    return f"claims-{chapter}"


def reference(ref: str, keys=None) -> str:
    """A claim's ``ref`` in MyST: a leading bibliography key becomes a citation
    ("wang2024inverse Fig. 1(b)" -> {cite:t}`wang2024inverse`, Fig. 1(b)); several refs
    are separated by ";"."""
    keys = citations.entries() if keys is None else keys
    out = []
    for part in (p.strip() for p in ref.split(";") if p.strip()):
        key, _, rest = part.partition(" ")
        out.append(f"{{cite:t}}`{key}`" + (f", {escape(rest)}" if rest else "")
                   if key in keys else escape(part))
    return "; ".join(out)


def claims_box(chapter: str, claims: list[dict], keys=None, seeds: dict | None = None,
               figure: str = "") -> str:
    """The box a chapter opens with (module doc), in MyST. ``seeds``: the chapter's
    entry in the evidence sweep (bookkit.build.over_seeds.evidence_sweep), which adds
    a column "held in seeds" and ``figure``, the MyST of its margins figure."""
    ordered = sorted(claims, key=lambda c: c["kind"] != "paper")
    refs = any(c.get("ref") for c in ordered)
    tally = {t["id"]: t for t in seeds["claims"]} if seeds else None
    head = "| | claim | kind |" + (" reproduces |" if refs else "") + \
        (" held in seeds |" if tally is not None else "")
    rows = [f"| {verdict(c)} | {escape(c['statement'])} (`{c['id']}`) | {c['kind']} |"
            + (f" {reference(c.get('ref', ''), keys)} |" if refs else "")
            + (f" {escape(over_seeds.held(tally[c['id']])) if c['id'] in tally else ''} |"
               if tally is not None else "") for c in ordered]
    n_paper = sum(c["kind"] == "paper" for c in claims)
    over = (f" Beside each, in how many of the seeds {seed_ranges(seeds['seeds'])} of the "
            "full-scale sweep it held and its margin over them (how far it held, > 0, "
            "bookkit.margins), drawn below; every sweep is on {doc}`robustness`."
            if seeds else " How they fare over seeds: {doc}`robustness`.")
    fence = "::::" if figure else ":::"
    return "\n".join([
        f"{fence}{{admonition}} What this page checks",
        ":class: claims",
        f":name: {box_label(chapter)}",
        f"{n_paper} claims of the papers and {len(claims) - n_paper} checks "
        "(identities, proved inequalities), with their verdicts in this build; the "
        "measured numbers are in the table at the end of the page." + over,
        "",
        head, "|---|---|---|" + ("---|" if refs else "") + ("---|" if tally else ""),
        *rows, *(["", figure] if figure else []),
        fence])


def claims_summary(records: list[tuple[str, dict]]) -> str:
    """Every chapter's claims, kind and verdict: under each chapter's link, a Markdown
    table whose claims link to the chapter's box."""
    out = []
    for name in dict.fromkeys(n for n, _ in records):
        out += ["", f"{{doc}}`{name}`", "",
                "| verdict | claim | kind | statement |", "|---|---|---|---|"]
        out += [f"| {verdict(c)} | {{ref}}`{c['id']} <{box_label(name)}>` | {c['kind']} "
                f"| {escape(c['statement'])} |" for n, c in records if n == name]
    return "\n".join(out).strip()


def claims_counts(records: list[tuple[str, dict]]) -> str:
    """"N claims of the papers (k reproduced) and M checks (j hold)": counted apart,
    since a check (an identity, a proved inequality) is not evidence."""
    def count(kind):
        of = [c for _, c in records if c["kind"] == kind]
        return len(of), sum(c["reproduced"] for c in of)
    (n, k), (m, j) = count("paper"), count("check")
    return (f"{n} claims of the papers ({k} reproduced) and {m} checks of identities "
            f"and proved inequalities ({j} hold)")


__all__ = ["box_label", "claims_box", "claims_counts", "claims_summary", "reference"]
