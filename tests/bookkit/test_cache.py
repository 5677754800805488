import multiprocessing as mp
import os
import random
import warnings

import numpy as np
import pytest
import torch

from bookkit import cache


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A cache in a temporary folder, no chapter registered."""
    monkeypatch.setenv("COM_CACHE", str(tmp_path))
    cache.unregister()
    yield tmp_path
    cache.unregister()


class Counter:
    """compute() that counts its calls and returns a fresh value each time (its count
    lives in a slot, which the key does not see: a real compute has no such state)."""

    __slots__ = ("calls",)

    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return {"x": torch.arange(3) + self.calls}


def test_cached_computes_once_and_reloads(store):
    compute = Counter()
    a = cache.cached("unit", {"m": 4}, compute)
    b = cache.cached("unit", {"m": 4}, compute)
    c = cache.cached("unit", {"m": 5}, compute)
    assert compute.calls == 2 and torch.equal(a["x"], b["x"]) and not torch.equal(a["x"], c["x"])
    assert [p.suffix for p in store.iterdir()] == [".pt", ".pt"]          # no temporary left


def test_cache_off(monkeypatch):
    monkeypatch.setenv("COM_CACHE", "off")
    compute = Counter()
    cache.cached("unit", {}, compute)
    cache.cached("unit", {}, compute)
    assert compute.calls == 2 and cache.path_for("unit", {}) is None


# --- keys are derived: chapter parameters, code, streams, compute, com, versions ----------

def chapter(**params):
    """A notebook-like namespace: parameters, IPython's history, a shared generator."""
    ns = {"seed": 0, "rnn_hidden": 32, "rnn_layers": [1, 2], "sigmas": ["linear", "tanh"],
          "In": ["", "seed = 0", "start(globals(), Params)", "x = cached(...)"],
          "gen": torch.Generator().manual_seed(0)}
    ns.update(params)
    cache.register(ns, ["seed", "rnn_hidden", "rnn_layers", "sigmas"])
    return ns


def run(ns, compute):
    ns["In"].append(ns["In"][-1])                # each run is a new cell execution
    return cache.cached("chapter.unit", {}, compute)


@pytest.mark.parametrize("change", [
    {"rnn_hidden": 9}, {"rnn_layers": [1, 2, 3]}, {"sigmas": ["tanh", "linear"]}, {"seed": 1}])
def test_every_registered_parameter_is_in_the_key(store, change):
    compute = Counter()
    run(chapter(), compute)
    run(chapter(), compute)
    assert compute.calls == 1
    run(chapter(**change), compute)                      # none was typed at the call site
    assert compute.calls == 2


def test_seed_free_work_is_shared_across_seeds_and_code(store):
    """A seed-free result (a fit) is found again under another seed, another injected
    parameters cell and other streams, but not under another parameter or input."""
    compute = Counter()

    def fit(**change):
        ns = chapter(**change)
        ns["In"].append(f"seed = {ns['seed']}")                  # papermill's injected cell
        ns["gen"].manual_seed(ns["seed"] + 5)
        return cache.cached("chapter.fit", {"memory": "power 1.5"}, compute, seed_free=True)
    a = fit()
    b = fit(seed=7)
    assert compute.calls == 1 and torch.equal(a["x"], b["x"])
    fit(rnn_hidden=9)
    assert compute.calls == 2
    cache.cached("chapter.fit", {"memory": "power 1.1"}, compute, seed_free=True)
    assert compute.calls == 3


def test_a_parameter_changed_after_validation_is_seen(store):
    compute, ns = Counter(), chapter()
    run(ns, compute)
    ns["rnn_hidden"] = 9                                  # keys read current values
    run(ns, compute)
    assert compute.calls == 2


def test_edited_code_above_the_computation_changes_the_key(store):
    compute = Counter()
    run(chapter(), compute)
    ns = chapter()
    ns["In"][1] = "seed = 0  # edited"
    run(ns, compute)
    assert compute.calls == 2
    ns = chapter()
    ns["In"].append("print('a cell run interactively twice')")
    ns["In"].append("print('a cell run interactively twice')")
    run(ns, compute)                                      # repeats count once
    run(ns, compute)
    assert compute.calls == 3


def test_calls_in_one_cell_never_share_a_key(store):
    ns, compute = chapter(), Counter()
    ns["In"].append("for m in widths: cached('x', {}, lambda: f(m))")
    first = cache.cached("chapter.unit", {}, compute)
    second = cache.cached("chapter.unit", {}, compute)    # a loop without its variable in params
    assert compute.calls == 2 and not torch.equal(first["x"], second["x"])
    ns["In"].append(ns["In"][-1])                         # the cell re-run: both served
    assert torch.equal(cache.cached("chapter.unit", {}, compute)["x"], first["x"])
    assert torch.equal(cache.cached("chapter.unit", {}, compute)["x"], second["x"])
    assert compute.calls == 2


