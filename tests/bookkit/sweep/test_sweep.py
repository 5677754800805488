"""The sweep: validation before any task, then real runs on a Dask LocalCluster
(a toy chapter for failures, damage and a killed worker; gradient_plateaus at smoke
scale for the summary of a real chapter)."""
import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from bookkit import chapters as book
from bookkit.sweep import cli, cluster, report, results, robustness, runs
from bookkit.sweep import run as sweep

ROOT = Path(__file__).resolve().parents[3]

TOY = '''# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Toy

# %% tags=["parameters"]
seed = 0
strict = True
nap = 0.0          # seconds the run takes
fail_seed = -1     # this seed raises
marker = ""        # folder where each started run leaves a file

# %%
import pathlib, time
if marker:
    pathlib.Path(marker, f"{seed}-{time.time_ns()}").touch()
time.sleep(nap)
if seed == fail_seed:
    raise RuntimeError(f"seed {seed} fails on purpose")

# %%
# a quick chapter: bookkit.claims without torch
import os
from bookkit.claims import Claims
from bookkit.margins import exceeds
claims = Claims(strict=strict)
claims.check("even", "the seed is even", seed % 2 == 0,
             "seed {seed}; value {value:.2f}; threads {threads}; trim {trim}", kind="paper",
             margin=exceeds(0.5 - seed % 2, 0, 1), seed=seed,
             value=seed / 10, threads=os.environ["OMP_NUM_THREADS"],
             trim=os.environ.get("MALLOC_TRIM_THRESHOLD_", "unset"))
claims.finish()
'''


@pytest.fixture(autouse=True)
def toy_declaration(monkeypatch):
    """The toy chapter's declared parameters, as bookkit.chapters.toy would hold them."""
    import dataclasses
    import sys
    import types

    from bookkit import params, rules

    @dataclasses.dataclass(frozen=True)
    class Params(params.Params):
        nap: float = params.param(0.0, "seconds the run takes", rules.real(lo=0.0, hi=60.0))
        fail_seed: int = params.param(-1, "this seed raises", rules.integer(lo=-1, hi=99))
        marker: str = params.param("", "folder where each started run leaves a file",
                                   rules.Rule("a folder", lambda v: isinstance(v, str)))
    module = types.ModuleType("bookkit.chapters.toy")
    module.Params = Params
    monkeypatch.setitem(sys.modules, "bookkit.chapters.toy", module)


@pytest.fixture
def toy(tmp_path):
    book = tmp_path / "book"
    (book / "params/smoke").mkdir(parents=True)
    (book / "toy.py").write_text(TOY)
    (book / "params/smoke/toy.yaml").write_text("nap: 0.0\n")
    return book


@pytest.fixture(scope="module")
def client():
    with cluster.connect(workers=2) as c:
        yield c


# -- validation, before any task ----------------------------------------------------

