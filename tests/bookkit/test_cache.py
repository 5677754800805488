import multiprocessing as mp
import os
import random
import re
import warnings

import numpy as np
import pytest
import torch

from bookkit import cache, entries


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
    assert [p.suffix for p in store.iterdir()] == [".npz", ".npz"]        # no temporary left


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
    from bookkit import chapters
    compute = Counter()
    cache.cached("unit", {}, compute)
    real = chapters.versions()
    assert set(real) == {"python", "torch", "numpy", "scipy"}
    for package in ("torch", "numpy", "scipy"):            # every package com computes with
        monkeypatch.setattr(chapters, "versions", lambda p=package: {**real, p: "0.0.1"})
        cache.cached("unit", {}, compute)
    cache.source_hash.cache_clear()
    monkeypatch.setattr(cache, "source_hash", lambda: "edited com")
    cache.cached("unit", {}, compute)
    assert compute.calls == 5


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
    elif kind == "object array":
        np.savez(path, entry=np.array([{"x": 1}], dtype=object))
    elif kind == "not an entry":
        np.savez(path, x=np.zeros(3))


@pytest.mark.parametrize("kind", ["truncated", "empty", "random bytes", "cut tail",
                                  "foreign pickle", "object array", "not an entry"])
def test_a_damaged_entry_is_reported_and_recomputed(store, kind):
    compute = Counter()
    first = cache.cached("unit", {}, compute)
    (path,) = store.iterdir()
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
            entries.write(path, {"key": cache._identity("race", {"r": r}, _zeros, None)},
                          {"result": _zeros(), "streams": {}})
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
    assert len(list(store.iterdir())) == 40 and not list(store.glob(".*"))
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


ALLOWED = ("must be off (or 0, false, no: no cache), on (or 1, true, yes: the folder "
           "_build/cache) or the absolute path of a folder you own that others cannot write")


@pytest.mark.parametrize("value", ["none", "cache", "./cache", "_build/cache"])
def test_com_cache_refuses_a_relative_path(monkeypatch, tmp_path, value):
    """COM_CACHE=none made book/none/ (review C3): a chapter runs in book/, so a
    relative path would land in the sources."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COM_CACHE", value)
    with pytest.raises(cache.CacheError) as err:
        cache.folder()
    assert f"COM_CACHE={value!r} {ALLOWED}" in str(err.value)
    assert "a relative path" in str(err.value) and not list(tmp_path.iterdir())


def test_com_cache_refuses_a_folder_others_can_write(monkeypatch, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)                                  # as /tmp is
    monkeypatch.setenv("COM_CACHE", str(shared))
    with pytest.raises(cache.CacheError, match="others can write it"):
        cache.folder()
    monkeypatch.setenv("COM_CACHE", "/tmp")
    with pytest.raises(cache.CacheError, match=re.escape(f"COM_CACHE='/tmp' {ALLOWED}")):
        cache.folder()


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder away needs root")
def test_com_cache_refuses_a_folder_of_another_user(monkeypatch, tmp_path):
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    os.chown(theirs, 65534, 65534)
    monkeypatch.setenv("COM_CACHE", str(theirs))
    with pytest.raises(cache.CacheError, match="owned by user 65534, not by you"):
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
    files = set(store.glob("*.npz"))
    again = papermill(tmp_path, store, hidden=9, scale=1)    # identical run: served
    assert again == changed and set(store.glob("*.npz")) == files
    edited = papermill(tmp_path, store, hidden=9, scale=2)   # the chapter's code edited
    assert edited == expected(0, 9, 2) and len(set(store.glob("*.npz"))) == 3


# --- entries hold data only, and say which inputs they were computed from -----------------

class Planted:
    """What an attacker plants in a cache: an object that runs code when unpickled."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        from pathlib import Path
        return (Path.touch, (Path(self.marker),))


def test_a_planted_entry_never_runs_code(store, tmp_path):
    """Review C10: an entry was read with torch.load(weights_only=False)."""
    compute = Counter()
    cache.cached("unit", {}, compute)
    (path,) = store.iterdir()
    marker = tmp_path / "ran"
    torch.save({"format": 3, "result": Planted(marker), "streams": {}}, path)
    with pytest.warns(cache.CacheWarning, match="is damaged"):
        cache.cached("unit", {}, compute)
    assert not marker.exists() and compute.calls == 2
    import pickle
    path.write_bytes(pickle.dumps(Planted(marker)))
    with pytest.warns(cache.CacheWarning, match="is damaged"):
        cache.cached("unit", {}, compute)
    assert not marker.exists() and compute.calls == 3


