"""The toy sweep the summary's and the page's tests read (bookkit.sweep.robustness,
bookkit.sweep.report)."""
import pytest

from bookkit.sweep import robustness


def toy_record(chapter, seed, claims, status="done", duration=10.0, overrides=None,
               code="c1", scale="full"):
    """One run's record as bookkit.sweep.results.collect gives it; claims: (id, held,
    value) with margin value where it held, -value where not."""
    return dict(chapter=chapter, scale=scale, seed=seed, overrides=overrides or {},
                source="s", status=status, duration=duration if status == "done" else None,
                code=code, error="RuntimeError: boom" if status == "failed" else None,
                claims=[dict(id=i, statement=f"{i} holds", evidence=f"value {v}",
                             template="value {v}", numbers={"v": v}, expected_failure=None,
                             verdict="reproduced" if ok else "NOT reproduced", reproduced=ok,
                             kind="paper", margin=v if ok else -v)
                        for i, ok, v in claims])


@pytest.fixture
def record():
    return toy_record


@pytest.fixture
def summary():
    records = [toy_record("toy", 0, [("a", True, 0.5), ("b", False, 1)], duration=10.0),
               toy_record("toy", 1, [("a", True, 0.7), ("b", True, 2)], duration=14.0),
               toy_record("toy", 2, [], status="failed"),
               toy_record("toy", 0, [("a", False, 9)], overrides={"steps": 5}),
               {"stale": "old.ipynb"}]
    return robustness.summarise(records, last=dict(
        wall_time=30.0, executed=3, skipped=1, failed=[], run_time=50.0, workers=2,
        end="2026-01-02T00:00:00"))
