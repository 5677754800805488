"""What a chapter reports: its claims with verdicts, and glued numbers.

Every chapter records the papers' claims through one :class:`Claims` object.
``finish()`` shows the table of claims and verdicts, glues the mapping
``claim id -> reproduced`` as ``claims`` for the book, and, under ``strict``,
raises if any claim that was expected to hold did not. :func:`read_claims`
reads them back from an executed notebook (the book's claims summary, the sweep).
"""
from __future__ import annotations

import ast
import math
import numbers
from dataclasses import dataclass
from html.parser import HTMLParser

import numpy as np


class ClaimNotReproduced(AssertionError):
    """A claim that the chapter expects to hold did not reproduce."""


def plain(value):
    """Turn numpy/torch scalars into plain Python numbers.

    myst-nb formats glued numbers from their text form; ``np.float64(0.5)``
    would not parse as a number, ``0.5`` does.
    """
    if hasattr(value, "item") and getattr(value, "ndim", 0) == 0:
        value = value.item()
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


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


def glue(name: str, value, display: bool = False) -> None:
    """Glue a value (numbers made plain) or a figure for the prose to use.

    Returns nothing, so a glue on a cell's last line shows nothing twice."""
    from myst_nb import glue as _glue
    _glue(name, plain(value), display=display)


@dataclass
class Claim:
    id: str
    statement: str
    passed: bool
    evidence: str
    expected_failure: str | None = None

    @property
    def verdict(self) -> str:
        if self.expected_failure is None:
            return "reproduced" if self.passed else "NOT reproduced"
        return ("reproduced (was expected to fail)" if self.passed
                else "not reproduced (expected)")

    @property
    def unexpected_failure(self) -> bool:
        return not self.passed and self.expected_failure is None


class Claims:
    """The claims of one chapter, checked in order and tabulated at the end."""

    def __init__(self, strict: bool = True):
        self.strict = strict
        self.items: list[Claim] = []

    def check(self, id: str, statement: str, passed, evidence: str,
              expected_failure: str | None = None) -> bool:
        """Record one claim. ``evidence`` is the measured numbers, in words.

        ``expected_failure`` is the reason a claim honestly does not reproduce;
        such a claim is shown as expected and never raises.
        """
        if any(c.id == id for c in self.items):
            raise ValueError(f"claim id {id!r} recorded twice")
        claim = Claim(id, statement, bool(passed), evidence, expected_failure)
        self.items.append(claim)
        print(f"[{claim.verdict}] {id}: {evidence}")
        return claim.passed

    def table(self):
        import pandas as pd
        return pd.DataFrame(
            [(c.id, c.statement, c.evidence, c.verdict) for c in self.items],
            columns=["claim", "statement", "measured", "verdict"],
        ).set_index("claim")

    def as_dict(self) -> dict[str, bool]:
        return {c.id: c.passed for c in self.items}

    def finish(self) -> None:
        """Show the table, glue ``claims``, and raise under strict on failure.
        Returns nothing, so the table is shown once even as a cell's last line."""
        import pandas as pd
        from IPython.display import display
        if not self.items:
            raise ValueError("a chapter must check at least one claim")
        table = self.table()
        with pd.option_context("display.max_colwidth", None):   # statements in full
            display(table)
            glue("claims", self.as_dict())
            glue("claims_table", table)
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
                return {k[len(prefix):]: "".join(v) if isinstance(v, list) else v
                        for k, v in out["data"].items()}
    return {}


class _Rows(HTMLParser):
    """Body rows of a pandas HTML table: [[index, cell, cell, ...], ...]."""

    def __init__(self):
        super().__init__()
        self.rows, self.cell, self.in_body = [], None, False

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.in_body:
            self.rows.append([])
        elif tag in ("td", "th") and self.in_body:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(self.cell.strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def _unshortened(text: str) -> str:
    # pandas shortens long cells to 50 characters ending in "..." (finish() asks it not to)
    return text.removesuffix("...") + ("…" if text.endswith("...") else "")


def read_claims(nb: dict) -> list[dict]:
    """The claims an executed chapter glued, in order, as dicts with keys
    ``id, statement, evidence, verdict, reproduced`` (``reproduced``: the bool of
    the ``claims`` glue; the rest from the ``claims_table`` glue written by
    :meth:`Claims.finish`). A chapter that did not reach ``finish()`` has none.
    """
    passed = ast.literal_eval(glued(nb, "claims").get("text/plain", "{}"))
    parser = _Rows()
    parser.feed(glued(nb, "claims_table").get("text/html", ""))
    rows = [dict(id=r[0], statement=_unshortened(r[1]), evidence=_unshortened(r[2]),
                 verdict=r[-1], reproduced=passed.get(r[0]))
            for r in parser.rows]
    if [r["id"] for r in rows] != list(passed):
        raise ValueError("glued claims and claims_table disagree")
    return rows
