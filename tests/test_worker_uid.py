"""Worker uid leases: graders running side by side never share (and so never kill) each other's workers."""

from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from autograder.harness.remote import RemoteSubmission
from autograder.launchers.worker_uid import WORKER_UID_BASE, lease_worker_uid

REPO = pathlib.Path(__file__).resolve().parent.parent


def test_a_leased_uid_is_not_leased_again_until_released(tmp_path):
    first = lease_worker_uid(3, folder=tmp_path)
    second = lease_worker_uid(3, folder=tmp_path)
    assert (first.uid, second.uid) == (WORKER_UID_BASE + 3, WORKER_UID_BASE + 4)
    first.release()
    again = lease_worker_uid(3, folder=tmp_path)
    assert again.uid == WORKER_UID_BASE + 3
    second.release()
    again.release()


def test_the_lease_of_a_killed_process_is_free_again(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import pathlib, sys, time
            from autograder.launchers.worker_uid import lease_worker_uid
            lease = lease_worker_uid(0, folder=pathlib.Path({str(tmp_path)!r}))
            print(lease.uid, flush=True)
            time.sleep(600)
        """)],
        env=dict(os.environ, PYTHONPATH=str(REPO)), stdout=subprocess.PIPE, text=True)
    try:
        assert int(holder.stdout.readline()) == WORKER_UID_BASE
        assert lease_worker_uid(0, folder=tmp_path).uid == WORKER_UID_BASE + 1, "held by a live process"
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=60)
    assert lease_worker_uid(0, folder=tmp_path).uid == WORKER_UID_BASE


STUDENT = "import os, time\n\ndef whoami():\n    return os.getuid()\n\ndef slow(x):\n    time.sleep(1.5)\n    return x\n"


@pytest.mark.skipif(os.geteuid() != 0, reason="dedicated worker uids are used when grading as root")
def test_two_harnesses_in_the_same_slot_keep_their_workers(tmp_path, toy_spec):
    """The bug this prevents: two graders both in slot 0 shared uid 61000, and one's clean-up
    (kill every process of the uid) killed the other's worker mid-call: "killed (memory limit)"."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "toy.py").write_text(STUDENT)
    first = RemoteSubmission.open(source, toy_spec, slot=0)
    second = RemoteSubmission.open(source, toy_spec, slot=0)
    try:
        if first.warnings or second.warnings:
            pytest.skip("the interpreter is not readable by a dedicated uid here")
        assert first.whoami() != second.whoami(), "each harness leases its own uid"
        # The second harness closes (sweeping its uid) while the first is inside a call.
        import threading

        closer = threading.Timer(0.3, second.close)
        closer.start()
        assert first.slow(5) == 5
        closer.join()
    finally:
        first.close()
        second.close()


def test_sweeps_match_live_processes_by_uid_and_parent_and_pass_over_zombies():
    """A zombie has nothing left to kill: counting it would make every sweep pass five times."""
    from autograder.launchers.worker_handle import _live_status_field

    assert _live_status_field(os.getpid(), "Uid") == os.getuid()
    assert _live_status_field(os.getpid(), "PPid") == os.getppid()
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    try:
        for _ in range(200):
            with open(f"/proc/{pid}/stat", "rb") as handle:
                if handle.read().rsplit(b")", 1)[1].split()[0] == b"Z":
                    break
            time.sleep(0.01)
        assert _live_status_field(pid, "PPid") is None
    finally:
        os.waitpid(pid, 0)
    assert _live_status_field(pid, "Uid") is None  # gone
