"""`autograder grade --executor ray`: on a real Ray cluster that these tests start on this machine.

The cluster (tests/ray_cluster.py) is a head (1 CPU) and a worker node (2 CPUs, 2 of a
custom ``grader`` resource), each a ``ray start --block`` of its own; the node-loss test
adds a second worker node and SIGKILLs its whole process tree mid-batch. Every batch goes
through the real CLI, as an instructor runs it. The batch: the reference, the stub, a
half-right module, a syntax error, a PDF renamed .py (refused by intake, on the driver), a
zip with a stray conftest.py (left behind, noted), and a submission on which the grader
itself breaks (a hidden test ends the harness: a grader fault on the node, retried, then
``grader_error``), plus a few more correct and wrong ones.

Skipped, with the reason shown, only where Ray is not installed or a cluster cannot start.
"""

from __future__ import annotations

import csv
import io
import json
import os
import pathlib
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile

import pytest

from autograder.folder_archive import ArchiveError, pack_folder, unpack_folder
from autograder.release import make_stub
from autograder.spec import load_spec
from ray_cluster import LocalRayCluster, ray_missing_reason

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
SEED = "1234"

# A hidden test on which the trusted side breaks for one submission (the one that defines
# break_the_grader): the grading child dies without writing outcomes, a grader fault.
GRADER_BREAKER = '''import os

import numpy as np
import pytest


@pytest.mark.task("stats")
def test_batch_mean(submission):
    """the batch mean is returned"""
    try:
        breaks = submission.break_the_grader()
    except Exception:
        breaks = False
    if breaks is True:
        os._exit(9)
    assert np.allclose(submission.update_running_mean(np.arange(4.0).reshape(2, 2), {}), [1.0, 2.0])
'''

# Ray's failure detection tuned for a test: a dead node is noticed in seconds, not half a minute.
FAST_FAILURE_DETECTION = {"health_check_period_ms": 1000, "health_check_failure_threshold": 3, "health_check_initial_delay_ms": 1000}


# ------------------------------------------------------------------ no cluster needed


def test_without_ray_the_cli_says_how_to_get_it(tmp_path):
    """Where Ray cannot be imported, --executor ray stops before grading anything, saying what to install."""
    shadow = tmp_path / "shadow" / "ray"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError(\"No module named 'ray'\")\n")
    submission = tmp_path / "solution.py"
    submission.write_text((FIXTURES / "solutions" / "toy" / "toy.py").read_text())
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path / "shadow"), str(pathlib.Path(__file__).resolve().parent.parent)])}
    completed = subprocess.run([sys.executable, "-m", "autograder.cli", "--base", str(FIXTURES), "grade", "--assignment", "toy",
                                "--out", str(tmp_path / "out"), "--executor", "ray", str(submission)],
                               capture_output=True, text=True, env=env, timeout=120)
    assert completed.returncode == 2, completed.stderr
    assert "--executor ray needs Ray" in completed.stderr and "pip install 'dl-autograder[ray]'" in completed.stderr
    assert not (tmp_path / "out" / "solution").exists()


def test_folder_archive_round_trip_and_refusals(tmp_path):
    source = tmp_path / "toy"
    shutil.copytree(FIXTURES / "solutions" / "toy", source)
    (source / "run.sh").write_text("#!/bin/sh\n")
    (source / "run.sh").chmod(0o755)
    (source / "link.py").symlink_to(source / "toy.py")
    data = pack_folder(source)
    assert data == pack_folder(source)  # the same folder, the same bytes
    files = unpack_folder(data, tmp_path / "copy")
    expected = sorted(p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file() and not p.is_symlink())
    assert sorted(files) == expected and "link.py" not in files
    for name in expected:
        assert (tmp_path / "copy" / name).read_bytes() == (source / name).read_bytes()
    assert os.access(tmp_path / "copy" / "run.sh", os.X_OK) and not os.access(tmp_path / "copy" / "toy.py", os.X_OK)

    import tarfile

    for member in (tarfile.TarInfo("../escape.py"), tarfile.TarInfo("/etc/escape.py")):
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
            archive.addfile(member, io.BytesIO(b""))
        with pytest.raises(ArchiveError, match="outside the folder"):
            unpack_folder(buffer.getvalue(), tmp_path / "refused")
    link = tarfile.TarInfo("toy.py")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        archive.addfile(link)
    with pytest.raises(ArchiveError, match="not a regular file"):
        unpack_folder(buffer.getvalue(), tmp_path / "refused-link")
    with pytest.raises(ArchiveError):
        unpack_folder(b"not an archive", tmp_path / "refused-bytes")


