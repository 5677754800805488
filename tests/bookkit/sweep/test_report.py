import json

from bookkit.sweep import report
from bookkit.sweep import robustness as rb


def test_page_shows_counts_times_and_changes(summary):
    text = report.page(summary, current={"toy": "c2"})
    assert "## Scale full, 3 seeds" in text and "with overrides" in text
    assert ("| {doc}`toy` | `a`: a holds | ✓ 2 of 2 | 0.5 to 0.7 (median 0.5) | "
            "value \\[0.5, 0.7\\] |") in text
    assert "~ 1 of 2" in text and "✗ 0 of 1" in text and "`steps=5`" in text
    assert "at seed 2 failed: RuntimeError: boom" in text
    assert "source or `com` changed after this sweep" in text
    assert "1 kept runs were computed from earlier sources" in text
    assert "in 30 s of wall time" in text and "add up to 50 s" in text
    assert "changed after" not in report.page(summary, current={"toy": "c1"})


def test_a_smoke_sweep_is_an_execution_check_never_evidence(record):
    records = [record("toy", s, [("a", s == 0, 0.5)], scale="smoke") for s in (0, 1)]
    text = report.page(rb.summarise(records))
    assert "## Scale smoke, 2 seeds: an execution check, not evidence" in text
    assert "of 2" not in text and "`a`" not in text         # no claim is counted
    assert "| {doc}`toy` | 2 | 0 |" in text                  # that it ran is shown
    both = report.page(rb.summarise(records + [record("toy", 0, [("a", True, 0.5)])]))
    assert both.index("## Scale full") < both.index("## Scale smoke")
    assert "✓ 1 of 1" in both
    assert "execution check" in report.overview(rb.summarise(records))
    assert " of " not in report.overview(rb.summarise(records))


def test_page_without_a_sweep_says_how_to_make_one():
    assert "No sweep has been run" in report.page(None) and "make sweep" in report.page(None)
    assert "could not be read (x)" in report.page(None, error="x")
    assert "No sweep" in report.page(rb.summarise([]))


def test_overview_and_seed_ranges(summary):
    assert report.seed_ranges([5, 0, 1, 2, 3, 7]) == "0-3, 5, 7"
    assert "  2 of 2   a" in report.overview(summary)


def test_stage_reads_the_summary_or_says_why_not(tmp_path, summary):
    from bookkit.build import stage
    assert "No sweep has been run" in stage.robustness_summary(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{not json")
    assert "could not be read" in stage.robustness_summary(tmp_path / "bad.json")
    (tmp_path / "s.json").write_text(json.dumps(summary))
    assert "`a`: a holds | ✓ 2 of 2" in stage.robustness_summary(tmp_path / "s.json")


def test_margin_text_says_the_spread_and_keeps_infinities():
    assert report.margin_text(None) == "not recorded"
    assert report.margin_text({"min": "-inf", "median": 0.2, "max": 3}) == \
        "-inf to 3 (median 0.2)"
    assert report.margin_text({"min": 1.234, "median": 1.234, "max": 1.234}) == "1.2"
