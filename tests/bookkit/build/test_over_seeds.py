"""bookkit.build.over_seeds: a chapter page shows, beside each claim, in how many seeds
of the full-scale sweep of its current code it held, with its margins' spread and
figure; no other sweep is shown there."""
import math

from bookkit.build import over_seeds, summary
from bookkit.sweep import robustness as rb


def record(seed, claims, scale="full", overrides=None, code="c1"):
    return dict(chapter="ch", scale=scale, seed=seed, overrides=overrides or {},
                source="s", status="done", duration=1.0, code=code, error=None,
                claims=[dict(id=i, statement=f"{i} holds", evidence=f"m {m}", kind=k,
                             template="m {m}", numbers={"m": m}, expected_failure=None,
                             verdict="reproduced" if m >= 0 else "NOT reproduced",
                             reproduced=m >= 0, margin=m) for i, k, m in claims])


def swept():
    runs = [record(s, [("p", "paper", m), ("c", "check", math.inf)])
            for s, m in enumerate((0.4, 1.2, -0.1))]
    return rb.summarise(runs + [record(0, [("p", "paper", 9.0)], scale="smoke"),
                                record(0, [("p", "paper", 9.0)], overrides={"a": 1})])


def test_only_the_full_scale_sweep_of_the_current_code_is_shown():
    entry = over_seeds.evidence_sweep(swept(), "ch", "c1")
    assert entry["seeds"] == [0, 1, 2]
    p, c = entry["claims"]
    assert over_seeds.held(p) == "2 of 3; margin -0.1 to 1.2 (median 0.4)"
    assert over_seeds.held(c) == "3 of 3; margin inf"
    assert over_seeds.evidence_sweep(swept(), "ch", "c2") is None       # code changed
    assert over_seeds.evidence_sweep(swept(), "other", "c1") is None
    assert over_seeds.evidence_sweep(None, "ch", "c1") is None
    assert over_seeds.recorded(entry)
    assert over_seeds.held({"reproduced": 3, "runs": 3, "margin": None}) == "3 of 3"


def test_the_box_gains_a_column_and_the_figure(tmp_path):
    entry = over_seeds.evidence_sweep(swept(), "ch", "c1")
    figure = over_seeds.draw("ch", entry, tmp_path)
    assert (tmp_path / "margins" / "ch.png").stat().st_size > 1000
    assert "{figure} margins/ch.png" in figure and "3 seeds (0-2, full scale)" in figure
    claims = [dict(id="p", statement="p holds", kind="paper", reproduced=True,
                   verdict="reproduced", ref=""),
              dict(id="c", statement="c holds", kind="check", reproduced=True,
                   verdict="reproduced", ref="")]
    box = summary.claims_box("ch", claims, set(), seeds=entry, figure=figure)
    lines = box.splitlines()
    assert lines[0].startswith("::::{admonition}") and lines[-1] == "::::"
    assert "| claim | kind | held in seeds |" in box
    assert "2 of 3; margin -0.1 to 1.2 (median 0.4) |" in box
    assert "seeds 0-2 of the full-scale sweep" in box
    plain = summary.claims_box("ch", claims, set())
    assert "held in seeds" not in plain and plain.splitlines()[-1] == ":::"
    assert "{doc}`robustness`" in plain


def test_the_figure_has_a_row_per_claim_and_labelled_axes():
    entry = over_seeds.evidence_sweep(swept(), "ch", "c1")
    fig = over_seeds.figure("ch", entry["claims"])
    ax, = fig.axes
    assert [t.get_text() for t in ax.get_yticklabels()] == ["p", "c (check)"]
    assert "margin" in ax.get_xlabel() and ax.get_ylabel() == "claim"
