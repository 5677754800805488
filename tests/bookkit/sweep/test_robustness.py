import json
from pathlib import Path

from bookkit.sweep import robustness as rb

ROOT = Path(__file__).resolve().parents[3]


def claim(template, **numbers):
    """A claim's record as bookkit.claims glues it."""
    from bookkit.claims import Claim
    return Claim("x", "x holds", True, template, "paper", 1.0, numbers=numbers).record()


def test_evidence_range_fills_the_template_with_each_numbers_range():
    from bookkit.evidence import items
    runs = [claim("rate {r:.3f} per unit, R^2 = {r2:.3f}; control {c} steps", r=r, r2=q,
                  c=items([0, 0], "{v:.0f}")) for r, q in ((0.823, 0.999), (0.9, 0.998),
                                                           (0.7, 0.999))]
    assert rb.evidence_range(runs) == \
        "rate [0.700, 0.900] per unit, R^2 = [0.998, 0.999]; control 0, 0 steps"
    same = [claim("{n} of 26 cells agree; differ: {d}", n=n, d=d)
            for n, d in ((22, "[a, b]"), (25, "[c]"), (23, "[c]"))]
    assert rb.evidence_range(same) == "[22, 25] of 26 cells agree; differ: [c] (2 of 3 runs)"
    shapes = [claim("{v}", v=items([1, 2])), claim("{v}", v=items([1]))]
    assert rb.evidence_range(shapes) == "1, 2 (1 of 2 runs; 1 other text)"
    assert rb.evidence_range([]) == ""


def test_summarise_counts_claims_runs_and_failures(summary):
    assert summary["stale"] == 1
    base, grid = summary["sweeps"]      # one sweep per parameter set, never mixed
    assert base["overrides"] == {} and grid["overrides"] == {"steps": 5}
    toy = base["chapters"]["toy"]
    assert base["seeds"] == [0, 1, 2] and toy["done"] == 2
    assert toy["failed"] == [{"seed": 2, "error": "RuntimeError: boom"}]
    assert toy["run_time"] == {"median": 12.0, "min": 10.0, "max": 14.0, "total": 24.0}
    a, b = toy["claims"]
    assert (a["id"], a["reproduced"], a["runs"]) == ("a", 2, 2)
    assert a["evidence_range"] == "value [0.5, 0.7]"
    assert (b["reproduced"], b["runs"]) == (1, 2)
    assert b["by_seed"]["0"] == {"reproduced": False, "evidence": "value 1", "margin": -1}
    assert a["margin"] == {"min": 0.5, "median": 0.5, "max": 0.7}
    assert b["margin"] == {"min": -1, "median": -1, "max": 2}
    assert grid["chapters"]["toy"]["claims"][0]["reproduced"] == 0
    json.dumps(summary)     # it is written as JSON


def test_margins_keep_infinities_and_old_runs_have_none():
    runs = [dict(margin="inf"), dict(margin=0.2), dict(margin="-inf")]
    assert rb.margin_spread(runs) == {"min": "-inf", "median": 0.2, "max": "inf"}
    assert rb.margin_spread([dict(margin=None), {}]) is None
