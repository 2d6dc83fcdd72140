"""Per-function call limits ([call_limits] in assignment.toml): parsed by the spec, applied in-process and in the worker."""

import dataclasses
import textwrap
import time
import types

import pytest

from autograder.harness.local import CallTimedOut, LocalSubmission
from autograder.harness.remote import RemoteSubmission, StudentCodeError
from autograder.spec import SpecError, load_spec


def _spec(tmp_path, call_limits: str, top: str = ""):
    (tmp_path / "assignment.toml").write_text(top + textwrap.dedent('''
        id = "limits"
        [limits]
        call_timeout_s = 4
        [[tasks]]
        id = "work"
        points = 1
        functions = ["quick", "long_run"]
    ''') + call_limits)
    return load_spec(tmp_path)


def test_spec_reads_call_limits(tmp_path):
    spec = _spec(tmp_path, "[call_limits]\nlong_run = 60\n")
    assert spec.call_limits == (("long_run", 60.0),)
    assert spec.call_timeout("long_run") == 60.0
    assert spec.call_timeout("quick") == 4.0


def test_spec_without_call_limits(tmp_path):
    assert _spec(tmp_path, "").call_limits == ()


@pytest.mark.parametrize("table, message", [
    ("[call_limits]\nmissing = 5\n", "names 'missing', which no task lists"),
    ("[call_limits]\nlong_run = 0\n", "must be a positive number of seconds"),
    ("[call_limits]\nlong_run = \"60\"\n", "must be a positive number of seconds"),
    ("[call_limits]\nlong_run = true\n", "must be a positive number of seconds"),
])
def test_spec_rejects_bad_call_limits(tmp_path, table, message):
    with pytest.raises(SpecError, match=message):
        _spec(tmp_path, table)


def test_spec_rejects_call_limits_that_are_not_a_table(tmp_path):
    with pytest.raises(SpecError, match="must be a table"):
        _spec(tmp_path, "", top="call_limits = 5\n")


def _module(**functions):
    module = types.ModuleType("student")
    module.__dict__.update(functions)
    return module


def test_local_submission_applies_each_functions_own_limit():
    submission = LocalSubmission(_module(quick=lambda: time.sleep(0.6) or "done", long_run=lambda: time.sleep(5)),
                                 call_timeout_s=2, call_limits={"long_run": 0.3})
    assert submission.quick() == "done"  # 0.6 s is within the default 2 s
    with pytest.raises(CallTimedOut, match=r"^`long_run` ran out of time: one call may take at most 0.3 s$"):
        submission.long_run()
    with pytest.raises(CallTimedOut):
        submission.long_run()
    with pytest.raises(CallTimedOut, match=r"not run: `long_run` already timed out 2 times \(limit 0.3 s per call\)"):
        submission.long_run()


def test_local_submission_default_limit_keeps_its_message():
    submission = LocalSubmission(_module(quick=lambda: time.sleep(5)), call_timeout_s=0.3, call_limits={"long_run": 60})
    with pytest.raises(CallTimedOut, match=r"timed out after 0.3 s in `quick`"):
        submission.quick()


STUDENT = '''
import time


def quick(seconds):
    time.sleep(seconds)
    return seconds


def long_run(seconds):
    time.sleep(seconds)
    return seconds
'''


def test_remote_submission_applies_each_functions_own_limit(tmp_path, toy_spec):
    spec = dataclasses.replace(toy_spec, tasks=(dataclasses.replace(toy_spec.tasks[0], functions=("quick", "long_run")),),
                               call_limits=(("long_run", 1.0),))
    source = tmp_path / "src"
    source.mkdir()
    (source / "toy.py").write_text(STUDENT)
    remote = RemoteSubmission.open(source, spec, slot=9)
    try:
        assert remote.quick(1.5) == 1.5  # within the default 3 s of the toy assignment
        started = time.monotonic()
        with pytest.raises(StudentCodeError, match=r"^`long_run` ran out of time: one call may take at most 1 s$"):
            remote.long_run(30)
        assert time.monotonic() - started < 10
        assert remote.long_run(0.1) == 0.1  # a fresh worker serves the next call
    finally:
        remote.close()