def test_an_entry_copied_under_another_key_is_refused_and_recomputed(store):
    """Review C9: seed 1's entry copied over seed 0's was served silently."""
    compute = {m: lambda m=m: torch.full((2,), float(m)) for m in (0, 1)}
    values = {m: cache.cached("unit", {"m": m}, compute[m]) for m in (0, 1)}
    zero, one = (cache.path_for("unit", {"m": m}, compute[m]) for m in (0, 1))
    assert zero.exists() and one.exists()
    one.write_bytes(zero.read_bytes())
    with pytest.warns(cache.CacheWarning, match=rf"cache entry {one} was stored for other "
                      r"inputs \(compute, params differ\); recomputing it"):
        again = cache.cached("unit", {"m": 1}, compute[1])
    assert torch.equal(again, values[1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")                    # rewritten under its own key
        assert torch.equal(cache.cached("unit", {"m": 1}, compute[1]), values[1])


def every_kind():
    """What the chapters' cached computations return (filtering's students, the
    plateau histories, the trained SSMs' parameter pairs, curse.measure's records...),
    and what else plain data may hold."""
    t = torch.arange(12, dtype=torch.float64).reshape(3, 4)
    return {
        "fit": {"delta": t, "g": t.T, "E0": t[0]},                # a view, not contiguous
        "first": 2, "upper_holds": True, "rate": float("nan"), "edge": float("-inf"),
        "ratio": 0.1, "name": "exp", "none": None, "big": 2 ** 80,
        "params": ({"w1": t.clone().requires_grad_()}, {"b": torch.zeros(0, 3)}),
        "dtypes": [torch.ones(2, dtype=d) for d in (torch.float32, torch.int64, torch.bool,
                                                      torch.uint8, torch.complex128)],
        "scalar": torch.tensor(3.5), "array": np.arange(4.0), "np": np.float64(0.25),
        "int keys": {3: "three", (1, 2): [1, 2]},
        "parameter": torch.nn.Parameter(torch.ones(2)),
    }


def same(a, b):
    if isinstance(a, torch.Tensor):
        return (type(a) is type(b) and a.dtype == b.dtype and a.shape == b.shape
                and a.requires_grad == b.requires_grad and torch.equal(a, b))
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, dict):
        return type(b) is dict and list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, float) and a != a:
        return isinstance(b, float) and b != b
    return type(a) is type(b) and a == b


def test_every_kind_of_cached_value_comes_back_as_it_was(store):
    compute = Counter()                                   # counts calls, unseen by the key
    value = every_kind()
    cache.cached("unit", {}, lambda: compute() and value)
    back = cache.cached("unit", {}, lambda: compute() and value)
    assert compute.calls == 1 and same(value, back)


class Model:
    """An object of a chapter's own: the safe format cannot hold it."""


@pytest.mark.parametrize("cache_on", [True, False])
@pytest.mark.parametrize("bad,where", [
    ({"fit": [1, Model()]}, "result['fit'][1]"), ({"s": {1, 2}}, "result['s']"),
    (lambda: 0, "result"), (torch.ones(2, dtype=torch.bfloat16), "result")])
def test_a_value_the_format_cannot_hold_is_an_error_when_stored(store, monkeypatch, bad, where,
                                                                cache_on):
    """Also with the cache off (the tests run so), so a chapter returning one fails there."""
    if not cache_on:
        monkeypatch.setenv("COM_CACHE", "off")
    with pytest.raises(cache.CacheError) as err:
        cache.cached("chapter.unit", {}, lambda: bad)
    kind = type(eval(where, {"result": bad})).__name__                  # noqa: S307
    assert re.search(rf"'chapter.unit' returned a {kind}( of dtype \S+)? at {re.escape(where)}:",
                     str(err.value))
    assert "tensors, numpy arrays and plain data" in str(err.value)
    assert not list(store.iterdir())