def test_compute_defaults_and_closure_are_in_the_key(store):
    seen = []
    for m in (2, 3):
        cache.cached("unit", {}, lambda m=m: seen.append(m) or m)
    def make(k):
        return lambda: seen.append(k) or k
    assert cache.cached("unit", {}, make(5)) == 5 and cache.cached("unit", {}, make(6)) == 6
    assert seen == [2, 3, 5, 6]


def shifted_draws(ns, shift):
    """What nonlinear_curse does: a parameter shifts a shared generator before models."""
    torch.randn(shift, generator=ns["gen"])
    return run(ns, lambda: torch.randn(3, generator=ns["gen"]))


def test_the_generator_state_is_in_the_key_and_restored_on_a_hit(store):
    uncached = shifted_draws(chapter(), 9)
    for _ in range(2):                                    # fill the cache, then hit it
        ns = chapter()
        got = shifted_draws(ns, 9)
        after = torch.randn(2, generator=ns["gen"])        # the stream continues as uncached
    assert torch.equal(got, uncached)
    ns = chapter()
    shifted_draws(ns, 9)
    assert torch.equal(after, torch.randn(2, generator=ns["gen"]))
    assert not torch.equal(shifted_draws(chapter(), 4), got)   # other shift: other draws


def test_global_streams_are_keyed_and_restored(store):
    def draw():
        return torch.rand(2), np.random.rand(2)
    torch.manual_seed(1), np.random.seed(1)
    a = cache.cached("unit", {}, draw)
    after = torch.rand(1)
    torch.manual_seed(1), np.random.seed(1)
    b = cache.cached("unit", {}, draw)                    # served, streams moved on as if drawn
    assert torch.equal(a[0], b[0]) and torch.equal(torch.rand(1), after)
    torch.manual_seed(2)
    assert not torch.equal(cache.cached("unit", {}, draw)[0], a[0])


def test_library_source_and_versions_are_in_the_key(store, monkeypatch):
    compute = Counter()
    cache.cached("unit", {}, compute)
    monkeypatch.setattr(torch, "__version__", "0.0.1")
    cache.cached("unit", {}, compute)
    monkeypatch.setattr(np, "__version__", "0.0.1")
    cache.cached("unit", {}, compute)
    cache.source_hash.cache_clear()
    monkeypatch.setattr(cache, "source_hash", lambda: "edited com")
    cache.cached("unit", {}, compute)
    assert compute.calls == 4


# --- damaged entries ----------------------------------------------------------------------

def damage(path, kind):
    data = path.read_bytes()
    if kind == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "random bytes":
        path.write_bytes(np.random.default_rng(0).bytes(len(data)))
    elif kind == "cut tail":
        path.write_bytes(data[:-20])
    elif kind == "foreign pickle":
        torch.save([1, 2, 3], path)


@pytest.mark.parametrize("kind", ["truncated", "empty", "random bytes", "cut tail",
                                  "foreign pickle"])
def test_a_damaged_entry_is_reported_and_recomputed(store, kind):
    compute = Counter()
    first = cache.cached("unit", {}, compute)
    (path,) = store.glob("*.pt")
    damage(path, kind)
    with pytest.warns(cache.CacheWarning, match=f"cache entry {path} is damaged"):
        again = cache.cached("unit", {}, compute)
    assert compute.calls == 2 and not torch.equal(again["x"], first["x"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")                    # repaired: served without a warning
        assert torch.equal(cache.cached("unit", {}, compute)["x"], again["x"])


# --- two writers of one key ---------------------------------------------------------------

def _zeros():
    return torch.zeros(50_000)


def _writer(folder, rounds, queue):
    torch.set_num_threads(1)                # a forked child must not enter the parent's
    os.environ["COM_CACHE"] = folder        # OpenMP pool (it can hang on a busy machine)
    random.seed(0)                          # a forked child reseeds python's random stream
    try:
        for r in range(rounds):
            path = cache.path_for("race", {"r": r}, _zeros)       # both write every key
            cache._save(path, {"format": cache.FORMAT, "result": _zeros(), "streams": {}})
            cache.cached("race", {"r": r}, _zeros)                # and read it back
        queue.put("ok")
    except BaseException as err:                          # noqa: BLE001 - reported to the test
        queue.put(repr(err))


def test_two_concurrent_writers_of_one_key(store):
    ctx = mp.get_context("fork")         # the children must share the parent's key inputs
    queue = ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(str(store), 40, queue)) for _ in range(2)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=300) for _ in procs]     # slow when the machine is busy
    for p in procs:
        p.join(timeout=60)
    assert results == ["ok", "ok"]
    assert len(list(store.glob("*.pt"))) == 40 and not list(store.glob("*.tmp"))
    random.seed(0)
    path = cache.path_for("race", {"r": 0}, _zeros)
    assert path.exists() and torch.equal(cache._load(path)["result"], _zeros())


# --- COM_CACHE ----------------------------------------------------------------------------

@pytest.mark.parametrize("off", ["off", "OFF", "0", "false", "False", "no", "NO", " no "])
def test_com_cache_off_spellings(monkeypatch, off):
    monkeypatch.setenv("COM_CACHE", off)
    assert cache.folder() is None


