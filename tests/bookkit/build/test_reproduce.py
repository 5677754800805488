"""bookkit.build.reproduce: the run behind a page, in words, and the command again."""
from bookkit.build import reproduce

RUN = {"python": "3.11.7", "torch": "2.13.0+cpu", "numpy": "2.4.6", "cpu": "AMD EPYC 7B13",
       "cores": 2, "cpu_count": 8, "cache": "off", "commit": "0123456789abcdef" * 2 + "01234567",
       "uncommitted": [], "end": "2026-12-01T10:01:05+00:00", "duration": 65.0,
       "command": "papermill book/x.ipynb out.ipynb -k python3 --cwd book "
                  "-f book/params/smoke/x.yaml"}


def test_the_run_states_commit_date_versions_cpu_and_cores():
    text = reproduce.the_run({"metadata": {"com": {"provenance": RUN}}}, "full")
    for fact in ("commit `0123456789ab`", "2026-12-01 10:01 UTC", "Python 3.11.7",
                 "torch 2.13.0+cpu", "AMD EPYC 7B13", "2 cores (of 8)", "1 min 05 s",
                 "full scale", "cache off"):
        assert fact in text, fact


def test_the_run_says_when_the_commit_alone_does_not_reproduce():
    run = {**RUN, "uncommitted": ["book/x.py"]}
    text = reproduce.the_run({"metadata": {"com": {"provenance": run}}}, "full")
    assert "`book/x.py`" in text and "does not reproduce" in text


def test_the_run_says_when_nothing_was_recorded():
    assert "not recorded" in reproduce.the_run({"metadata": {}}, "smoke")


def test_shell_breaks_a_long_command_before_its_options():
    assert reproduce.shell(RUN["command"]).splitlines() == [
        "papermill book/x.ipynb out.ipynb \\", "    -k python3 --cwd book \\",
        "    -f book/params/smoke/x.yaml"]
