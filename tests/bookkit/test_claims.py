import json
import math

import numpy as np
import pytest
import torch

from bookkit.claims import ClaimNotReproduced, Claims, bound, digits
from bookkit.evidence import plain


def test_plain_numbers():
    assert plain(np.float64(0.5)) == 0.5 and type(plain(np.float64(0.5))) is float
    assert type(plain(np.int64(3))) is int
    assert type(plain(torch.tensor(2.0))) is float
    assert plain(np.bool_(True)) is True
    assert plain({"a": np.float32(1.0)}) == {"a": 1.0}


def test_verdicts():
    c = Claims(strict=True)
    c.check("a", "holds", True, "x", margin=1.0, kind="paper")
    c.check("b", "known gap", False, "y", margin=-1.0, kind="paper", expected_failure="reason")
    c.check("c", "surprise", True, "z", margin=1.0, kind="paper", expected_failure="reason")
    assert c.as_dict() == {"a": True, "b": False, "c": True}
    assert list(c.table()["verdict"]) == [
        "reproduced", "not reproduced (expected)", "reproduced (was expected to fail)"]


def test_duplicate_id_rejected():
    c = Claims()
    c.check("a", "s", True, "e", margin=1.0, kind="paper")
    with pytest.raises(ValueError, match="twice"):
        c.check("a", "s", True, "e", margin=1.0, kind="paper")


def test_finish_raises_only_under_strict(monkeypatch):
    glued = {}
    monkeypatch.setattr("bookkit.claims.glue", lambda k, v, display=False: glued.__setitem__(k, v))
    lax = Claims(strict=False)
    lax.check("a", "fails", False, "e", margin=-1.0, kind="paper")
    lax.finish()
    assert glued["claims"] == {"a": False}
    strict = Claims(strict=True)
    strict.check("a", "fails", False, "e", margin=-1.0, kind="paper")
    with pytest.raises(ClaimNotReproduced, match="'a'"):
        strict.finish()


def test_expected_failure_does_not_raise(monkeypatch):
    monkeypatch.setattr("bookkit.claims.glue", lambda *a, **k: None)
    c = Claims(strict=True)
    c.check("a", "known gap", False, "e", margin=-1.0, kind="paper", expected_failure="why")
    c.finish()


def test_no_claims_is_an_error():
    with pytest.raises(ValueError, match="at least one claim"):
        Claims().finish()


def test_numbers_are_data_and_the_text_is_made_from_them(monkeypatch, capsys):
    from bookkit.evidence import items
    glued = {}
    monkeypatch.setattr("bookkit.claims.glue", lambda k, v, display=False: glued.__setitem__(k, v))
    c = Claims(strict=False)
    c.check("rates", "a power law", True, "fitted rates {rates}; min R^2 {r2:.3f}",
            kind="paper", margin=0.5, ref="li2021 Thm 2",
            rates=items([0.512, np.float64(1.25)], "{v:.2f}"), r2=torch.tensor(0.9512))
    assert capsys.readouterr().out == "[reproduced] rates: fitted rates 0.51, 1.25; min R^2 0.951\n"
    c.finish()
    record, = json.loads(repr(glued["claims_data"]))["claims"]
    assert record["evidence"] == "fitted rates 0.51, 1.25; min R^2 0.951"
    assert record["numbers"]["rates"]["items"] == [0.512, 1.25]
    assert record["numbers"]["r2"] == pytest.approx(0.9512)
    assert record["template"] == "fitted rates {rates}; min R^2 {r2:.3f}"
    assert glued["claims"] == {"rates": True}                    # the readers' contract
    assert glued["claim_kinds"] == {"rates": "paper"}
    assert (record["kind"], record["ref"]) == ("paper", "li2021 Thm 2")
    assert record["margin"] == 0.5


def test_a_margin_must_agree_with_the_verdict(monkeypatch):
    """The margin decides the claim: one whose sign disagrees with the verdict is a
    bug in the chapter, refused where it is recorded."""
    import math
    monkeypatch.setattr("bookkit.claims.glue", lambda *a, **k: None)
    c = Claims(strict=False)
    with pytest.raises(ValueError, match="'a': its margin -0.3 says it failed"):
        c.check("a", "s", True, "e", margin=-0.3, kind="paper")
    with pytest.raises(ValueError, match="'b': its margin 0 says it held"):
        c.check("b", "s", False, "e", margin=0.0, kind="paper")
    with pytest.raises(ValueError, match="'c': its margin nan"):
        c.check("c", "s", True, "e", margin=math.nan, kind="paper")
    with pytest.raises(TypeError, match="margin"):
        c.check("d", "s", True, "e", kind="paper")               # none: refused
    with pytest.raises(ValueError, match="'d': 'margin' is required"):
        c.check("d", "s", True, "e", kind="paper", margin=None)
    c.check("e", "s", False, "e", margin=-math.inf, kind="paper")
    c.check("f", "s", True, "e", margin=0.25, kind="paper")
    assert [x.margin for x in c.items] == [-math.inf, 0.25]
    assert list(c.table()["margin"]) == ["-inf", "0.25"]