@pytest.mark.parametrize("on", ["on", "1", "TRUE", "yes"])
def test_com_cache_on_spellings_mean_the_default_folder(monkeypatch, on, tmp_path):
    monkeypatch.setattr(cache, "DEFAULT", tmp_path / "default")
    monkeypatch.setenv("COM_CACHE", on)
    assert cache.folder() == tmp_path / "default"


def test_com_cache_unset_means_the_default_folder(monkeypatch, tmp_path):
    monkeypatch.setattr(cache, "DEFAULT", tmp_path / "default")
    monkeypatch.delenv("COM_CACHE")
    assert cache.folder() == tmp_path / "default"


def test_com_cache_path_is_created(monkeypatch, tmp_path):
    monkeypatch.setenv("COM_CACHE", str(tmp_path / "a" / "b"))
    assert cache.folder() == tmp_path / "a" / "b" and (tmp_path / "a" / "b").is_dir()


@pytest.mark.parametrize("bad", ["file", "under a file", "unwritable", "empty"])
def test_com_cache_rejects_what_is_not_a_writable_folder(monkeypatch, tmp_path, bad):
    (tmp_path / "file").write_text("x")
    value = {"file": tmp_path / "file", "under a file": tmp_path / "file" / "sub",
             "unwritable": "/proc/com-cache", "empty": ""}[bad]   # /proc: not even for root
    monkeypatch.setenv("COM_CACHE", str(value))
    with pytest.raises(cache.CacheError, match="COM_CACHE"):
        cache.folder()


def test_check_in_stops_on_a_bad_com_cache_before_any_work(monkeypatch, tmp_path):
    from bookkit import params
    (tmp_path / "file").write_text("x")
    monkeypatch.setenv("COM_CACHE", str(tmp_path / "file"))
    with pytest.raises(cache.CacheError, match="not a folder this process can write"):
        params.check_in({"seed": 0, "strict": True}, params.Params)


# --- in a real kernel, run by papermill ---------------------------------------------------

NOTEBOOK = '''# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
seed: int = 0
hidden: int = 32

# %%
import dataclasses
import torch
from bookkit import cache, params, rules
F64 = torch.float64


@dataclasses.dataclass(frozen=True)
class Toy:
    seed: int = params.param(0, "seed", rules.integer(lo=0))
    hidden: int = params.param(32, "hidden", rules.integer(lo=1))

    def check(self):
        pass


params.check_in(globals(), Toy)
import random, numpy                       # the global streams are in the key: seed them,
random.seed(seed), numpy.random.seed(seed), torch.manual_seed(seed)   # as setup does
gen = torch.Generator().manual_seed(seed)
torch.randn(hidden, generator=gen, dtype=F64)   # a parameter shifts the shared stream

# %%
value = cache.cached("toy.draw", {}, lambda: SCALE * torch.randn(3, generator=gen, dtype=F64))
after = torch.randn(1, generator=gen, dtype=F64)
print("RESULT", (value.tolist(), after.item()))
'''


def expected(seed, hidden, scale):
    gen = torch.Generator().manual_seed(seed)
    torch.randn(hidden, generator=gen, dtype=torch.float64)
    draw = scale * torch.randn(3, generator=gen, dtype=torch.float64)
    return draw.tolist(), torch.randn(1, generator=gen, dtype=torch.float64).item()


def papermill(tmp_path, store, hidden, scale):
    import json
    import subprocess
    import sys
    from pathlib import Path

    import jupytext
    src = tmp_path / f"toy{scale}.py"
    src.write_text(NOTEBOOK.replace("# %%\nvalue", f"# %%\nSCALE = {scale}\nvalue"))
    nb = src.with_suffix(".ipynb")
    jupytext.write(jupytext.read(src), nb, fmt="ipynb")
    out = tmp_path / "out.ipynb"
    env = {**os.environ, "COM_CACHE": str(store)}
    subprocess.run([Path(sys.executable).parent / "papermill", "--log-level", "ERROR", "-k",
                    "python3", "-p", "hidden", str(hidden), nb, out], check=True, env=env,
                   timeout=300, capture_output=True)
    text = "".join("".join(o.get("text", "")) for c in json.loads(out.read_text())["cells"]
                   for o in c.get("outputs", []))
    return eval(text.split("RESULT", 1)[1])                  # noqa: S307 - our own print


def test_stale_cases_in_a_real_kernel_give_the_uncached_result(tmp_path):
    store = tmp_path / "cache"
    first = papermill(tmp_path, store, hidden=32, scale=1)
    assert first == expected(0, 32, 1)
    changed = papermill(tmp_path, store, hidden=9, scale=1)  # like rnn_hidden: a new key
    assert changed == expected(0, 9, 1) and changed != first
    files = set(store.glob("*.pt"))
    again = papermill(tmp_path, store, hidden=9, scale=1)    # identical run: served
    assert again == changed and set(store.glob("*.pt")) == files
    edited = papermill(tmp_path, store, hidden=9, scale=2)   # the chapter's code edited
    assert edited == expected(0, 9, 2) and len(set(store.glob("*.pt"))) == 3
