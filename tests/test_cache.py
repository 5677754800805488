import torch

from com import cache


def test_cached_computes_once_and_reloads(tmp_path, monkeypatch):
    monkeypatch.setenv("COM_CACHE", str(tmp_path))
    calls = []

    def compute():
        calls.append(1)
        return {"x": torch.arange(3)}

    a = cache.cached("unit", {"m": 4}, compute)
    b = cache.cached("unit", {"m": 4}, compute)
    c = cache.cached("unit", {"m": 5}, compute)
    assert len(calls) == 2 and torch.equal(a["x"], b["x"]) and torch.equal(a["x"], c["x"])
    assert not list(tmp_path.glob("*.tmp"))                   # written atomically


def test_cache_off(monkeypatch):
    monkeypatch.setenv("COM_CACHE", "off")
    calls = []
    cache.cached("unit", {}, lambda: calls.append(1))
    cache.cached("unit", {}, lambda: calls.append(1))
    assert len(calls) == 2 and cache.path_for("unit", {}) is None
