import json
import math

import numpy as np
import pytest
import torch

from bookkit.claims import ClaimNotReproduced, Claims, bound
from bookkit.evidence import plain


def test_plain_numbers():
    assert plain(np.float64(0.5)) == 0.5 and type(plain(np.float64(0.5))) is float
    assert type(plain(np.int64(3))) is int
    assert type(plain(torch.tensor(2.0))) is float
    assert plain(np.bool_(True)) is True
    assert plain({"a": np.float32(1.0)}) == {"a": 1.0}


def test_verdicts():
    c = Claims(strict=True)
    c.check("a", "holds", True, "x", kind="paper")
    c.check("b", "known gap", False, "y", kind="paper", expected_failure="reason")
    c.check("c", "surprise", True, "z", kind="paper", expected_failure="reason")
    assert c.as_dict() == {"a": True, "b": False, "c": True}
    assert list(c.table()["verdict"]) == [
        "reproduced", "not reproduced (expected)", "reproduced (was expected to fail)"]


def test_duplicate_id_rejected():
    c = Claims()
    c.check("a", "s", True, "e", kind="paper")
    with pytest.raises(ValueError, match="twice"):
        c.check("a", "s", True, "e", kind="paper")


def test_finish_raises_only_under_strict(monkeypatch):
    glued = {}
    monkeypatch.setattr("bookkit.claims.glue", lambda k, v, display=False: glued.__setitem__(k, v))
    lax = Claims(strict=False)
    lax.check("a", "fails", False, "e", kind="paper")
    lax.finish()
    assert glued["claims"] == {"a": False}
    strict = Claims(strict=True)
    strict.check("a", "fails", False, "e", kind="paper")
    with pytest.raises(ClaimNotReproduced, match="'a'"):
        strict.finish()


def test_expected_failure_does_not_raise(monkeypatch):
    monkeypatch.setattr("bookkit.claims.glue", lambda *a, **k: None)
    c = Claims(strict=True)
    c.check("a", "known gap", False, "e", kind="paper", expected_failure="why")
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
            kind="paper", ref="li2021 Thm 2",
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


def test_every_claim_says_what_kind_of_evidence_it_is(monkeypatch):
    glued = {}
    monkeypatch.setattr("bookkit.claims.glue", lambda k, v, display=False: glued.__setitem__(k, v))
    c = Claims(strict=False)
    with pytest.raises(TypeError, match="kind"):
        c.check("a", "s", True, "e")                             # no kind: refused
    with pytest.raises(ValueError, match="kind must be one of"):
        c.check("a", "s", True, "e", kind="evidence")
    c.check("a", "a theorem's content", True, "e", kind="paper")
    c.check("b", "an identity", True, "e", kind="check")
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
