"""The Gradescope autograder zip, built and run in a container laid out like Gradescope's image.

Gradescope builds an image from its base (Ubuntu), unpacks the zip in
/autograder/source, runs setup.sh, copies run_autograder to /autograder/run_autograder;
then per submission it fills /autograder/submission and /autograder/submission_metadata.json,
runs /autograder/run_autograder in /autograder and reads /autograder/results/results.json
(https://gradescope-autograders.readthedocs.io/en/latest/specs/).

Here the base is autograder-base:bookworm (Debian, debootstrap + docker import by
.ci/sandboxes.sh: no registry, so Ubuntu cannot be fetched). setup.sh runs with
--network none and a wheelhouse collected on the host (pip download, cached in
~/.cache/autograder/wheels-grader, tests/wheelhouse.py) through PIP_NO_INDEX/PIP_FIND_LINKS. The image
is committed and tagged by the hash of the zip, the base image and the wheels, so a
second run reuses it. Then run_autograder grades a correct, a buggy, a hostile and an
unreadable submission, and a run with broken hidden tests (a grader fault).

Slow (first run: about 2 minutes for setup.sh, mostly installing torch; then about
10-40 s per submission). Skipped with the reason where Docker or the base image is missing.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import subprocess
import sys
import time

import jsonschema
import pytest

from autograder.grader_image import docker_unavailable_reason

REPO = pathlib.Path(__file__).resolve().parent.parent
BASE_IMAGE = os.environ.get("AG_BASE_IMAGE", "autograder-base:bookworm")
SCHEMA = json.loads((pathlib.Path(__file__).parent / "schemas" / "gradescope_results.schema.json").read_text())
ASSIGNMENT = "batchnorm"
MEMORY = "3g"   # docs/courses.md: the assignment's memory_mb (2048) + 1 GB


def _unavailable() -> str | None:
    reason = docker_unavailable_reason()
    if reason:
        return reason
    if subprocess.run(["docker", "image", "inspect", BASE_IMAGE], capture_output=True).returncode != 0:
        return f"base image {BASE_IMAGE} absent: run .ci/sandboxes.sh"
    return None


pytestmark = [pytest.mark.slow, pytest.mark.skipif(_unavailable() is not None, reason=f"no container: {_unavailable()}")]

METADATA = {
    "id": 987654, "created_at": "2026-11-02T10:00:00.000000+01:00",
    "assignment": {"id": 4242, "title": "Batch normalisation", "total_points": "16.0", "group_submission": False},
    "users": [{"email": "zoe.martin@uni.edu", "id": 31337, "name": "Zoë Martin"}],
    "previous_submissions": [],
}

# Appended to the reference: every task's functions are replaced by an attack except
# instancenorm's, so the submission earns exactly instancenorm's 2 points.
HOSTILE = r'''

# ---------------------------------------------------------------- hostile part
import json as _json
import os as _os
import sys as _sys
import time as _time

_FORGED = _json.dumps({"score": 16, "tests": [{"name": "forged", "score": 16, "max_score": 16}]})
_report = {}
for _path in ("/opt/autograder/assignment/tests/hidden/test_instancenorm.py",
              "/autograder/source/assignment/tests/hidden/test_instancenorm.py",
              "/autograder/source/assignment/batchnorm.py"):
    try:
        _report[_path] = open(_path).read()[:200]
    except Exception as _exc:
        _report[_path] = "denied: " + type(_exc).__name__
for _path in ("/autograder/results/results.json", "/autograder/run_autograder", "/opt/autograder/lib/autograder/results.py"):
    try:
        open(_path, "w").write(_FORGED)
        _report[_path] = "written"
    except Exception as _exc:
        _report[_path] = "denied: " + type(_exc).__name__
try:
    open("/exfil/report.json", "w").write(_json.dumps(_report))
except Exception:
    pass
# A daemon that keeps trying to replace results.json after grading.
try:
    if _os.fork() == 0:
        _os.setsid()
        if _os.fork() == 0:
            _end = _time.time() + 120
            while _time.time() < _end:
                try:
                    open("/autograder/results/results.json", "w").write(_FORGED)
                    open("/exfil/daemon_wrote", "w").write("yes")
                except Exception:
                    pass
                _time.sleep(0.1)
            _os._exit(0)
        _os._exit(0)
except Exception:
    pass


class _AlwaysEqual:
    def __eq__(self, other):
        return True

    def __array__(self, *args, **kwargs):
        raise TypeError("not an array")


def batchnorm_forward(x, gamma, beta, bn_param):
    return _AlwaysEqual(), None


def batchnorm_backward(dout, cache):
    while True:
        pass


def batchnorm_backward_alt(dout, cache):
    _sys.exit(0)


def layernorm_forward(x, gamma, beta, ln_param):
    print("=== 99 passed ===")
    _os._exit(0)


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    import numpy
    numpy.allclose = lambda *a, **k: True
    numpy.testing.assert_allclose = lambda *a, **k: None
    return x, None


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    raise SystemExit(0)
'''


def _docker(*args: str, timeout: float = 1200, check: bool = True) -> subprocess.CompletedProcess:
    completed = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    if check and completed.returncode != 0:
        raise AssertionError(f"docker {' '.join(args[:3])} failed ({completed.returncode}):\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}")
    return completed


@pytest.fixture(scope="module")
def gradescope_image(tmp_path_factory):
    """(image tag, zip path, setup seconds or None when reused)."""
    from wheelhouse import GRADER_PACKAGES, wheelhouse

    work = tmp_path_factory.mktemp("gradescope")
    zip_path = work / "autograder.zip"
    command = [sys.executable, "-m", "autograder.cli", "--base", str(REPO), "gradescope", ASSIGNMENT, "--out", str(zip_path)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    wheels = wheelhouse("grader", GRADER_PACKAGES)  # a superset of the zip's requirements.txt
    base_id = _docker("image", "inspect", "--format", "{{.Id}}", BASE_IMAGE).stdout.strip()
    digest = hashlib.sha256(zip_path.read_bytes() + base_id.encode() + "\n".join(sorted(p.name for p in wheels.glob("*.whl"))).encode())
    tag = f"autograder-gradescope-test:{digest.hexdigest()[:16]}"
    if _docker("image", "inspect", tag, check=False).returncode == 0:
        return tag, zip_path, None
    name = f"ag-gradescope-setup-{os.getpid()}"
    script = ("set -e; mkdir -p /autograder/source /autograder/results /autograder/submission; "
              "python3 -m zipfile -e /tmp/autograder.zip /autograder/source; "
              "cp /autograder/source/run_autograder /autograder/run_autograder; chmod 0755 /autograder/run_autograder; "
              "cd /autograder/source && bash ./setup.sh")
    started = time.monotonic()
    try:
        setup = _docker("run", "--name", name, "--network", "none", "-v", f"{zip_path}:/tmp/autograder.zip:ro",
                        "-v", f"{wheels}:/wheels:ro", "-e", "PIP_NO_INDEX=1", "-e", "PIP_FIND_LINKS=/wheels",
                        BASE_IMAGE, "bash", "-c", script, check=False)
        elapsed = time.monotonic() - started
        print(f"\nsetup.sh in {BASE_IMAGE}: {elapsed:.0f} s\n{setup.stdout[-2500:]}")
        assert setup.returncode == 0, f"setup.sh failed:\n{setup.stdout[-4000:]}\n{setup.stderr[-3000:]}"
        assert "check passed: the reference solution gets full marks in this image" in setup.stdout
        assert "installing from PIP_FIND_LINKS=/wheels (offline)" in setup.stdout
        _docker("commit", "--change", "WORKDIR /autograder", name, tag)
    finally:
        _docker("rm", "-f", name, check=False)
    # Images of earlier zips (each about 1.3 GB) are not kept.
    listed = _docker("image", "ls", "--format", "{{.Repository}}:{{.Tag}}", tag.split(":")[0]).stdout.split()
    for old in listed:
        if old != tag:
            _docker("image", "rm", old, check=False)
    return tag, zip_path, elapsed


def run_submission(tag, tmp_path, files: dict[str, bytes], *, before: str = "", metadata=METADATA) -> dict:
    """Run /autograder/run_autograder on ``files`` in a fresh container; what it left behind."""
    submission = tmp_path / "submission"
    results = tmp_path / "results"
    exfil = tmp_path / "exfil"
    for folder in (submission, results, exfil):
        folder.mkdir()
    os.chmod(exfil, 0o777)  # stands for a channel out (the network, in real life)
    for name, data in files.items():
        (submission / name).write_bytes(data)
    (tmp_path / "metadata.json").write_text(json.dumps(metadata))
    # After run_autograder: wait, then hash results.json again and list processes of worker uids (61000-62999).
    script = (f"{before}"
              "/autograder/run_autograder; echo \"rc=$?\"; "
              "sha256sum_of() { python3 -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],\"rb\").read()).hexdigest())' \"$1\" 2>/dev/null || echo none; }; "
              "echo \"hash1=$(sha256sum_of /autograder/results/results.json)\"; sleep 2; "
              "echo \"hash2=$(sha256sum_of /autograder/results/results.json)\"; "
              "python3 -c 'import os; print(\"worker_processes=\" + str([p for p in os.listdir(\"/proc\") if p.isdigit() and 61000 <= os.stat(\"/proc/\" + p).st_uid < 63000]))'")
    started = time.monotonic()
    completed = _docker("run", "--rm", "--network", "none", "--memory", MEMORY, "--memory-swap", MEMORY,
                        "-v", f"{submission}:/autograder/submission", "-v", f"{tmp_path / 'metadata.json'}:/autograder/submission_metadata.json:ro",
                        "-v", f"{results}:/autograder/results", "-v", f"{exfil}:/exfil", "-w", "/autograder", tag, "bash", "-c", script,
                        timeout=900, check=False)
    elapsed = time.monotonic() - started
    stdout = completed.stdout
    lines = dict(line.split("=", 1) for line in stdout.splitlines() if line.split("=", 1)[0] in ("rc", "hash1", "hash2", "worker_processes"))
    results_file = results / "results.json"
    payload = json.loads(results_file.read_text()) if results_file.is_file() else None
    exfil_report = json.loads((exfil / "report.json").read_text()) if (exfil / "report.json").is_file() else None
    print(f"\n--- {', '.join(files)}: {elapsed:.1f} s, rc={lines.get('rc')}\n{stdout[-1500:]}")
    return {"stdout": stdout, "rc": int(lines.get("rc", -1)), "payload": payload, "seconds": elapsed, "lines": lines,
            "exfil": exfil_report, "daemon_wrote": (exfil / "daemon_wrote").exists()}


def _reference() -> str:
    return (REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.py").read_text()


def _task_scores(payload) -> dict[str, float]:
    return {test["tags"][0]: test["score"] for test in payload["tests"]}


def test_correct_submission_gets_full_marks(gradescope_image, tmp_path):
    tag, _, _ = gradescope_image
    run = run_submission(tag, tmp_path, {f"{ASSIGNMENT}.py": _reference().encode()})
    payload = run["payload"]
    assert run["rc"] == 0 and payload is not None, run["stdout"][-3000:]
    jsonschema.validate(payload, SCHEMA)
    assert payload["score"] == 16 and payload["extra_data"]["status"] == "ok"
    assert payload["extra_data"]["owner"]["email"] == "zoe.martin@uni.edu" and payload["extra_data"]["owner"]["id"] == "31337"
    # The trust boundary is said: this image has no bubblewrap (and docker's default profile forbids namespaces).
    assert "sandbox: process" in run["stdout"] and "bwrap not used:" in run["stdout"]
    assert payload["extra_data"]["sandbox"] == "process"
    assert run["lines"]["worker_processes"] == "[]"


def test_buggy_submission_loses_the_right_points(gradescope_image, tmp_path):
    tag, _, _ = gradescope_image
    buggy = (REPO / "examples" / ASSIGNMENT / "bob_unbiased_running_var.py").read_bytes()
    run = run_submission(tag, tmp_path, {f"{ASSIGNMENT}.py": buggy})
    payload = run["payload"]
    assert run["rc"] == 0 and payload is not None, run["stdout"][-3000:]
    jsonschema.validate(payload, SCHEMA)
    scores = _task_scores(payload)
    assert 0 < payload["score"] < 16 and scores["bn_forward"] < 3
    assert scores["bn_backward"] == 2 and scores["layernorm"] == 2 and scores["instancenorm"] == 2


def test_hostile_submission_earns_only_what_it_computes(gradescope_image, tmp_path):
    tag, _, _ = gradescope_image
    run = run_submission(tag, tmp_path, {f"{ASSIGNMENT}.py": (_reference() + HOSTILE).encode()})
    payload = run["payload"]
    assert run["rc"] == 0 and payload is not None, run["stdout"][-3000:]
    jsonschema.validate(payload, SCHEMA)
    assert _task_scores(payload) == {"bn_forward": 0, "bn_backward": 0, "bn_backward_alt": 0, "layernorm": 0, "spatial_bn": 0,
                                     "groupnorm": 0, "instancenorm": 2}
    assert payload["score"] == 2 and payload["extra_data"]["status"] == "ok"
    # It ran (its report came out) but read no hidden test and wrote nothing of the grader's.
    report = run["exfil"]
    assert report is not None, "the hostile code did not run"
    assert all(value.startswith("denied") for value in report.values()), report
    # Its daemon never wrote results.json, did not outlive the grading, and results.json stayed the grader's.
    assert not run["daemon_wrote"] and run["lines"]["worker_processes"] == "[]"
    assert run["lines"]["hash1"] == run["lines"]["hash2"] != "none"


def test_unreadable_submission_scores_zero_with_its_reason(gradescope_image, tmp_path):
    tag, _, _ = gradescope_image
    truncated = (REPO / "tests" / "adversarial" / "01_truncated_notebook.ipynb").read_bytes()
    run = run_submission(tag, tmp_path, {f"{ASSIGNMENT}.ipynb": truncated})
    payload = run["payload"]
    assert run["rc"] == 0 and payload is not None, run["stdout"][-3000:]
    jsonschema.validate(payload, SCHEMA)
    assert payload["score"] == 0 and payload["extra_data"]["status"] == "student_error"
    assert "could not be graded" in payload["output"] and "notebook" in payload["output"].lower()


def test_grader_fault_is_a_failed_run_not_a_zero(gradescope_image, tmp_path):
    tag, _, _ = gradescope_image
    broken = "echo 'def test_broken(:' > /opt/autograder/assignment/tests/hidden/test_zz_broken.py; "
    run = run_submission(tag, tmp_path, {f"{ASSIGNMENT}.py": _reference().encode()}, before=broken)
    assert run["rc"] == 1 and run["payload"] is None and run["lines"]["hash1"] == "none", run["stdout"][-3000:]
    assert "status: grader_error" in run["stdout"] and "Gradescope reports a failed run" in run["stdout"]