def test_every_claim_says_what_kind_of_evidence_it_is(monkeypatch):
    glued = {}
    monkeypatch.setattr("bookkit.claims.glue", lambda k, v, display=False: glued.__setitem__(k, v))
    c = Claims(strict=False)
    with pytest.raises(TypeError, match="kind"):
        c.check("a", "s", True, "e")                             # no kind: refused
    with pytest.raises(ValueError, match="kind must be one of"):
        c.check("a", "s", True, "e", margin=1.0, kind="evidence")
    c.check("a", "a theorem's content", True, "e", margin=1.0, kind="paper")
    c.check("b", "an identity", True, "e", margin=1.0, kind="check")
    c.finish()
    assert glued["claim_kinds"] == {"a": "paper", "b": "check"}
    assert list(c.table()["kind"]) == ["paper", "check"]


def test_read_claims_from_an_executed_chapter():
    """The nbval reference notebooks are executed chapters: their glue reads back whole,
    as data (no text is parsed)."""
    import ast
    from pathlib import Path

    from bookkit.claims import glued, read_claims
    for path in sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text())
        claims = read_claims(nb)
        passed = ast.literal_eval(glued(nb, "claims")["text/plain"])
        assert [c["id"] for c in claims] == list(passed), path.name
        assert all(c["evidence"] and c["statement"] and c["template"] for c in claims)
        assert all(c["reproduced"] == passed[c["id"]] for c in claims)
        kinds = ast.literal_eval(glued(nb, "claim_kinds")["text/plain"])
        assert kinds == {c["id"]: c["kind"] for c in claims}, path.name
    assert read_claims({"cells": []}) == []


def test_bound_shows_round_off_as_its_floor():
    # two CPUs' round-off of the same quantity give one bound
    assert bound(4.0e-16, 1e-12) == bound(4.8e-16, 1e-12) == 1e-12
    assert bound(0.0, 1e-12) == 1e-12
    # above the floor, a result: shown as it is (a chapter prints two digits)
    assert bound(1.9e-3, 1e-10) == 1.9e-3
    # a failure is not hidden behind a bound
    assert math.isnan(bound(float("nan"), 1e-12))
    assert bound(float("inf"), 1e-12) == float("inf")


def test_digits_keeps_what_two_cpus_agree_on():
    # a fitted rate measured on two vector units (memory_functions, seed 0, smoke):
    # different from the fifth digit, one value to three
    assert digits(1.0568042632799621, 3) == digits(1.0567953367767806, 3) == 1.06
    assert digits(2.6098984885e-06, 3) == 2.61e-06
    assert digits(-0.0348559343, 2) == -0.035
    assert math.isnan(digits(float("nan"), 3))          # a failure still shows
    assert digits(float("-inf"), 3) == float("-inf")


def run_in_a_fresh_kernel(source: str, env: dict) -> list[dict]:
    """The outputs of one cell run in a new kernel with ``env`` (nbclient, as Jupyter)."""
    import os

    import nbformat
    from nbclient import NotebookClient
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return nb.cells[0].outputs


FIGURE_CELL = """\
from bookkit import plotting
from bookkit.claims import glue
plotting.use_style()
fig, (ax,) = plotting.subplots()
ax.plot([0, 1], [0, 1])
plotting.label(ax, "x (s)", "y")
glue("fig_a", plotting.finish(fig))
glue("n", 3)"""


@pytest.mark.parametrize("build", ["1", "0"])
def test_a_glued_figure_is_shown_in_its_cell_outside_the_books_build(build):
    """Under the book's build (COM_BOOK_BUILD=1) a figure is glued only (the page places
    it); in any other kernel (Colab, a reader's rerun) it is also shown, sharp: a PNG at
    twice its dpi, laid out at its drawn size."""
    outputs = run_in_a_fresh_kernel(FIGURE_CELL, {"COM_BOOK_BUILD": build})
    glued = [o for o in outputs if "scrapbook" in o.get("metadata", {})]
    shown = [o for o in outputs if "image/png" in o.get("data", {})]
    assert [o["metadata"]["scrapbook"]["name"] for o in glued] == ["fig_a", "n"]
    assert len(shown) == (build == "0")
    record = glued[0]
    width = record["metadata"]["image/png"]["width"]
    assert 700 <= width <= 800, "laid out at 7 in x 110 dpi"
    png = __import__("base64").b64decode(record["data"]["application/papermill.record/image/png"])
    assert int.from_bytes(png[16:20], "big") >= 2 * width - 2, "stored at twice that"
