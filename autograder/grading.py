"""Grading a batch: each submission goes intake -> sandbox (harness + worker) -> scores -> files.

Any failure in one submission becomes a result for that submission; the batch
goes on. Grader faults are retried ``retries`` times, then recorded as
``grader_error`` (no score), never as a zero.
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
import time

from autograder.gradebook import Gradebook
from autograder.errors import GraderFault
from autograder.harness.scoring import SubmissionResult, empty_tasks, score_outcomes
from autograder.intake import IntakeError, intake, submission_name
from autograder.progress import Progress
from autograder.results import write_csv, write_junit, write_submission_files
from autograder.sandbox import GradingCancelled
from autograder.spec import AssignmentSpec, assignment_version, snapshot_spec

__all__ = ["BatchInterrupted", "GradeOptions", "grade_batch", "grade_one", "close_sandbox", "stop_sandbox", "submission_hash"]


@dataclasses.dataclass
class GradeOptions:
    sandbox: str = "process"
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

    def resolved_seed(self) -> int:
        if self.seed is None:
            self.seed = int.from_bytes(os.urandom(4), "little")
        return self.seed


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


def grade_one(spec: AssignmentSpec, path: pathlib.Path, name: str, sandbox, options: GradeOptions, slot: int = 0,
              content_hash: str | None = None) -> SubmissionResult:
    """Grade one submission; never raises. ``content_hash``: its :func:`submission_hash`, if already known."""
    started = time.monotonic()
    result = SubmissionResult(name=name, assignment=spec.id, status="grader_error", tasks=empty_tasks(spec), seed=options.seed)
    result.submission_hash = content_hash if content_hash is not None else submission_hash(path)
    bundle = None
    try:
        bundle = intake(path, spec)
    except IntakeError as exc:
        result.status = "student_error"
        result.message = str(exc)
    except Exception as exc:  # a bug in intake is the grader's fault
        result.message = f"intake failed: {type(exc).__name__}: {exc}"
    if bundle is not None:
        try:
            for attempt in range(1, options.retries + 2):
                result.attempts = attempt
                try:
                    outcomes = sandbox.run(spec, bundle.directory, seed=options.resolved_seed(), slot=slot, gpu=options.gpu, tests=options.tests)
                except GraderFault as exc:
                    result.message = f"the grader failed: {exc}"
                    continue
                scored = score_outcomes(spec, name, outcomes, gpu_requested=options.gpu)
                scored.attempts = attempt
                scored.submission_hash = result.submission_hash
                scored.warnings = sorted(set(scored.warnings))
                scored.notes = bundle.notes + scored.notes
                result = scored
                if result.status != "grader_error":
                    break
        except Exception as exc:  # never let one submission break the batch
            result.status = "grader_error"
            result.message = f"the grader failed: {type(exc).__name__}: {exc}"
        finally:
            bundle.cleanup()
    result.execution_time = time.monotonic() - started
    return result


def _unique_names(paths: list[pathlib.Path]) -> list[str]:
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


class BatchInterrupted(Exception):
    """``grade_batch`` was stopped by Ctrl-C or SIGTERM after ``done`` of ``total`` submissions."""

    def __init__(self, done: int, total: int):
        super().__init__(f"interrupted after {done} of {total} submission(s); finished results are in the gradebook")
        self.done = done
        self.total = total


def stop_sandbox(sandbox) -> None:
    """Cancel what a sandbox is running (a sandbox without ``cancel`` is left to finish)."""
    cancel = getattr(sandbox, "cancel", None)
    if cancel is not None:
        cancel()


def close_sandbox(sandbox) -> None:
    """Release what a sandbox keeps between submissions (``docker-chunk``'s containers)."""
    close = getattr(sandbox, "close", None)
    if close is not None:
        close()


def grade_batch(spec: AssignmentSpec, paths: list[pathlib.Path], out_dir: pathlib.Path, options: GradeOptions, sandbox=None) -> list[SubmissionResult]:
    """Grade ``paths`` with ``options.jobs`` in parallel; write per-submission files and ``grades.csv``."""
    from autograder.sandbox import make_sandbox

    sandbox = sandbox or make_sandbox(options.sandbox, gpus=options.gpu_devices)
    out_dir.mkdir(parents=True, exist_ok=True)
    # The whole batch grades against one copy of the assignment, whatever is edited meanwhile.
    snapshot_dir = pathlib.Path(tempfile.mkdtemp(prefix="ag-assignment-"))
    try:
        spec = snapshot_spec(spec, snapshot_dir)
        return _grade_batch(spec, paths, out_dir, options, sandbox)
    finally:
        shutil.rmtree(snapshot_dir, ignore_errors=True)


def _grade_batch(spec: AssignmentSpec, paths: list[pathlib.Path], out_dir: pathlib.Path, options: GradeOptions, sandbox) -> list[SubmissionResult]:
    version = assignment_version(spec)
    names = _unique_names(paths)
    progress = Progress(len(paths), label=f"grading {spec.id}", enabled=options.progress)
    slots: queue.Queue[int] = queue.Queue()
    for slot in range(max(1, options.jobs)):
        slots.put(slot)

    gradebook = Gradebook(options.gradebook) if options.gradebook else None
    if gradebook is not None and options.resume and options.seed is None:
        options.seed = gradebook.last_seed(spec.id)  # the rest of the batch gets the same hidden inputs
    options.resolved_seed()

    def work(path: pathlib.Path, name: str) -> SubmissionResult:
        if getattr(sandbox, "cancelled", False):
            raise GradingCancelled()
        content_hash = submission_hash(path)  # hashed once: the resume check and the gradebook row share it
        if gradebook is not None and options.resume:
            done = gradebook.finished(spec.id, name, content_hash, version)
            if done is not None:
                write_submission_files(out_dir, done)
                progress.advance(done.status)
                return done
        started_at = time.time()
        slot = slots.get()
        try:
            result = grade_one(spec, path, name, sandbox, options, slot, content_hash)
        finally:
            slots.put(slot)
        result.assignment_version = version
        write_submission_files(out_dir, result)
        if gradebook is not None:
            gradebook.record(result, path=path, assignment_version=version, sandbox=options.sandbox, started_at=started_at)
        progress.advance(result.status)
        return result

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, options.jobs))
    try:
        results = list(pool.map(work, paths, names))
    except (KeyboardInterrupt, GradingCancelled):
        # Ctrl-C or SIGTERM: stop the running gradings now, start no new one. What finished is
        # in the gradebook; what was cancelled has no result, so --resume grades it.
        stop_sandbox(sandbox)
        pool.shutdown(wait=True, cancel_futures=True)
        raise BatchInterrupted(progress.done, len(paths)) from None
    finally:
        pool.shutdown(wait=True)
        close_sandbox(sandbox)
        if gradebook is not None:
            gradebook.close()
    write_csv(out_dir / "grades.csv", results, [task.id for task in spec.tasks])
    if "junit" in options.formats:
        write_junit(out_dir / "junit.xml", results)
    return results