class FakeRay:
    """Just enough of Ray for the driver's bookkeeping, with slots that behave as scripted:
    ``fate(name)`` -> "ok" (a result comes back) or "die" (the slot's node is lost during the call);
    ``problem``: what every slot reports at start ("": ready). One call completes per wait()."""

    class exceptions:
        class RayError(Exception):
            pass

        class RayActorError(RayError):
            pass

        class ActorDiedError(RayActorError):
            pass

        class RayTaskError(RayError):
            pass

    def __init__(self, spec, fate, problem="", resources=None):
        self.spec, self.fate, self.problem = spec, fate, problem
        self.resources = resources or {"CPU": 4.0, "memory": 64.0 * 2**30}
        self.started = self.killed = 0
        self.calls: list[str] = []

    def nodes(self):
        return [{"Alive": True, "Resources": self.resources}]

    def put(self, value):
        return value

    def remote(self, cls):
        fake = self

        class Method:
            def __init__(self, run):
                self.remote = run

        class Actor:
            def __init__(self):
                fake.started += 1
                self.where = Method(lambda: (lambda: {"problem": fake.problem, "host": "fakehost", "ip": "10.9.9.9", "node": "f" * 20,
                                                            "sandbox": "process"}))
                self.grade = Method(self._grade)
                self.close = self.cancel = Method(lambda: (lambda: True))

            def _grade(self, name, bundle):
                fake.calls.append(name)

                def resolve():
                    if fake.fate(name) == "die":
                        raise FakeRay.exceptions.ActorDiedError("the actor died unexpectedly")
                    from autograder.outcomes import SubmissionResult, empty_tasks

                    return SubmissionResult(name=name, assignment=fake.spec.id, status="ok", tasks=empty_tasks(fake.spec), seed=1).to_json()
                return resolve

        class ActorClass:
            def options(self, **options):
                return self

            def remote(self, *arguments):
                return Actor()

        return ActorClass()

    def wait(self, refs, num_returns=1, timeout=None):
        return refs[:num_returns], refs[num_returns:]

    def get(self, ref):
        return ref()

    def kill(self, actor, no_restart=True):
        self.killed += 1


def fake_executor(fake, slots=2):
    from autograder.ray_executor import RayExecutor

    executor = RayExecutor(slots, log=lambda message: None)
    executor._ray = fake  # as if connected
    return executor