def test_main_validates_before_starting_anything(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(cli, "connect", lambda *a, **k: pytest.fail("a cluster was started"))
    assert cli.main(["--scale", "smoke", "-c", "gradient_plateaus", "-p", "widths=[8]",
                       "--out", str(tmp_path)]) == 2
    assert "parameter 'widths' is not a parameter of chapter" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


# -- runs on a LocalCluster ---------------------------------------------------------

def test_an_existing_scheduler_is_used_when_given(client, monkeypatch):
    address = client.scheduler.address
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", address)
    with cluster.connect() as other:
        assert other.scheduler.address == address
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS")
    with cluster.connect(scheduler=address) as other:
        assert other.scheduler.address == address


def test_failures_are_recorded_and_retried_damage_is_recomputed(toy, tmp_path, client):
    out = tmp_path / "out"
    planned = runs.plan(["toy"], "0-2", "smoke", ["fail_seed=1"], book=toy, out=out)
    first = sweep.sweep(planned, client, cwd=toy, progress=False)
    assert (first["executed"], first["skipped"]) == (2, 0) and len(first["failed"]) == 1
    failure = json.loads(planned[1].failure.read_text())
    assert failure["error"] == "RuntimeError: seed 1 fails on purpose" and failure["seed"] == 1
    assert planned[1].path.with_suffix(".failed.ipynb").exists() and not planned[1].path.exists()

    summary = results.write_summary(out, toy, last=first)
    toy_sum = summary["sweeps"][0]["chapters"]["toy"]
    assert toy_sum["done"] == 2 and toy_sum["failed"][0]["seed"] == 1
    assert toy_sum["claims"][0] | {"by_seed": None} == dict(
        id="even", statement="the seed is even", reproduced=2, runs=2, expected_failure=False,
        evidence_range="seed [0, 2]; value [0.00, 0.20]; threads 1; trim unset",
        by_seed=None,
        kind="paper", margin={"min": 0.5, "median": 0.5, "max": 0.5})
    assert json.loads((out / "summary.json").read_text()) == summary

    # a rerun keeps what finished, retries the failure; a damaged file is recomputed
    planned[0].path.write_text(planned[0].path.read_text()[:1000])
    again = sweep.sweep(planned, client, cwd=toy, progress=False)
    assert (again["executed"], again["skipped"], len(again["failed"])) == (1, 1, 1)
    assert results.kept(planned[0].path, planned[0].source) is not None

    # a changed chapter makes every kept run stale: rerun, and never summarised
    (toy / "toy.py").write_text(TOY + "\n# changed\n")
    changed = runs.plan(["toy"], "0-2", "smoke", ["fail_seed=1"], book=toy, out=out)
    assert [results.kept(r.path, r.source) for r in changed] == [None] * 3
    assert robustness.summarise(results.collect(out, toy))["stale"] == 3


def test_a_killed_worker_loses_no_run(toy, tmp_path, client):
    markers = tmp_path / "markers"
    markers.mkdir()
    planned = runs.plan(["toy"], "0-3", "smoke", ["nap=8.0", f"marker={markers}"],
                      book=toy, out=tmp_path / "out")
    done = {}
    thread = threading.Thread(target=lambda: done.update(
        sweep.sweep(planned, client, cwd=toy, progress=False)))
    thread.start()
    deadline = time.monotonic() + 120
    while len(list(markers.iterdir())) < 2:          # both workers are inside a run
        assert time.monotonic() < deadline, "the runs did not start"
        time.sleep(0.2)
    busy = [w for w, keys in client.processing().items() if keys]
    pid = client.run(os.getpid, workers=busy[:1])[busy[0]]
    os.kill(pid, signal.SIGKILL)
    thread.join(timeout=300)
    assert not thread.is_alive()
    assert done["executed"] == 4 and not done["failed"]
    assert all(results.kept(r.path, r.source) for r in planned)
    assert len(list(markers.iterdir())) >= 5          # the killed run was started again


def test_two_sweeps_at_once_run_each_run_once(toy, tmp_path, client):
    """Two sweeps into one --out (review S11): each run is executed by one of them,
    under its lock; the other waits for it and counts it as done elsewhere."""
    markers, out = tmp_path / "markers", tmp_path / "out"
    markers.mkdir()
    done = [{}, {}]

    def one(i):
        planned = runs.plan(["toy"], "0-3", "smoke", ["nap=2.0", f"marker={markers}"],
                            book=toy, out=out)
        done[i].update(sweep.sweep(planned, client, cwd=toy, progress=False))
    threads = [threading.Thread(target=one, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads)
    assert len(list(markers.iterdir())) == 4                 # every run executed once
    assert sorted(d["executed"] for d in done) != [4, 4]
    assert sum(d["executed"] for d in done) == 4 and not done[0]["failed"]
    assert all(d["executed"] + d["skipped"] == 4 for d in done)
    assert len(list((out / "smoke/toy").glob("seed-*.ipynb"))) == 4


def test_two_seed_smoke_sweep_of_a_chapter(tmp_path, client):
    """What `make sweep` does, for gradient_plateaus at seeds 0-1 at smoke scale."""
    out = tmp_path / "sweep"
    client.wait_for_workers(2, timeout=120)     # one may be restarting after the test above
    planned = runs.plan(["gradient_plateaus"], "0-1", "smoke", out=out)
    last = sweep.sweep(planned, client, progress=False)
    assert (last["executed"], last["failed"], last["workers"]) == (2, [], 2)
    summary = results.write_summary(out, last=last)
    (s,) = summary["sweeps"]
    ch = s["chapters"]["gradient_plateaus"]
    assert (s["scale"], s["seeds"], ch["done"], ch["failed"]) == ("smoke", [0, 1], 2, [])
    assert 0 < ch["run_time"]["min"] <= ch["run_time"]["max"] < last["run_time"]
    ids = [c["id"] for c in ch["claims"]]
    glued = json.loads(planned[0].path.read_text())
    from bookkit.claims import read_claims
    assert ids == [c["id"] for c in read_claims(glued)] and "plateau-exponential" in ids
    for c in ch["claims"]:
        assert c["runs"] == 2 and 0 <= c["reproduced"] <= 2 and c["evidence_range"]
        assert set(c["by_seed"]) == {"0", "1"}
    page = report.page(summary)      # a smoke sweep: that it ran, never its verdicts
    assert "an execution check, not evidence" in page and "`plateau-exponential`" not in page
    assert "source or `com` changed" not in report.page(
        summary, {"gradient_plateaus": book.code_hash("gradient_plateaus")})


def test_execute_pins_its_run_and_leaves_the_caller_as_it_was(toy, monkeypatch):
    """A run sees one thread and glibc's own trim threshold (not the one Dask's nanny sets
    for its workers: a kernel with it spent 40% of its time in page faults); a process
    calling execute itself keeps its environment."""
    import jupytext
    import nbformat

    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")
    before = dict(os.environ)
    nb = nbformat.writes(jupytext.reads(TOY, fmt="py:percent"))
    out = sweep.execute(nb, {"seed": 2, "nap": 0.0}, str(toy))
    assert out["error"] is None and "threads 1; trim unset" in out["notebook"]
    assert dict(os.environ) == before
