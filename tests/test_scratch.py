"""One scratch folder per grader run: removed on exit, swept by the next run after a SIGKILL."""

from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import sys
import textwrap

from autograder.scratch import PREFIX, sweep_stale_scratch

REPO = pathlib.Path(__file__).resolve().parent.parent

_HOLD = textwrap.dedent("""
    import sys, time
    from autograder.scratch import enter_run_scratch
    folder = enter_run_scratch()
    (folder / "bundle").mkdir()
    print(folder, flush=True)
    if sys.argv[1] == "hold":
        time.sleep(600)
""")


def _start(tmp_path: pathlib.Path, mode: str) -> tuple[subprocess.Popen, pathlib.Path]:
    env = dict(os.environ, TMPDIR=str(tmp_path), PYTHONPATH=str(REPO))
    process = subprocess.Popen([sys.executable, "-c", _HOLD, mode], env=env, stdout=subprocess.PIPE, text=True)
    folder = pathlib.Path(process.stdout.readline().strip())
    return process, folder


def test_folder_is_removed_on_normal_exit(tmp_path):
    process, folder = _start(tmp_path, "exit")
    assert process.wait(timeout=60) == 0
    assert folder.name.startswith(PREFIX) and folder.parent == tmp_path
    assert not folder.exists()


def test_killed_run_is_swept_and_live_run_is_kept(tmp_path):
    live, live_folder = _start(tmp_path, "hold")
    dead, dead_folder = _start(tmp_path, "hold")
    try:
        os.kill(dead.pid, signal.SIGKILL)
        dead.wait(timeout=60)
        assert dead_folder.exists(), "SIGKILL leaves the folder (nothing can clean up then)"
        removed = sweep_stale_scratch(tmp_path)
        assert removed == [dead_folder]
        assert not dead_folder.exists()
        assert live_folder.exists() and (live_folder / "bundle").is_dir(), "a running grader's folder is never touched"
    finally:
        live.kill()
        live.wait(timeout=60)


def test_sweep_ignores_other_folders(tmp_path):
    (tmp_path / f"{PREFIX}123-abc").mkdir()  # no lock file: a run still starting, left alone
    (tmp_path / "someone-else").mkdir()
    assert sweep_stale_scratch(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{PREFIX}123-abc", "someone-else"]