def test_a_submission_whose_slot_keeps_dying_is_a_grader_error_once_the_retries_are_spent(toy_spec, toy_reference, tmp_path):
    from autograder.grading import GradeOptions, grade_batch
    from autograder.ray_executor import RayExecutor

    paths = []
    for name in ("alpha", "poison", "omega"):
        (tmp_path / f"{name}.py").write_text(toy_reference)
        paths.append(tmp_path / f"{name}.py")
    fake = FakeRay(toy_spec, fate=lambda name: "die" if name == "poison" else "ok")
    executor = fake_executor(fake)
    options = GradeOptions(seed=1, progress=False, gradebook=tmp_path / "gradebook.sqlite")
    results = grade_batch(toy_spec, paths, tmp_path / "out", options, executor=executor)
    assert [r.status for r in results] == ["ok", "grader_error", "ok"]
    poison = results[1]
    assert poison.score == 0 and poison.attempts == RayExecutor.NODE_RETRIES + 1
    assert f"lost {RayExecutor.NODE_RETRIES + 1} times" in poison.message and "went away" in poison.message
    assert fake.calls.count("poison") == RayExecutor.NODE_RETRIES + 1 and fake.calls.count("alpha") == 1
    assert executor.stats["resent"] == RayExecutor.NODE_RETRIES and executor.stats["slots_lost"] == RayExecutor.NODE_RETRIES + 1
    assert fake.started == 2 + RayExecutor.NODE_RETRIES + 1  # each lost slot was replaced
    rows = sqlite3.connect(tmp_path / "gradebook.sqlite").execute("SELECT name, status FROM attempts").fetchall()
    assert sorted(rows) == [("alpha", "ok"), ("omega", "ok"), ("poison", "grader_error")]  # exactly one each
    assert "poison,grader_error,,3" in (tmp_path / "out" / "grades.csv").read_text()  # no score, never a zero


def test_a_node_that_cannot_grade_stops_the_batch_saying_why(toy_spec, toy_reference, tmp_path):
    from autograder.errors import SandboxUnavailable
    from autograder.grading import GradeOptions, grade_batch

    (tmp_path / "a.py").write_text(toy_reference)
    fake = FakeRay(toy_spec, fate=lambda name: "ok", problem="SandboxUnavailable: bubblewrap (bwrap) is not installed")
    with pytest.raises(SandboxUnavailable, match=r"a grading slot on fakehost .* cannot grade: SandboxUnavailable: bubblewrap"):
        grade_batch(toy_spec, [tmp_path / "a.py"], tmp_path / "out", GradeOptions(seed=1, progress=False), executor=fake_executor(fake))
    assert fake.calls == [] and fake.killed == 2  # nothing graded, every slot ended


def test_slot_shape_and_requests_no_node_can_hold(toy_spec):
    from autograder.errors import SandboxUnavailable
    from autograder.grading import BatchGrading, GradeOptions

    fake = FakeRay(toy_spec, fate=lambda name: "ok", resources={"CPU": 8.0, "memory": 16.0 * 2**30, "grader": 1.0})
    executor = fake_executor(fake)
    shape = executor.slot_shape(BatchGrading(toy_spec, "1+x", GradeOptions(gpu=True), warm=False))
    assert shape == {"CPU": 1.0, "memory": float((1024 + 1024) << 20), "GPU": 1.0}  # limits.memory_mb + the harness
    with pytest.raises(SandboxUnavailable, match=r"--gpus asks every grading slot for a GPU.*CPU 8, memory 16 GiB, grader 1"):
        executor.check_fits(shape)
    executor.resources = {"grader": 2.0}
    with pytest.raises(SandboxUnavailable, match=r"asks for CPU 1, memory 2 GiB, grader 2 \(nodes: CPU 8"):
        executor.check_fits(executor.slot_shape(BatchGrading(toy_spec, "1+x", GradeOptions(), warm=False)))
    executor.resources = {"grader": 1.0}
    executor.check_fits(executor.slot_shape(BatchGrading(toy_spec, "1+x", GradeOptions(), warm=False)))  # fits


# ------------------------------------------------------------------ on a local Ray cluster


