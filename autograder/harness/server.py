"""The warm harness: one long-lived trusted process per job slot, a forked child per submission.

    python -m autograder.harness.server --assignment DIR --launcher bwrap --slot 0 [--tests hidden] [--gpu] [--threads 1]

What every submission would otherwise pay again (starting Python, importing
pytest, numpy, torch and the plugin, collecting the assignment's tests, starting a
worker's Python with NumPy) is paid once per slot:

1. at start: the slot's worker launcher starts its zygote (in parallel), the spec is
   loaded and the tests are collected (:class:`~autograder.harness.runner.TestSuite`);
2. per seed, optionally (``"warm": true``): the reference solution is graded once with
   the tests running in this process (the reference itself in a worker, like any
   submission), which fills the oracle memo (:mod:`autograder.testing.oracles`) with
   every reference value of this seed's inputs, warms torch, and proves the reference
   gets full marks with this seed (reported back);
3. per submission: a child is forked; it runs the suite against the submission in a
   worker forked from the zygote, writes the outcomes file and leaves with
   ``os._exit``. No state of one submission's grading survives into the next: the
   child's memory goes with it, the worker's uid is swept, its work folder removed.

Requests and replies are JSON lines on stdin and on the original stdout (what the
harness or tests print goes to stderr)::

    {"op": "grade", "id": 1, "bundle": DIR, "seed": 7, "outcomes": FILE, "warm": true, "owner": JSON or null, "remember": true}
    -> {"id": 1, "ok": true, "reference": {"score": 16, "max_score": 16}}   (or "ok": false, "error": ...)
    {"op": "quit"}

CUDA is never initialised here: workers initialise it after their fork.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import pathlib
import signal
import sys
import time

__all__ = ["HarnessServer", "main"]

CHILD_EXIT_GRACE_S = 60.0
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "BLIS_NUM_THREADS")


class HarnessServer:
    """The slot's warm state: spec, collected tests, worker launcher, warmed seeds."""

    def __init__(self, assignment: pathlib.Path, *, launcher: str, slot: int, tests: str = "hidden", gpu: bool = False,
                 launcher_options: dict | None = None, oracle_cache: pathlib.Path | None = None):
        from autograder.launchers import WorkerSetup, make_launcher
        from autograder.spec import load_spec

        self.spec = load_spec(assignment)
        self.gpu = gpu
        from autograder.tensor_values import keep_harness_off_gpus

        keep_harness_off_gpus()  # CUDA is initialised in workers only (after their fork), never here
        self.hidden = tests == "hidden"
        self.launcher = make_launcher(launcher, WorkerSetup(self.spec, gpu=gpu, slot=slot), **(launcher_options or {}))
        self.launcher.warm_up()  # the zygote imports its packages while we import ours

        from autograder.harness.runner import TestSuite

        self.suite = TestSuite(self.spec.tests_dir(tests), assignment=self.spec.root)
        self.warmed: dict[int, dict] = {}
        self.remembered: set[int] = set()  # seeds whose memo is kept on disk
        self.startup_packages = top_level_packages()
        self.store = None
        if oracle_cache is not None and self.hidden:
            from autograder.testing.oracle_store import OracleStore

            self.store = OracleStore(oracle_cache, self.spec)

    def prepare_oracles(self, seed: int, *, warm: bool, remember: bool = False) -> dict | None:
        """Before grading with ``seed``: fill the oracle memo with its values, from disk or by a warm-up.

        With a memo on disk (``oracle_cache``) and ``remember`` (the seed was chosen, so it will
        come again; a seed drawn for one run will not), the values are read from it; a seed it
        does not have yet is warmed up (the reference graded) and saved, so that every later
        harness of this assignment version reads it. ``warm`` (a batch): also import what the reference's
        grading imported (torch), once here rather than in every child that needs it. Returns
        the warm-up's report (what the reference scored) when there was one or the disk had
        it, else None.
        """
        if self.store is not None and remember and seed not in self.warmed:
            self.remembered.add(seed)
            stored = self.store.load(seed)
            if stored is None:
                warm = True
            else:
                self.warmed[seed] = stored.reference
                if warm:
                    import_packages(stored.imports)
        if warm or seed in self.warmed:
            return self.warm(seed)
        return None

    def warm(self, seed: int) -> dict:
        """Grade the reference with ``seed`` once, with its tests in this process: fills the oracle memo.

        The reference runs in a worker like any submission (whatever it does stays in the
        worker and is swept), while the oracle values the tests compute stay here for the
        children forked after. Returns the reference's status and score.
        """
        if seed in self.warmed:
            return self.warmed[seed]
        reference = self.spec.root / self.spec.module_file
        report: dict = {}
        used: set[bytes] = set()
        if reference.is_file() and self.hidden:
            import shutil
            import tempfile

            from autograder.harness.remote import RemoteSubmission
            from autograder.outcomes import score_outcomes
            from autograder.testing.oracles import recording_oracle_keys

            with tempfile.TemporaryDirectory(prefix="ag-reference-") as folder, recording_oracle_keys() as used:
                shutil.copy2(reference, pathlib.Path(folder) / self.spec.module_file)
                try:
                    outcomes = self.suite.run(lambda: RemoteSubmission.start(self.spec, self.launcher.open(pathlib.Path(folder))),
                                              seed=seed, hidden=True, gpu=False)
                finally:
                    self.launcher.sweep()
                    self._remove_work_folders()
            result = score_outcomes(self.spec, "reference", outcomes)
            report = {"status": result.status, "score": result.score, "max_score": result.max_score}
            gc.collect()  # the reference grading's garbage, before grade() freezes what is left
        self.warmed[seed] = report
        single_threaded_torch()  # the warm-up may have imported torch
        if self.store is not None and seed in self.remembered and report:
            # The packages imported since this harness started (torch, for the oracles), and only the values this seed used.
            self.store.save(seed, report, sorted(top_level_packages() - self.startup_packages), keys=used)
        return report

    def grade(self, bundle: pathlib.Path, seed: int, outcomes_path: pathlib.Path, owner=None) -> None:
        """Grade one submission in a forked child; raises :class:`GraderFault` if the child failed."""
        from autograder.errors import GraderFault

        deadline = time.monotonic() + self.spec.limits.total_timeout_s + CHILD_EXIT_GRACE_S
        # What this process holds (pytest, torch, the tests, the oracle memo) goes to the permanent
        # generation: the child's garbage collections then scan only what the grading allocates
        # (they took a fifth of a grading), and leave the inherited pages unwritten (no copying).
        gc.freeze()
        pid = os.fork()
        if pid == 0:
            code = 3
            try:
                self._grade_in_child(bundle, seed, outcomes_path, owner)
                code = 0
            except BaseException as exc:  # noqa: BLE001 (reported through the exit code and stderr)
                try:
                    print(f"harness child: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
                except BaseException:  # noqa: BLE001
                    pass
            finally:
                os._exit(code)
        try:
            self.launcher.forked()
            status = _wait_until(pid, deadline)
        except BaseException:  # cancelled (SIGTERM, Ctrl-C): the child goes too
            _kill_and_reap(pid)
            raise
        finally:
            self.launcher.sweep()
            self._remove_work_folders()
        if status is None:
            raise GraderFault(f"the harness did not finish within {self.spec.limits.total_timeout_s + CHILD_EXIT_GRACE_S:g} s")
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0 or not outcomes_path.is_file():
            how = f"exit {os.WEXITSTATUS(status)}" if os.WIFEXITED(status) else f"signal {os.WTERMSIG(status)}"
            raise GraderFault(f"the harness failed ({how})")

    def _grade_in_child(self, bundle: pathlib.Path, seed: int, outcomes_path: pathlib.Path, owner=None) -> None:
        from autograder.confinement import set_parent_death_signal
        from autograder.harness.remote import RemoteSubmission
        from autograder.harness.runner import run_outcomes_or_fault

        set_parent_death_signal(signal.SIGKILL)  # never outlive the server

        def open_submission():
            return RemoteSubmission.start(self.spec, self.launcher.open(bundle))

        outcomes = run_outcomes_or_fault(self.suite, open_submission, seed=seed, hidden=self.hidden, gpu=self.gpu, owner=owner)
        temporary = outcomes_path.with_name(outcomes_path.name + ".tmp")
        temporary.write_text(outcomes.to_json(), encoding="utf-8")
        os.replace(temporary, outcomes_path)

    def _remove_work_folders(self) -> None:
        import shutil

        for folder in self.launcher.slot_dir.glob("w-*"):
            shutil.rmtree(folder, ignore_errors=True)

    def close(self) -> None:
        self.launcher.close()


def _wait_until(pid: int, deadline: float) -> int | None:
    """The child's wait status, or None (after killing it) when ``deadline`` passes."""
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() >= deadline:
            _kill_and_reap(pid)
            return None
        time.sleep(0.002)


def _kill_and_reap(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def _owner(text):
    """The request's owner (JSON of :class:`autograder.owner.SubmissionOwner`), None when absent."""
    if not text:
        return None
    from autograder.owner import SubmissionOwner

    return SubmissionOwner.from_json(text)


def top_level_packages() -> set[str]:
    """The top-level packages imported in this process, the standard library's and private ones left out."""
    names = {name.partition(".")[0] for name in list(sys.modules)}
    return {name for name in names if not name.startswith("_") and name not in sys.stdlib_module_names}


def import_packages(names: list[str]) -> None:
    """Import ``names`` (packages a warm-up imported) now; one that fails is left to whoever needs it."""
    import importlib

    for name in names:
        if name not in sys.modules:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 (imported again, with its error, where it is used)
                pass
    single_threaded_torch()


def single_threaded_torch() -> None:
    """One intra-op thread for torch if it is imported: an OpenMP pool started before a fork would
    not survive into the children."""
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)


def _pin_threads(threads: int) -> None:
    """Size BLAS/OpenMP/torch thread pools to the job slot (set before numpy or torch is imported)."""
    for name in THREAD_VARIABLES:
        os.environ[name] = str(threads)


def serve(server: HarnessServer, requests, replies) -> None:
    """Answer grade requests until ``quit`` or end of input."""
    from autograder.errors import GraderFault

    for line in requests:
        try:
            request = json.loads(line)
        except json.JSONDecodeError:
            continue
        if request.get("op") == "quit":
            return
        reply: dict = {"id": request.get("id")}
        try:
            seed = int(request["seed"])
            reference = server.prepare_oracles(seed, warm=bool(request.get("warm")), remember=bool(request.get("remember")))
            if reference is not None:
                reply["reference"] = reference
            server.grade(pathlib.Path(request["bundle"]), seed, pathlib.Path(request["outcomes"]), _owner(request.get("owner")))
            reply["ok"] = True
        except GraderFault as exc:
            reply.update(ok=False, error=str(exc))
        except Exception as exc:  # noqa: BLE001 (one request's failure is that request's grader fault)
            reply.update(ok=False, error=f"{type(exc).__name__}: {exc}")
        replies.write(json.dumps(reply) + "\n")
        replies.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", required=True)
    parser.add_argument("--launcher", default="process")
    parser.add_argument("--slot", type=int, default=0)
    parser.add_argument("--tests", default="hidden", choices=("hidden", "public"))
    parser.add_argument("--gpu", action="store_true")
    parser.add_argument("--launcher-option", action="append", default=[], metavar="KEY=VALUE",
                        help="an option of the launcher (docker: gpus=device=0,1)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS/torch threads of this harness (cores / job slots)")
    parser.add_argument("--oracle-cache", help="a folder for oracle memos on disk (autograder.testing.oracle_store); "
                        "the grader passes one only where workers cannot write it")
    parser.add_argument("--no-parent-watch", action="store_true", help="do not end with the parent process (the container's main process)")
    options = parser.parse_args(argv)
    # Requests come on the original stdin, replies go to the original stdout (pytest's capture
    # replaces sys.stdin and sys.stdout); anything else printed goes to stderr.
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    if not options.no_parent_watch:
        from autograder.confinement import set_parent_death_signal

        parent = os.getppid()
        set_parent_death_signal(signal.SIGKILL)
        if os.getppid() != parent:  # the grader died before the call: the signal will never come
            return 1
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # a cancelled batch: stop the child, sweep, leave
    _pin_threads(max(1, options.threads))
    from autograder.errors import AutograderError

    try:
        launcher_options = dict(option.split("=", 1) for option in options.launcher_option if "=" in option)
        server = HarnessServer(pathlib.Path(options.assignment), launcher=options.launcher, slot=options.slot, tests=options.tests,
                               gpu=options.gpu, launcher_options=launcher_options,
                               oracle_cache=pathlib.Path(options.oracle_cache) if options.oracle_cache else None)
    except AutograderError as exc:
        replies.write(json.dumps({"op": "failed", "error": f"{type(exc).__name__}: {exc}"}) + "\n")
        replies.flush()
        return 2
    single_threaded_torch()
    replies.write(json.dumps({"op": "ready", "pid": os.getpid(), "tests": len(server.suite.items),
                              "collection_errors": server.suite.collection_errors}) + "\n")
    replies.flush()
    try:
        serve(server, requests, replies)
    except KeyboardInterrupt:
        return 130
    finally:
        server.close()
    return 0


def exit_now(code: int) -> None:
    """Leave without interpreter finalisation: a process that imported torch spends most of a second
    tearing it down, and the grader waiting for this harness to end (a single-submission grade) would
    pay that. Everything this process owes the world is written and flushed by then."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


if __name__ == "__main__":
    exit_now(main())
