"""Files written whole under unique temporary names, and locks that say who holds them."""
import multiprocessing as mp
import os
import subprocess
import sys
import time

import pytest

from bookkit import files

# -- write_whole: two writers and a reader of one path (review R1) -------------------------


def _writer(write, path, rounds, tag, queue):
    try:
        for i in range(rounds):
            write(path, f"{tag} {i} " + "x" * 20_000 + " end")
        queue.put("ok")
    except BaseException as err:                          # noqa: BLE001 - reported to the test
        queue.put(repr(err))


def sweep_write_whole(path, text):
    """What the sweep writes its summary with (its kept runs: bookkit.files')."""
    from bookkit.sweep import results
    results.write_whole(path, text)


@pytest.mark.parametrize("write", [files.write_whole, sweep_write_whole])
def test_two_writers_and_a_reader_never_collide(tmp_path, write):
    path = tmp_path / "run.json"
    write(path, "start " + "x" * 20_000 + " end")
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    writers = [ctx.Process(target=_writer, args=(write, path, 300, tag, queue))
               for tag in "ab"]
    for w in writers:
        w.start()
    damaged = reads = 0
    while any(w.is_alive() for w in writers):
        text = path.read_text()
        reads += 1
        damaged += not text.endswith(" end")
    results = [queue.get(timeout=120) for _ in writers]
    for w in writers:
        w.join(timeout=60)
    assert results == ["ok", "ok"] and reads > 0 and damaged == 0
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]       # no temporary left


def test_write_whole_takes_bytes_and_leaves_nothing_on_failure(tmp_path):
    files.write_whole(tmp_path / "a" / "b.bin", b"\x00\x01")
    assert (tmp_path / "a" / "b.bin").read_bytes() == b"\x00\x01"
    with pytest.raises(TypeError):
        files.write_whole(tmp_path / "a" / "c.txt", 3)
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["b.bin"]


# -- locks ----------------------------------------------------------------------------------

HOLD = """
import sys, time
from bookkit import files
with files.lock(sys.argv[1], "making the thing"):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold(path, seconds):
    """Another process holding the lock on ``path`` for ``seconds``."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_holder_waits_and_is_told_who_holds_it(tmp_path, capsys):
    target = tmp_path / "x.ipynb"
    other = hold(target, 2.0)
    start = time.monotonic()
    with files.lock(target, "making x"):
        waited = time.monotonic() - start
    other.wait(timeout=30)
    err = capsys.readouterr().err
    assert waited > 1.0
    assert f"{target} is locked by process {other.pid}" in err and "making the thing" in err
    assert "waiting for it" in err


def test_try_lock_does_not_wait(tmp_path):
    target = tmp_path / "run"
    other = hold(target, 30.0)
    try:
        assert files.try_lock(target, "sweep") is None
        assert f"process {other.pid}" in files.holder(target)
    finally:
        other.kill()
        other.wait()
    held = files.try_lock(target, "sweep")
    assert held is not None and f"process {os.getpid()}" in files.holder(target)
    held.release()
    assert files.holder(target) is None


def test_the_locks_beside_generated_files_are_ignored_by_git():
    """make notebooks locks book/<chapter>.ipynb: its lock file is not a change to commit."""
    from bookkit.chapters import ROOT
    lock = files.lock_file(ROOT / "book" / "ch.ipynb")
    assert lock.parent == ROOT / "book"
    ignored = subprocess.run(["git", "-C", str(ROOT), "check-ignore", "-q", str(lock)])
    assert ignored.returncode == 0