@pytest.fixture(scope="module")
def cluster():
    reason = ray_missing_reason()
    if reason:
        pytest.skip(reason)
    local = LocalRayCluster(system_config=FAST_FAILURE_DETECTION)
    try:
        local.start_head(cpus=1)
        local.add_node(cpus=2, resources={"grader": 2})
    except (RuntimeError, OSError) as exc:
        local.stop()
        pytest.skip(f"a local Ray cluster could not be started here: {exc}")
    try:
        yield local
    finally:
        local.stop()


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The toy assignment (with the grader-breaking hidden test) and a batch of submissions."""
    folder = tmp_path_factory.mktemp("ray-course")
    base = folder / "course"
    shutil.copytree(FIXTURES, base, ignore=shutil.ignore_patterns("__pycache__"))
    (base / "solutions" / "toy" / "tests" / "hidden" / "test_grader_breaker.py").write_text(GRADER_BREAKER)
    reference = (base / "solutions" / "toy" / "toy.py").read_text()
    submissions = folder / "subs"
    submissions.mkdir()
    (submissions / "solution.py").write_text(reference)
    (submissions / "stub.py").write_text(make_stub(reference, load_spec(base / "solutions" / "toy")))
    half = reference.replace('return dout * cache["factor"]', "return dout")
    (submissions / "half.py").write_text(half)
    (submissions / "syntax.py").write_text("def scale_forward(x f):\n")
    (submissions / "junk.py").write_bytes(b"%PDF-1.4 not python")
    (submissions / "breaks_grader.py").write_text(reference + "\n\ndef break_the_grader():\n    return True\n")
    with zipfile.ZipFile(submissions / "zipped.zip", "w") as archive:
        archive.writestr("toy.py", half)
        archive.writestr("conftest.py", "import os\nos._exit(0)\n")
    for index in range(7):  # more of the batch: correct, or wrong in the running mean
        body = reference if index % 2 else reference.replace("0.9 * running + 0.1 * mean", "0.5 * running + 0.5 * mean")
        (submissions / f"student{index}.py").write_text(body + f"\n# student {index}\n")
    return base, sorted(submissions.iterdir())


def grade(base, out, paths, *extra, check=True, timeout=600):
    command = [sys.executable, "-m", "autograder.cli", "--base", str(base), "grade", "--assignment", "toy", "--out", str(out),
               "--seed", SEED, "--sandbox", "process", "--retries", "1", *extra, *map(str, paths)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if check:
        assert completed.returncode == 0, completed.stderr[-4000:] + completed.stdout
    return completed


def gradebook_rows(out) -> list[tuple[str, str]]:
    return sqlite3.connect(out / "gradebook.sqlite").execute("SELECT name, status FROM attempts ORDER BY id").fetchall()


def comparable(results_json: pathlib.Path) -> dict:
    """A results.json without what differs between two runs of the same grading: time taken, which Ray node."""
    payload = json.loads(results_json.read_text())
    payload.pop("execution_time", None)
    environment = payload.get("extra_data", {}).get("environment", {})
    environment.pop("ray_node", None)
    environment.pop("ray_node_ip", None)
    return payload


@pytest.fixture(scope="module")
def local_out(course, tmp_path_factory):
    base, paths = course
    out = tmp_path_factory.mktemp("ray-local") / "out"
    grade(base, out, paths, "--jobs", "2", "--quiet")
    return out


@pytest.mark.slow
def test_a_ray_batch_grades_exactly_as_a_local_one(cluster, course, local_out, tmp_path):
    base, paths = course
    out = tmp_path / "out"
    completed = grade(base, out, paths, "--jobs", "3", "--executor", "ray", "--ray-address", cluster.address)
    assert f"graded {len(paths)} submission(s)" in completed.stdout
    assert (out / "grades.csv").read_bytes() == (local_out / "grades.csv").read_bytes()
    rows = {row["name"]: row for row in csv.DictReader((out / "grades.csv").open())}
    assert rows["solution"]["total"] == "3" and rows["stub"]["total"] == "0" and rows["junk"]["status"] == "student_error"
    assert rows["breaks_grader"]["status"] == "grader_error" and rows["breaks_grader"]["total"] == ""  # never a zero
    for name in rows:
        assert comparable(out / name / "results.json") == comparable(local_out / name / "results.json"), name
        assert (out / name / "feedback.md").read_text() == (local_out / name / "feedback.md").read_text(), name
    broken = json.loads((out / "breaks_grader" / "results.json").read_text())
    assert "the harness failed (exit 9)" in broken["output"] and broken["extra_data"]["attempts"] == 2  # --retries 1, on the node
    graded_on = {json.loads((out / name / "results.json").read_text())["extra_data"]["environment"].get("ray_node_ip") for name in rows}
    assert graded_on - {None} <= {"127.0.0.2", "127.0.0.3"} and graded_on - {None}, graded_on  # graded on the cluster's nodes
    assert json.loads((out / "junk" / "results.json").read_text())["extra_data"]["environment"].get("ray_node") is None  # intake: the driver
    assert "conftest.py" in (out / "zipped" / "feedback.md").read_text()
    assert sorted(name for name, _ in gradebook_rows(out)) == sorted(rows)  # one gradebook row each
    assert "grading toy [" in completed.stderr  # the driver's progress, as locally


@pytest.mark.slow
def test_a_gpu_request_the_cluster_cannot_hold_is_refused(cluster, course, tmp_path):
    base, paths = course
    out = tmp_path / "out"
    completed = grade(base, out, paths[:1], "--gpus", "--executor", "ray", "--ray-address", cluster.address, check=False)
    assert completed.returncode == 2, completed.stderr
    assert "--gpus asks every grading slot for a GPU, and no node of the Ray cluster has one" in completed.stderr
    assert "CPU 2" in completed.stderr and "grader 2" in completed.stderr  # what the nodes offer
    assert not (out / "grades.csv").exists()


def wait_for(predicate, process: subprocess.Popen, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if process.poll() is not None:
            raise AssertionError(f"the batch ended before {what}: {process.stderr.read()[-3000:]}")
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def graded_on(out: pathlib.Path, ip: str) -> list[str]:
    found = []
    for path in out.glob("*/results.json"):
        try:
            if json.loads(path.read_text())["extra_data"]["environment"].get("ray_node_ip") == ip:
                found.append(path.parent.name)
        except (OSError, ValueError, KeyError):
            pass  # being written
    return found


@pytest.mark.slow
def test_a_node_lost_mid_batch_loses_and_duplicates_nothing(cluster, course, local_out, tmp_path):
    """Slots need the ``grader`` resource: two on the first worker node, two on a node added here, which is
    SIGKILLed (everything on it) while grading. Its submissions are graded again on the survivor."""
    base, paths = course
    doomed = cluster.add_node(cpus=2, resources={"grader": 2})
    out = tmp_path / "out"
    command = [sys.executable, "-m", "autograder.cli", "--base", str(base), "grade", "--assignment", "toy", "--out", str(out),
               "--seed", SEED, "--sandbox", "process", "--retries", "1", "--jobs", "4", "--executor", "ray",
               "--ray-address", cluster.address, "--ray-resources", "grader=1", *map(str, paths)]
    batch = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # Once the doomed node has returned a result, its slots are grading the next ones (the queue is long): kill it.
        wait_for(lambda: graded_on(out, doomed.ip), batch, 300, "the doomed node graded a submission")
        cluster.kill_node(doomed)
        killed_at = time.monotonic()
        stdout, stderr = batch.communicate(timeout=600)
    finally:
        if batch.poll() is None:
            batch.kill()
    assert batch.returncode == 0, stderr[-4000:]
    assert "lost the grading of" in stderr, stderr[-4000:]  # something was in flight there, and was sent again
    rows = gradebook_rows(out)
    assert sorted(name for name, _ in rows) == sorted({name for name, _ in rows}) and len(rows) == len(paths)  # exactly one each
    assert len(list(out.glob("*/results.json"))) == len(paths)
    assert (out / "grades.csv").read_bytes() == (local_out / "grades.csv").read_bytes()
    print(f"batch ended {time.monotonic() - killed_at:.1f} s after the node was killed;",
          *[line for line in stderr.splitlines() if "lost" in line], sep="\n")


@pytest.mark.slow
def test_ctrl_c_keeps_finished_results_and_resume_grades_the_rest(cluster, course, local_out, tmp_path):
    base, paths = course
    out = tmp_path / "out"
    command = [sys.executable, "-m", "autograder.cli", "--base", str(base), "grade", "--assignment", "toy", "--out", str(out),
               "--seed", SEED, "--sandbox", "process", "--retries", "1", "--jobs", "2", "--executor", "ray",
               "--ray-address", cluster.address, "--quiet", *map(str, paths)]
    batch = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: len(list(out.glob("*/results.json"))) >= 2, batch, 300, "two results")
        batch.send_signal(signal.SIGINT)
        interrupted_at = time.monotonic()
        _, stderr = batch.communicate(timeout=120)
    finally:
        if batch.poll() is None:
            batch.kill()
    stopped_in = time.monotonic() - interrupted_at
    assert batch.returncode == 130, stderr[-3000:]
    assert "interrupted after" in stderr and "--resume" in stderr
    assert stopped_in < 60, stopped_in
    first = gradebook_rows(out)
    assert 2 <= len(first) < len(paths) and len({name for name, _ in first}) == len(first)
    grade(base, out, paths, "--jobs", "2", "--executor", "ray", "--ray-address", cluster.address, "--quiet", "--resume")
    rows = gradebook_rows(out)
    graded = [name for name, status in rows if status != "grader_error"]  # a grader error is graded again by --resume, as locally
    assert sorted({name for name, _ in rows}) == sorted(p.name.rsplit(".", 1)[0] for p in paths)
    assert len(graded) == len(set(graded)) == len(paths) - 1  # all but breaks_grader, once each
    assert (out / "grades.csv").read_bytes() == (local_out / "grades.csv").read_bytes()


SLOT_PROBE = '''
import json, pathlib, sys
from autograder.folder_archive import pack_folder
from autograder.grading import GradeOptions
from autograder.intake import intake
from autograder.ray_slot import GradingSlot, SlotJob, framework_fingerprint, pack_bundle
from autograder.spec import assignment_version, load_spec

root, submission, framework, version = sys.argv[1:5]
spec = load_spec(root)
job = SlotJob(spec.root.name, version or assignment_version(spec), framework or framework_fingerprint(),
              GradeOptions(sandbox="process", seed=7, retries=0), warm=False, cpus=1)
slot = GradingSlot(pack_folder(spec.root), job, 0)
report = {"where": slot.where()}
if not report["where"]["problem"]:
    report["result"] = json.loads(slot.grade("alice", pack_bundle(intake(pathlib.Path(submission), spec))))
slot.close()
print(json.dumps(report))
'''


def test_a_slot_grades_from_the_snapshot_alone_and_refuses_other_code_or_another_version(toy_base, toy_reference, tmp_path):
    """The node side without Ray (each case in a process of its own, as an actor is): the slot grades
    from the bytes it was given, and says why it cannot when the code or the assignment differ."""
    snapshot_root = tmp_path / "instructor" / "toy"
    shutil.copytree(toy_base / "solutions" / "toy", snapshot_root)
    submission = tmp_path / "alice.py"
    submission.write_text(toy_reference.replace('return dout * cache["factor"]', "return dout"))

    def probe(framework="", version=""):
        completed = subprocess.run([sys.executable, "-c", SLOT_PROBE, str(snapshot_root), str(submission), framework, version],
                                   capture_output=True, text=True, timeout=300)
        assert completed.returncode == 0, completed.stderr[-3000:]
        return json.loads(completed.stdout.strip().splitlines()[-1])

    report = probe()
    assert report["where"]["problem"] == "" and report["where"]["sandbox"] == "process"
    result = report["result"]
    assert result["status"] == "ok" and result["name"] == "alice" and result["seed"] == 7
    assert [task["score"] for task in result["tasks"]] == pytest.approx([2 * 2 / 3, 1])  # the backward test fails, as locally
    assert "other grader code" in probe(framework="0" * 64)["where"]["problem"]
    assert "arrived as version" in probe(version="1+000000000000")["where"]["problem"]
