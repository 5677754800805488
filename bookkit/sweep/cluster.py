"""The Dask client a sweep runs on: a LocalCluster on this machine, or an existing
scheduler, checked before any run is submitted.

A sweep never starts without workers and never waits silently. ``--workers`` must be
at least 1. A scheduler is named by ``--scheduler`` or ``--scheduler-file``, else by
``DASK_SCHEDULER_ADDRESS`` or ``DASK_SCHEDULER_FILE``; its address must be a Dask
address (``tcp://HOST:PORT``), its file must be readable, and it must answer Dask's
``identity`` as a scheduler within ``CONNECT_TIMEOUT`` seconds (an unreachable host or
a server of another kind there is named, not waited for); a scheduler with no worker
gets ``WORKER_WAIT`` seconds (``--wait-for-workers``, e.g. for queued SLURM jobs) for
one to join. Each failure is a ``SweepError`` whose message names the option or
variable, the address, and what to do.
"""
from __future__ import annotations

import asyncio
import json
import os
from contextlib import contextmanager

# One thread per run: the cluster has one single-threaded worker per core, and a run
# (a kernel started by the worker) inherits these; torch reads OMP_NUM_THREADS.
# COM_BOOK_BUILD: figures glued, not shown twice (bookkit.claims.glue)
RUN_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "COM_PROGRESS": "0", "COM_BOOK_BUILD": "1"}
# ...and without this one: Dask's nanny sets MALLOC_TRIM_THRESHOLD_=65536 for its workers
# (distributed.nanny.pre-spawn-environ), and a kernel inheriting it hands every freed
# tensor back to the system and page-faults on the next: nonlinear_curse took 65 s
# instead of 34 s per run, 27 s of it system time (two runs at once, 2 cores).
RUN_UNSET = ("MALLOC_TRIM_THRESHOLD_",)
CONNECT_TIMEOUT = 10       # seconds for a scheduler to answer
WORKER_WAIT = 30           # seconds for a worker to join a scheduler that has none
MAX_WORKERS = 1024
EXAMPLE = "tcp://127.0.0.1:8786"


class SweepError(RuntimeError):
    """The sweep cannot run on the cluster it was given (the message says why)."""


def check_workers(workers) -> int | None:
    """``--workers`` as given (None: one per core), or SweepError."""
    if workers is None or (isinstance(workers, int) and not isinstance(workers, bool)
                           and 1 <= workers <= MAX_WORKERS):
        return workers
    raise SweepError(f"option '--workers' must be an integer >= 1 and <= {MAX_WORKERS} (the "
                     f"LocalCluster's worker processes; default one per core); got {workers!r}")


def scheduler_of(scheduler: str | None, scheduler_file: str | None) -> tuple[str, str] | None:
    """The address of the scheduler to use and where it was named (e.g.
    "DASK_SCHEDULER_ADDRESS='tcp://...'"), or None for a LocalCluster."""
    named = [("--scheduler", scheduler, False), ("--scheduler-file", scheduler_file, True),
             ("DASK_SCHEDULER_ADDRESS", os.environ.get("DASK_SCHEDULER_ADDRESS"), False),
             ("DASK_SCHEDULER_FILE", os.environ.get("DASK_SCHEDULER_FILE"), True)]
    for name, value, is_file in named:
        if value:
            origin = f"{name}={value!r}"
            return (_from_file(value, origin) if is_file else _valid(value, origin)), origin
    return None


def _from_file(path: str, origin: str) -> str:
    try:
        with open(path) as f:
            address = json.load(f)["address"]
    except OSError as e:
        raise SweepError(f"{origin} cannot be read ({e.strerror}); it must name the file a "
                         f"running scheduler wrote (dask scheduler --scheduler-file FILE)") \
            from None
    except (ValueError, KeyError, TypeError):
        raise SweepError(f"{origin} is not a Dask scheduler file (JSON with its "
                         f"'address')") from None
    return _valid(address, origin)


def _valid(address: str, origin: str) -> str:
    from distributed.comm.addressing import parse_address, parse_host_port
    try:
        scheme, location = parse_address(address, strict=False)
        if scheme in ("tcp", "tls"):
            host, port = parse_host_port(location)
            if not host or not 0 < int(port) < 65536:
                raise ValueError("no host or port")
    except (ValueError, TypeError) as e:
        raise SweepError(f"{origin} must be a Dask scheduler address such as {EXAMPLE} "
                         f"({e})") from None
    return address


async def _identity(address: str) -> dict:
    from distributed.comm import connect as comm_connect
    comm = await comm_connect(address, timeout=CONNECT_TIMEOUT)
    try:
        await comm.write({"op": "identity"})
        return await comm.read()
    finally:
        comm.abort()


def probe(address: str, origin: str) -> dict:
    """The scheduler's identity, or SweepError within CONNECT_TIMEOUT seconds."""
    try:
        found = asyncio.run(asyncio.wait_for(_identity(address), CONNECT_TIMEOUT))
    except Exception as e:                               # noqa: BLE001 - named below
        why = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
        raise SweepError(f"{origin}: no Dask scheduler answered there within "
                         f"{CONNECT_TIMEOUT} s ({why}); start one (dask scheduler) or name "
                         f"the right one, or unset it to run on this machine") from None
    if not isinstance(found, dict) or found.get("type") != "Scheduler":
        kind = found.get("type") if isinstance(found, dict) else type(found).__name__
        raise SweepError(f"{origin}: a Dask {kind} answered there, not a scheduler")
    return found


def _wait_for_workers(client, address: str, origin: str, wait: float) -> None:
    if client.scheduler_info().get("workers"):
        return
    print(f"dask: the scheduler at {address} has no workers; waiting up to {wait:g} s",
          flush=True)
    try:
        client.wait_for_workers(1, timeout=wait)
    except (TimeoutError, asyncio.TimeoutError):
        raise SweepError(f"the Dask scheduler at {address} ({origin}) has no workers: none "
                         f"joined within {wait:g} s. Start them (dask worker {address}), "
                         f"give them longer (--wait-for-workers SECONDS), or unset it to "
                         f"run on this machine") from None


@contextmanager
def connect(scheduler: str | None = None, scheduler_file: str | None = None,
            workers: int | None = None, wait: float | None = None):
    """A Dask client with at least one worker: on the named scheduler, else on a
    LocalCluster of ``workers`` single-threaded workers (default one per core)."""
    from dask.distributed import Client, LocalCluster

    workers = check_workers(workers)
    named = scheduler_of(scheduler, scheduler_file)
    if named is not None:
        address, origin = named
        probe(address, origin)
        with Client(address, timeout=CONNECT_TIMEOUT) as client:
            _wait_for_workers(client, address, origin, WORKER_WAIT if wait is None else wait)
            yield client
        return
    n = workers or len(os.sched_getaffinity(0))
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                      dashboard_address=None, env=RUN_ENV) as local, Client(local) as client:
        yield client


__all__ = ["connect", "probe", "scheduler_of", "check_workers", "SweepError", "RUN_ENV",
           "RUN_UNSET"]
