import json
from pathlib import Path

import pytest

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


def record(chapter, seed, claims, status="done", duration=10.0, overrides=None, code="c1",
           scale="full"):
    return dict(chapter=chapter, scale=scale, seed=seed, overrides=overrides or {},
                source="s", status=status, duration=duration if status == "done" else None,
                code=code, error="RuntimeError: boom" if status == "failed" else None,
                claims=[dict(id=i, statement=f"{i} holds", evidence=f"value {v}",
                             template="value {v}", numbers={"v": v}, expected_failure=None,
                             verdict="reproduced" if ok else "NOT reproduced", reproduced=ok,
                             kind="paper", margin=v if ok else -v)
                        for i, ok, v in claims])


@pytest.fixture
def summary():
    records = [record("toy", 0, [("a", True, 0.5), ("b", False, 1)], duration=10.0),
               record("toy", 1, [("a", True, 0.7), ("b", True, 2)], duration=14.0),
               record("toy", 2, [], status="failed"),
               record("toy", 0, [("a", False, 9)], overrides={"steps": 5}),
               {"stale": "old.ipynb"}]
    return rb.summarise(records, last=dict(wall_time=30.0, executed=3, skipped=1, failed=[],
                                           run_time=50.0, workers=2, end="2026-01-02T00:00:00"))


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


def test_page_shows_counts_times_and_changes(summary):
    text = rb.page(summary, current={"toy": "c2"})
    assert "## Scale full, 3 seeds" in text and "with overrides" in text
    assert ("| {doc}`toy` | `a`: a holds | ✓ 2 of 2 | 0.5 to 0.7 (median 0.5) | "
            "value \\[0.5, 0.7\\] |") in text
    assert "~ 1 of 2" in text and "✗ 0 of 1" in text and "`steps=5`" in text
    assert "at seed 2 failed: RuntimeError: boom" in text
    assert "source or `com` changed after this sweep" in text
    assert "1 kept runs were computed from earlier sources" in text
    assert "in 30 s of wall time" in text and "add up to 50 s" in text
    assert "changed after" not in rb.page(summary, current={"toy": "c1"})


def test_a_smoke_sweep_is_an_execution_check_never_evidence():
    records = [record("toy", s, [("a", s == 0, 0.5)], scale="smoke") for s in (0, 1)]
    text = rb.page(rb.summarise(records))
    assert "## Scale smoke, 2 seeds: an execution check, not evidence" in text
    assert "of 2" not in text and "`a`" not in text         # no claim is counted
    assert "| {doc}`toy` | 2 | 0 |" in text                  # that it ran is shown
    both = rb.page(rb.summarise(records + [record("toy", 0, [("a", True, 0.5)])]))
    assert both.index("## Scale full") < both.index("## Scale smoke")
    assert "✓ 1 of 1" in both
    assert "execution check" in rb.overview(rb.summarise(records))
    assert " of " not in rb.overview(rb.summarise(records))


def test_page_without_a_sweep_says_how_to_make_one():
    assert "No sweep has been run" in rb.page(None) and "make sweep" in rb.page(None)
    assert "could not be read (x)" in rb.page(None, error="x")
    assert "No sweep" in rb.page(rb.summarise([]))


def test_overview_and_seed_ranges(summary):
    assert rb.seed_ranges([5, 0, 1, 2, 3, 7]) == "0-3, 5, 7"
    assert "  2 of 2   a" in rb.overview(summary)


def test_stage_reads_the_summary_or_says_why_not(tmp_path, summary):
    from bookkit.build import stage
    assert "No sweep has been run" in stage.robustness_summary(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{not json")
    assert "could not be read" in stage.robustness_summary(tmp_path / "bad.json")
    (tmp_path / "s.json").write_text(json.dumps(summary))
    assert "`a`: a holds | ✓ 2 of 2" in stage.robustness_summary(tmp_path / "s.json")


def test_margins_keep_infinities_and_old_runs_have_none():
    import math
    runs = [dict(margin="inf"), dict(margin=0.2), dict(margin="-inf")]
    assert rb.margin_spread(runs) == {"min": "-inf", "median": 0.2, "max": "inf"}
    assert rb.margin_spread([dict(margin=None), {}]) is None
    assert rb.margin_text(None) == "not recorded"
    assert rb.margin_text({"min": "-inf", "median": 0.2, "max": 3}) == \
        "-inf to 3 (median 0.2)"
    assert rb.margin_text({"min": 1.234, "median": 1.234, "max": 1.234}) == "1.2"
    assert math.isinf(rb.decode("inf"))
