"""The sweep's Dask client: it never starts without workers and never waits silently
(review S1-S4, S14, S16): every way of naming a cluster that cannot run the sweep ends
within seconds with a message naming the option or variable and the address."""
import socket
import threading
import time

import pytest

from bookkit.sweep import cli, cluster

PLAN = ["--scale", "smoke", "--seeds", "0", "-c", "gradient_plateaus"]


def within(seconds, fn):
    """fn() in a thread, which must end within ``seconds`` (a hang fails the test)."""
    out = {}

    def target():
        try:
            out["value"] = fn()
        except BaseException as e:                        # noqa: BLE001 - reported below
            out["error"] = e
    thread = threading.Thread(target=target, daemon=True)
    start = time.monotonic()
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still waiting after {seconds} s, silently"
    return out, time.monotonic() - start


@pytest.fixture
def quick(monkeypatch, tmp_path):
    """Short waits, no variable of the caller's, and runs that were never kept."""
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 3)
    monkeypatch.setattr(cluster, "WORKER_WAIT", 3)
    for name in ("DASK_SCHEDULER_ADDRESS", "DASK_SCHEDULER_FILE"):
        monkeypatch.delenv(name, raising=False)
    return ["--out", str(tmp_path / "out")]


def refused(capsys, argv, seconds=30):
    out, took = within(seconds, lambda: cli.main(argv))
    assert out.get("value") == 2, out
    return capsys.readouterr().err, took


@pytest.mark.parametrize("workers", ["0", "-1", "100000", "two"])
def test_a_local_cluster_needs_at_least_one_worker(capsys, quick, monkeypatch, workers):
    monkeypatch.setattr(cluster, "connect", lambda *a, **k: pytest.fail("a cluster started"))
    err, _ = refused(capsys, [*PLAN, *quick, "--workers", workers])
    assert "--workers" in err and "an integer >= 1 and <= 1024" in err
    assert "Traceback" not in err


class Silent:
    """A server that accepts connections and never answers (as an HTTP server does
    to Dask's handshake)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.address = f"tcp://127.0.0.1:{self.sock.getsockname()[1]}"
        self.held = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                self.held.append(self.sock.accept()[0])
            except OSError:
                return


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("case", ["unreachable", "silent server", "malformed", "no port"])
def test_a_scheduler_address_that_cannot_serve_is_named(capsys, quick, monkeypatch, case):
    address = {"unreachable": f"tcp://127.0.0.1:{free_port()}",
               "silent server": Silent().address if case == "silent server" else "",
               "malformed": "127.0.0.1:notaport", "no port": "tcp://127.0.0.1"}[case]
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", address)
    err, took = refused(capsys, [*PLAN, *quick])
    assert f"DASK_SCHEDULER_ADDRESS={address!r}" in err and "Traceback" not in err
    assert took < 15
    if case in ("malformed", "no port"):
        assert "must be a Dask scheduler address such as tcp://127.0.0.1:8786" in err
    else:
        assert "no Dask scheduler answered there within 3 s" in err


def test_the_scheduler_option_is_named_too(capsys, quick):
    err, _ = refused(capsys, [*PLAN, *quick, "--scheduler", "tcp://127.0.0.1:notaport"])
    assert "--scheduler='tcp://127.0.0.1:notaport' must be a Dask scheduler address" in err


@pytest.mark.parametrize("how", ["variable", "option"])
def test_a_missing_scheduler_file_is_named(capsys, quick, monkeypatch, tmp_path, how):
    missing = tmp_path / "nowhere.json"
    if how == "variable":
        monkeypatch.setenv("DASK_SCHEDULER_FILE", str(missing))
        argv, name = [*PLAN, *quick], "DASK_SCHEDULER_FILE"
    else:
        argv, name = [*PLAN, *quick, "--scheduler-file", str(missing)], "--scheduler-file"
    err, took = refused(capsys, argv)
    assert f"{name}={str(missing)!r} cannot be read (No such file or directory)" in err
    assert took < 15


def test_a_scheduler_without_workers_is_refused(capsys, quick, monkeypatch):
    from dask.distributed import LocalCluster
    with LocalCluster(n_workers=0, processes=False, dashboard_address=None) as empty:
        address = empty.scheduler_address
        monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", address)
        err, took = refused(capsys, [*PLAN, *quick])
    assert (f"the Dask scheduler at {address} (DASK_SCHEDULER_ADDRESS={address!r}) has no "
            f"workers: none joined within 3 s") in err
    assert f"dask worker {address}" in err and "--wait-for-workers" in err and took < 20


def test_a_scheduler_and_a_worker_started_by_hand_run_a_sweep(tmp_path, monkeypatch):
    """The remote-worker case (issue 25): `dask scheduler` and `dask worker` started as
    their own processes, the worker in another folder (it finds the book by absolute
    paths, as a worker on a shared file system would), and the sweep sent there."""
    import subprocess
    import sys
    from pathlib import Path
    dask = str(Path(sys.executable).with_name("dask"))
    file, away = tmp_path / "scheduler.json", tmp_path / "elsewhere"
    away.mkdir()
    for name in ("DASK_SCHEDULER_ADDRESS", "DASK_SCHEDULER_FILE"):
        monkeypatch.delenv(name, raising=False)
    started = [subprocess.Popen([dask, "scheduler", "--scheduler-file", str(file),
                                 "--host", "127.0.0.1", "--port", "0",
                                 "--dashboard-address", ":0"], cwd=away,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        for _ in range(300):                     # the scheduler writes its file when up
            if file.exists() and file.stat().st_size:
                break
            time.sleep(0.1)
        started.append(subprocess.Popen(
            [dask, "worker", "--scheduler-file", str(file), "--nworkers", "1",
             "--nthreads", "1", "--no-dashboard"], cwd=away,
            env={**cluster.os.environ, **cluster.RUN_ENV},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        out = tmp_path / "out"
        assert cli.main(["--scale", "smoke", "--seeds", "0", "-c", "memory_functions",
                         "--scheduler-file", str(file), "--wait-for-workers", "120",
                         "--out", str(out)]) == 0
        assert len(list((out / "smoke/memory_functions").glob("seed-0*.ipynb"))) == 1
        assert not list(out.rglob("*.failed.json"))
        assert not list(away.rglob("*.ipynb"))    # nothing written in the worker's folder
    finally:
        for p in reversed(started):
            p.terminate()
            p.wait(30)
