"""A chapter's run as make executes it (bookkit.build.execute): one run of a target at
a time, under names of its own, and a finished notebook never lost (review M1)."""
import json
import time

SLOW = '''# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
seed = 0

# %%
import os, pathlib, time
from bookkit import provenance
provenance.record()                 # what bookkit.chapter.setup records for the page
pathlib.Path(os.environ["MARKS"], str(time.time_ns())).touch()
time.sleep(float(os.environ.get("NAP", "0")))
if os.environ.get("FAIL"):
    raise RuntimeError("this run fails on purpose")
print("seed", seed)
'''
TARGET = "_build/executed/smoke/ch.ipynb"


def started(project, marks, n, timeout=120):
    deadline = time.monotonic() + timeout
    while len(list(marks.iterdir())) < n:
        assert time.monotonic() < deadline, "the chapter did not start"
        time.sleep(0.1)


def test_two_makes_of_one_target_run_it_once_and_keep_it(project, tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    project.chapter("ch", SLOW)
    env = {"MARKS": str(marks), "NAP": "6"}
    first = project.make(TARGET, env=env, background=True)
    started(project, marks, 1)
    second = project.make(TARGET, env=env, timeout=180)
    out, err = first.communicate(timeout=180)
    assert first.returncode == 0, err
    assert second.returncode == 0, second.stderr
    assert f"{TARGET} is locked by process" in second.stderr
    assert "made meanwhile by another run" in second.stdout
    assert len(list(marks.iterdir())) == 1                  # executed once
    nb = json.loads((project.root / TARGET).read_text())
    assert nb["metadata"]["com"]["provenance"]["scale"] == "smoke"
    left = sorted(p.name for p in (project.root / "_build/executed/smoke").iterdir())
    assert left == [".ch.ipynb.lock", "ch.ipynb"]           # no temporary, no facts file


def test_a_failing_run_never_deletes_a_finished_notebook(project, tmp_path):
    """A run that fails (or is interrupted) while another one's notebook is in place
    leaves that notebook: executed notebooks are only ever renamed into place."""
    marks = tmp_path / "marks"
    marks.mkdir()
    project.chapter("ch", SLOW)
    assert project.make(TARGET, env={"MARKS": str(marks)}).returncode == 0
    done = (project.root / TARGET).read_text()
    project.chapter("ch", SLOW + "\n# edited\n")           # out of date: make reruns it
    run = project.make(TARGET, env={"MARKS": str(marks), "FAIL": "1"})
    assert run.returncode != 0 and "this run fails on purpose" in run.stderr
    assert (project.root / TARGET).read_text() == done
    failed = project.root / "_build/executed/smoke/ch.failed.ipynb"
    assert "this run fails on purpose" in failed.read_text()   # kept to read, beside it
    assert f"{failed.relative_to(project.root)}" in run.stderr
