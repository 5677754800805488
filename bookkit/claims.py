"""What a chapter reports: its claims with verdicts and measured numbers, and glue.

Every chapter records the papers' claims through one :class:`Claims` object. A claim
carries its numbers as data: ``check(id, statement, passed, evidence, margin=...,
**numbers)``, the evidence a template formatted from the numbers (bookkit.evidence)
and the margin how far it held (bookkit.margins: > 0 holds, < 0 fails). ``finish()``
shows the table of claims and verdicts, glues the mapping ``claim id -> reproduced``
as ``claims`` (readers' scripts rely on it) and every claim's record, numbers
included, as JSON (``claims_data``), and, under ``strict``, raises if any claim that
was expected to hold did not. :func:`read_claims` reads the records back from an
executed notebook (the book's claims summary, the sweep).
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field

from . import evidence


class ClaimNotReproduced(AssertionError):
    """A claim that the chapter expects to hold did not reproduce."""


def bound(x: float, floor: float) -> float:
    """``x``, or ``floor`` where ``x`` is below it: how a quantity that may be round-off
    is shown and glued (``<= 1e-12``), never with round-off's digits.

    Such digits differ between CPUs (each vector unit sums in its own order); the
    floor, set well above the quantity's round-off, does not; a value above it is a
    result and keeps the two digits a chapter prints. A value that is not finite is
    returned as it is, so a failure still shows.
    """
    x = float(x)
    return x if not math.isfinite(x) or x > floor else float(floor)


def digits(x: float, n: int) -> float:
    """``x`` to ``n`` significant digits: how a measured value is glued when its further
    digits differ between CPUs, as a fit's do when it reaches memory values near
    round-off (log M there moves by 1e-4 from one vector unit to another, the fitted
    rate in its fifth digit). Keep at least the digits a chapter prints. A value that
    is not finite is returned as it is, so a failure still shows."""
    x = float(x)
    return float(f"{x:.{n}g}") if math.isfinite(x) else x


# The book's build (the Makefile, the sweep) runs chapters with COM_BOOK_BUILD=1: a
# glued figure is then shown once, where the prose places it ({glue:figure}). In any
# other kernel (Colab, Binder, Jupyter, a reader's rerun) no page places it, so glue
# also shows it in its cell.
BUILD = "COM_BOOK_BUILD"


def glue(name: str, value, display: bool = False) -> None:
    """Glue a value (numbers made plain) or a figure for the prose to use; outside the
    book's build (``COM_BOOK_BUILD`` unset) a glued figure is also shown in its cell.

    Returns nothing, so a glue on a cell's last line shows nothing twice."""
    from myst_nb import glue as _glue
    _glue(name, value if isinstance(value, Records) else evidence.plain(value),
          display=display)
    if not display and os.environ.get(BUILD) != "1" and _is_figure(value):
        from IPython.display import display as show
        show(value)


def _is_figure(value) -> bool:
    from matplotlib.figure import Figure
    return isinstance(value, Figure)


KINDS = ("paper", "check")


@dataclass
class Claim:
    """One claim: its statement, whether it reproduced, and what was measured: the
    ``evidence`` template and its ``numbers`` (``text`` is the evidence in words).

    ``margin`` is how far the claim held (bookkit.margins): >= 0 exactly where it
    passed, so a sweep can say how close each seed came to failing.

    ``kind`` says what a pass is worth: ``"paper"``, a statement of the papers (or of
    the book's own science) that an experiment could contradict; ``"check"``, an
    identity or a proved inequality, worth keeping but not evidence. ``ref`` names
    what the claim reproduces ("wang2024inverse Fig. 1(b)"), "" for the book's own.
    """

    id: str
    statement: str
    passed: bool
    evidence: str
    kind: str
    margin: float | None = None
    ref: str = ""
    numbers: dict = field(default_factory=dict)
    expected_failure: str | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"claim {self.id!r}: kind must be one of {KINDS}; "
                             f"got {self.kind!r}")
        if self.margin is None:          # not recorded (yet) for this claim
            return
        margin = float(self.margin)
        if math.isnan(margin) or (margin >= 0) != self.passed:
            raise ValueError(
                f"claim {self.id!r}: its margin {margin:.3g} says it "
                f"{'held' if margin >= 0 else 'failed'}, its verdict says it "
                f"{'held' if self.passed else 'failed'} (bookkit.margins: the margin "
                "is >= 0 exactly where the claim holds)")
        self.margin = margin

    @property
    def text(self) -> str:
        return evidence.render(self.evidence, self.numbers)

    @property
    def verdict(self) -> str:
        if self.expected_failure is None:
            return "reproduced" if self.passed else "NOT reproduced"
        return ("reproduced (was expected to fail)" if self.passed
                else "not reproduced (expected)")

    @property
    def unexpected_failure(self) -> bool:
        return not self.passed and self.expected_failure is None

    def record(self) -> dict:
        """The claim as JSON-able data (what ``claims_data`` glues, one per claim)."""
        return {"id": self.id, "statement": self.statement, "kind": self.kind,
                "ref": self.ref, "reproduced": self.passed,
                "verdict": self.verdict, "expected_failure": self.expected_failure,
                "evidence": self.text, "template": self.evidence,
                "numbers": evidence.encode(self.numbers),
                **({} if self.margin is None else {"margin": evidence.encode(self.margin)})}


