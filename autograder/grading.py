"""Grading a batch: each submission goes intake -> sandbox (harness + worker) -> scores -> files.

Two layers, so that where a grading runs can change without changing what it does:

- :func:`grade_submission` grades one submission to a :class:`SubmissionResult` and
  never raises (but for :class:`~autograder.errors.GradingCancelled`): any failure
  becomes that submission's result. Grader faults are retried ``retries`` times, then
  recorded as ``grader_error`` (no score), never as a zero.
- :func:`grade_batch` is the driver: it snapshots the assignment, skips what the
  gradebook already holds (``--resume``), hands the rest to an *executor* (local job
  slots here, :mod:`autograder.ray_executor` on a cluster), and alone writes
  ``results.json``/``feedback.md`` per submission, the gradebook, ``grades.csv`` and
  JUnit, as results come back.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import hashlib
import os
import pathlib
import queue
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable

from autograder.errors import BatchInterrupted, GraderFault, GradingCancelled, IntakeError
from autograder.gradebook import Gradebook
from autograder.intake import SourceBundle, intake, submission_name
from autograder.outcomes import SubmissionResult, empty_tasks, score_outcomes
from autograder.progress import Progress
from autograder.results import write_csv, write_junit, write_submission_files
from autograder.spec import AssignmentSpec, assignment_version, snapshot_spec

__all__ = ["BatchGrading", "BatchInterrupted", "GradeOptions", "LocalExecutor", "Submission", "finish_result", "grade_batch", "grade_bundle", "grade_submission",
           "submission_hash", "take_in"]


@dataclasses.dataclass
class GradeOptions:
    sandbox: str = "process"               # resolved name ("bwrap", never "auto") once a batch starts
    jobs: int = 1
    seed: int | None = None
    gpu: bool = False
    gpu_devices: str = "all"  # docker's --gpus value: "all" or a device list such as "device=0,1"
    retries: int = 2
    formats: tuple[str, ...] = ()
    progress: bool = True
    tests: str = "hidden"
    gradebook: pathlib.Path | None = None  # SQLite file recording every attempt (autograder.gradebook)
    resume: bool = False                   # skip submissions the gradebook already holds a graded result for
    warm: bool | None = None               # grade the reference first per seed (None: when the batch is big enough)
    seed_drawn: bool = False               # the seed was drawn at random here, not given (set by resolved_seed)

    def resolved_seed(self) -> int:
        if self.seed is None:
            self.seed = int.from_bytes(os.urandom(4), "little")
            self.seed_drawn = True
        return self.seed


@dataclasses.dataclass(frozen=True)
class Submission:
    """One submission of a batch: where it is, its (unique, folder-safe) name, its content hash, its owner."""

    path: pathlib.Path
    name: str
    content_hash: str
    owner: object | None = None  # autograder.owner.SubmissionOwner, where the batch knows who submitted it


def submission_hash(path: pathlib.Path) -> str:
    """SHA-256 over a file, or over a directory's relative paths and contents."""
    digest = hashlib.sha256()
    try:
        if path.is_dir():
            for item in sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink()):
                digest.update(item.relative_to(path).as_posix().encode() + b"\0")
                digest.update(item.read_bytes())
        else:
            with open(path, "rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
    except OSError:
        return ""
    return digest.hexdigest()


def take_in(spec: AssignmentSpec, submission: Submission, options: GradeOptions) -> SourceBundle | SubmissionResult:
    """Intake of one submission: its source bundle, or its result when it cannot be graded as submitted."""
    try:
        return intake(submission.path, spec)
    except IntakeError as exc:
        return SubmissionResult(name=submission.name, assignment=spec.id, status="student_error", tasks=empty_tasks(spec),
                                seed=options.seed, message=str(exc))
    except Exception as exc:  # noqa: BLE001 (a bug in intake is the grader's fault)
        return SubmissionResult(name=submission.name, assignment=spec.id, status="grader_error", tasks=empty_tasks(spec),
                                seed=options.seed, message=f"intake failed: {type(exc).__name__}: {exc}")


def grade_bundle(spec: AssignmentSpec, name: str, bundle: SourceBundle, sandbox, options: GradeOptions, slot: int = 0,
                 *, warm: bool = False, owner: str | None = None) -> SubmissionResult:
    """Grade a source bundle in ``sandbox``, retrying grader faults; removes the bundle. Never raises (but for GradingCancelled).

    What runs where the sandbox is: on this machine for a local batch, on a node for
    :mod:`autograder.ray_executor`.
    """
    result = SubmissionResult(name=name, assignment=spec.id, status="grader_error", tasks=empty_tasks(spec), seed=options.seed)
    try:
        for attempt in range(1, options.retries + 2):
            result.attempts = attempt
            try:
                outcomes = sandbox.grade(spec, bundle.directory, seed=options.resolved_seed(), slot=slot, gpu=options.gpu,
                                         tests=options.tests, warm=warm, jobs=options.jobs, owner=owner,
                                         seed_fixed=not options.seed_drawn)
            except GraderFault as exc:
                result.message = f"the grader failed: {exc}"
                continue
            scored = score_outcomes(spec, name, outcomes, gpu_requested=options.gpu)
            scored.attempts = attempt
            scored.notes = bundle.notes + scored.notes
            scored.warnings = sorted(set(scored.warnings))
            result = scored
            if result.status != "grader_error":
                break
    except GradingCancelled:
        raise
    except Exception as exc:  # noqa: BLE001 (never let one submission break the batch)
        result.status = "grader_error"
        result.message = f"the grader failed: {type(exc).__name__}: {exc}"
    finally:
        bundle.cleanup()
    result.sandbox = options.sandbox
    return result


def finish_result(result: SubmissionResult, submission: Submission, options: GradeOptions, elapsed: float) -> SubmissionResult:
    """What the batch knows about a submission and its result has not: content hash, owner, sandbox, time taken."""
    result.submission_hash = submission.content_hash
    result.owner = submission.owner.label if submission.owner is not None else ""
    result.sandbox = result.sandbox or options.sandbox
    result.execution_time = elapsed
    return result


def grade_submission(spec: AssignmentSpec, submission: Submission, sandbox, options: GradeOptions, slot: int = 0,
                     *, warm: bool = False) -> SubmissionResult:
    """Grade one submission; never raises (a cancelled batch raises :class:`GradingCancelled`)."""
    started = time.monotonic()
    taken = take_in(spec, submission, options)
    owner = submission.owner.to_json() if submission.owner is not None else None
    result = taken if isinstance(taken, SubmissionResult) else grade_bundle(spec, submission.name, taken, sandbox, options, slot,
                                                                            warm=warm, owner=owner)
    return finish_result(result, submission, options, time.monotonic() - started)


def unique_names(paths: list[pathlib.Path]) -> list[str]:
    """Folder-safe, distinct names: the file name without extension, then -2, -3, ..."""
    names, seen = [], set()
    for path in paths:
        base = re.sub(r"[^\w.@+-]", "_", submission_name(path)).strip(".") or "submission"
        name, counter = base, 2
        while name in seen:
            name, counter = f"{base}-{counter}", counter + 1
        seen.add(name)
        names.append(name)
    return names


GradeFunction = Callable[[Submission, int], SubmissionResult]


class BatchGrading:
    """``grade(submission, slot)`` of one batch, and what every grading of the batch shares.

    A :class:`LocalExecutor` just calls it. An executor that grades elsewhere
    (:mod:`autograder.ray_executor`) ships what a node needs instead: ``spec`` (the
    batch's snapshot of the assignment), ``version``, ``options``, ``warm``; and calls
    :meth:`take_in` before and :meth:`finish` after each remote grading, here on the driver.
    """

    def __init__(self, spec: AssignmentSpec, version: str, options: GradeOptions, warm: bool, sandbox=None):
        self.spec = spec
        self.version = version
        self.options = options
        self.warm = warm
        self.sandbox = sandbox
        self.started_at: dict[str, float] = {}  # submission name -> when its grading started (time.time())

    def __call__(self, submission: Submission, slot: int) -> SubmissionResult:
        self.started_at[submission.name] = time.time()
        return grade_submission(self.spec, submission, self.sandbox, self.options, slot, warm=self.warm)

    def take_in(self, submission: Submission) -> SourceBundle | SubmissionResult:
        """Intake, where the driver is: the bundle to ship, or the result when it cannot be graded as submitted."""
        self.started_at[submission.name] = time.time()
        return take_in(self.spec, submission, self.options)

    def finish(self, result: SubmissionResult, submission: Submission, elapsed: float) -> SubmissionResult:
        return finish_result(result, submission, self.options, elapsed)


class LocalExecutor:
    """Runs gradings on ``jobs`` local job slots (threads, each driving its own harness)."""

    def __init__(self, jobs: int, sandbox):
        self.jobs = max(1, jobs)
        self.sandbox = sandbox

    def run(self, submissions: list[Submission], grade: GradeFunction, on_result: Callable[[Submission, SubmissionResult], None]) -> None:
        """Grade every submission with ``grade(submission, slot)``; ``on_result`` as each finishes.

        Ctrl-C or SIGTERM cancels the sandbox (running gradings stop, none starts) and raises
        :class:`GradingCancelled`; finished results were already handed to ``on_result``.
        """
        slots: queue.Queue[int] = queue.Queue()
        for slot in range(self.jobs):
            slots.put(slot)

        def work(submission: Submission) -> None:
            if getattr(self.sandbox, "cancelled", False):
                raise GradingCancelled()
            slot = slots.get()
            try:
                result = grade(submission, slot)
            finally:
                slots.put(slot)
            on_result(submission, result)

        pool = concurrent.futures.ThreadPoolExecutor(max_workers=self.jobs)
        try:
            for future in [pool.submit(work, submission) for submission in submissions]:
                future.result()
        except (KeyboardInterrupt, GradingCancelled):
            self.sandbox.cancel()
            pool.shutdown(wait=True, cancel_futures=True)
            raise GradingCancelled() from None
        finally:
            pool.shutdown(wait=True)


def grade_batch(spec: AssignmentSpec, paths: list[pathlib.Path], out_dir: pathlib.Path, options: GradeOptions, sandbox=None,
                executor=None, owners: dict | None = None) -> list[SubmissionResult]:
    """Grade ``paths``; write per-submission files, the gradebook and ``grades.csv``. Returns the results in order.

    ``owners``: submission path (as given) -> who submitted it (:class:`autograder.owner.SubmissionOwner`), where the batch knows.
    ``executor``: where the gradings run; by default a :class:`LocalExecutor` of ``options.jobs``
    slots with ``sandbox`` (made here when not given). An executor that grades elsewhere
    (:class:`autograder.ray_executor.RayExecutor`) makes its sandboxes where it grades: none is made here.
    """
    from autograder.sandbox import make_sandbox, resolve_sandbox

    if executor is None:
        options.sandbox = resolve_sandbox(options.sandbox)
        sandbox = sandbox or make_sandbox(options.sandbox, gpus=options.gpu_devices)
        executor = LocalExecutor(options.jobs, sandbox)
    elif options.sandbox != "auto":
        options.sandbox = resolve_sandbox(options.sandbox)  # an executor that grades elsewhere makes its sandboxes there ("auto": per node)
    out_dir.mkdir(parents=True, exist_ok=True)
    # The whole batch grades against one copy of the assignment, whatever is edited meanwhile.
    snapshot_dir = pathlib.Path(tempfile.mkdtemp(prefix="ag-assignment-"))
    try:
        spec = snapshot_spec(spec, snapshot_dir)
        return _grade_batch(spec, paths, out_dir, options, sandbox, executor, owners or {})
    finally:
        if sandbox is not None:
            sandbox.close()
        shutil.rmtree(snapshot_dir, ignore_errors=True)


def _grade_batch(spec: AssignmentSpec, paths: list[pathlib.Path], out_dir: pathlib.Path, options: GradeOptions, sandbox, executor,
                 owners: dict) -> list[SubmissionResult]:
    version = assignment_version(spec)
    submissions = [Submission(path, name, submission_hash(path), owners.get(str(path)))
                   for path, name in zip(paths, unique_names(paths))]
    progress = Progress(len(submissions), label=f"grading {spec.id}", enabled=options.progress)
    gradebook = Gradebook(options.gradebook) if options.gradebook else None
    if gradebook is not None and options.resume and options.seed is None:
        options.seed = gradebook.last_seed(spec.id)  # the rest of the batch gets the same hidden inputs
    options.resolved_seed()
    results: dict[str, SubmissionResult] = {}
    lock = threading.Lock()
    pending = []
    for submission in submissions:
        done = gradebook.finished(spec.id, submission.name, submission.content_hash, version) if gradebook is not None and options.resume else None
        if done is not None:
            write_submission_files(out_dir, done)
            results[submission.name] = done
            progress.advance(done.status)
        else:
            pending.append(submission)
    warm = options.warm if options.warm is not None else len(pending) >= 2 * max(1, options.jobs)
    prepare = getattr(sandbox, "prepare", None)
    if callable(prepare) and pending:  # harnesses start while the first submissions are taken in
        prepare(spec, min(max(1, options.jobs), len(pending)), gpu=options.gpu, tests=options.tests, jobs=options.jobs)
    grade = BatchGrading(spec, version, options, warm, sandbox)

    def record(submission: Submission, result: SubmissionResult) -> None:
        result.assignment_version = version
        write_submission_files(out_dir, result)
        with lock:
            results[submission.name] = result
            if gradebook is not None:
                gradebook.record(result, path=submission.path, assignment_version=version, sandbox=result.sandbox or options.sandbox,
                                 started_at=grade.started_at.get(submission.name))
        progress.advance(result.status)

    try:
        executor.run(pending, grade, record)
    except GradingCancelled:
        # Ctrl-C or SIGTERM: what finished is in the gradebook; what was cancelled has no result, so --resume grades it.
        raise BatchInterrupted(progress.done, len(submissions)) from None
    finally:
        if gradebook is not None:
            gradebook.close()
    ordered = [results[submission.name] for submission in submissions]
    write_csv(out_dir / "grades.csv", ordered, [task.id for task in spec.tasks])
    if "junit" in options.formats:
        write_junit(out_dir / "junit.xml", ordered)
    return ordered
