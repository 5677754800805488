from com.training import tasks


def test_tasks_of_each_time():
    cont = tasks.make_task("diagonal", "exponential", 50.0, 64)
    assert cont.grid.shape == cont.target.shape == cont.weights.shape
    lru = tasks.make_task("lru", "polynomial", 50.0, 32, omega=0.5)
    assert lru.grid == 32 and lru.target.shape == (32,)
    assert abs(float(lru.target[1]) - 2.0 ** -1.5) < 1e-12