class Records(list):
    """The claims' records, glued as JSON text, {"claims": [record, ...]} (a glued
    mime bundle holds text: nbformat allows no JSON object under a glue's prefix)."""

    def __repr__(self) -> str:
        return json.dumps({"claims": list(self)})


class Claims:
    """The claims of one chapter, checked in order and tabulated at the end."""

    def __init__(self, strict: bool = True):
        self.strict = strict
        self.items: list[Claim] = []

    def check(self, id: str, statement: str, passed, evidence: str, *, kind: str,
              margin: float, ref: str = "",
              expected_failure: str | None = None,
              **numbers) -> None:
        """Record one claim. ``evidence`` is a template of what was measured,
        formatted with ``numbers`` (bookkit.evidence: numbers, ``items``, ``span``);
        ``kind`` is "paper" or "check", ``margin`` how far it held (bookkit.margins;
        required: its sign must agree with ``passed``) and ``ref`` what it reproduces
        (:class:`Claim`).

        ``expected_failure`` is the reason a claim honestly does not reproduce;
        such a claim is shown as expected and never raises. Returns nothing, so a
        cell ending with a check shows only the check's line."""
        if any(c.id == id for c in self.items):
            raise ValueError(f"claim id {id!r} recorded twice")
        if margin is None:
            raise ValueError(f"claim {id!r}: 'margin' is required: how far it held, "
                             "from bookkit.margins (above, below, exceeds, ...)")
        claim = Claim(id, statement, bool(passed), evidence, kind, margin, ref, numbers,
                      expected_failure)
        self.items.append(claim)
        print(f"[{claim.verdict}] {id}: {claim.text}")

    def table(self):
        import pandas as pd
        table = pd.DataFrame(
            [(c.id, c.kind, c.statement, c.text, c.verdict) for c in self.items],
            columns=["claim", "kind", "statement", "measured", "verdict"])
        if any(c.margin is not None for c in self.items):    # shown once recorded
            table.insert(4, "margin", ["" if c.margin is None else f"{c.margin:.2g}"
                                       for c in self.items])
        return table.set_index("claim")

    def as_dict(self) -> dict[str, bool]:
        return {c.id: c.passed for c in self.items}

    def kinds(self) -> dict[str, str]:
        return {c.id: c.kind for c in self.items}

    def finish(self) -> None:
        """Show the table, glue ``claims``, ``claim_kinds``, ``claims_table`` and
        ``claims_data``, and raise under strict on failure. Returns nothing (the
        table shows once)."""
        import pandas as pd
        from IPython.display import display
        if not self.items:
            raise ValueError("a chapter must check at least one claim")
        table = self.table()
        with pd.option_context("display.max_colwidth", None):   # statements in full
            display(table)
            glue("claims", self.as_dict())
            glue("claim_kinds", self.kinds())
            glue("claims_table", table)
        glue("claims_data", Records(c.record() for c in self.items))
        failed = [c.id for c in self.items if c.unexpected_failure]
        if failed and self.strict:
            raise ClaimNotReproduced(
                f"claims not reproduced: {failed} (run with strict=False to see the rest)")


# -- reading a chapter's report back from its executed notebook -------------------

def glued(nb: dict, key: str) -> dict:
    """The mime bundle glued under ``key`` in an executed notebook (prefix stripped), or {}.

    Text stored as a list of lines (nbformat's on-disk form) is joined."""
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            sb = out.get("metadata", {}).get("scrapbook", {})
            if sb.get("name") == key:
                prefix = sb.get("mime_prefix", "")
                return {k[len(prefix):]: "".join(v) if isinstance(v, list) and k.endswith(
                    ("plain", "html", "markdown")) else v for k, v in out["data"].items()}
    return {}


def read_claims(nb: dict) -> list[dict]:
    """The claims an executed chapter glued, in order: their records (``Claim.record``:
    id, statement, reproduced, verdict, expected_failure, evidence, template, numbers).
    A chapter that did not reach ``finish()`` has none. A record's ``margin`` (how far
    the claim held, bookkit.margins) is a number; "inf" and "-inf" are decoded, and a
    record from before margins were kept has None."""
    bundle = glued(nb, "claims_data")
    if not bundle:
        return []
    records = list(json.loads(bundle["text/plain"])["claims"])
    for r in records:
        r["margin"] = evidence.decode(r.get("margin"))
    return records


__all__ = ["KINDS", "Claim", "Claims", "ClaimNotReproduced", "bound", "digits", "glue",
           "glued", "read_claims"]
