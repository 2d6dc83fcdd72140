"""The ``process`` and ``bwrap`` sandboxes: a warm harness per job slot on this machine.

Per job slot, one trusted harness process (:mod:`autograder.harness.server`) is
started on first use and kept for the batch; it forks a child per submission,
whose worker is forked from the slot's zygote and confined by the launcher
(``process`` or ``bwrap``). The outcomes file is read back from a private scratch
folder after each grading. A harness that fails is stopped and replaced by a
fresh one for the next submission.
"""

from __future__ import annotations

import os
import pathlib
import sys
import tempfile
import threading

from autograder.errors import GraderFault, GradingCancelled
from autograder.outcomes import Outcomes
from autograder.sandbox.harness_process import HarnessProcess, read_outcomes
from autograder.spec import AssignmentSpec
from autograder.testing.oracle_store import trusted_cache_root

__all__ = ["LocalSandbox", "harness_environment", "request_timeout", "with_reference_warning"]


def harness_environment() -> dict[str, str]:
    """The environment of a harness subprocess: ours, minus anything that changes how pytest runs.

    Installed pytest plugins are not auto-loaded (the plugin is loaded by name): they
    cost seconds per submission and have no business in grading.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return env


def with_reference_warning(outcomes: Outcomes, reply: dict, seed: int) -> Outcomes:
    """Add an instructor warning when the harness's warm-up found the reference short of full marks."""
    reference = reply.get("reference")
    if isinstance(reference, dict) and reference and (reference.get("status") != "ok" or reference.get("score") != reference.get("max_score")):
        outcomes.warnings.append(f"the reference solution scored {reference.get('score')}/{reference.get('max_score')} "
                                 f"({reference.get('status')}) with seed {seed}: the hidden tests may be wrong for this seed")
    return outcomes


def request_timeout(spec: AssignmentSpec) -> float:
    """How long one grading may take, a warm-up with the reference included."""
    return 2 * spec.limits.total_timeout_s + 180


class LocalSandbox:
    """Grades with warm harnesses on this machine; ``launcher`` is ``process`` or ``bwrap``."""

    #: after SIGTERM, how long a harness gets to stop its workers before it is killed
    CANCEL_GRACE_S = 5.0

    def __init__(self, launcher: str = "process", launcher_options: dict | None = None):
        self.name = launcher
        self.launcher = launcher
        self.launcher_options = dict(launcher_options or {})
        self._harnesses: dict[tuple, HarnessProcess] = {}
        self._starting: dict[tuple, threading.Event] = {}  # harnesses prepare() is starting, set when done
        self._lock = threading.Lock()
        self.cancelled = False
        self._scratch = pathlib.Path(tempfile.mkdtemp(prefix="ag-local-"))

    def check_available(self) -> None:
        from autograder.launchers import check_launcher

        check_launcher(self.launcher)

    @staticmethod
    def _key(spec: AssignmentSpec, slot: int, gpu: bool, tests: str) -> tuple:
        return (slot, str(spec.root), gpu, tests)

    def prepare(self, spec: AssignmentSpec, slots: int, *, gpu: bool = False, tests: str = "hidden", jobs: int = 1) -> None:
        """Start the harnesses of job slots ``0 .. slots - 1`` now; they get ready in the background.

        A harness takes seconds to start (Python, pytest, torch, the tests); started while
        the batch takes in its first submissions, that time overlaps theirs. The processes
        are started from the calling thread (a harness ends with the thread that started
        it), which must outlive the batch; only the wait for ``ready`` runs in threads. A
        harness that fails to start here is started again by the slot's first grading,
        which reports why.
        """
        for slot in range(slots):
            key = self._key(spec, slot, gpu, tests)
            with self._lock:
                if self.cancelled or key in self._harnesses or key in self._starting:
                    continue
                done = self._starting[key] = threading.Event()
            try:
                harness = HarnessProcess(self._harness_command(spec, slot, gpu, tests, jobs), env=harness_environment(),
                                         cwd=str(self._scratch), label="harness", wait=False)
            except Exception:  # noqa: BLE001 (the slot's first grading starts it again and says why)
                with self._lock:
                    self._starting.pop(key, None)
                done.set()
                continue

            def wait_ready(key=key, harness=harness, done=done) -> None:
                try:
                    harness.wait_ready()
                    with self._lock:
                        self._harnesses[key] = harness
                        if self.cancelled:
                            harness.interrupt()
                except Exception:  # noqa: BLE001 (stopped by wait_ready; the first grading starts another)
                    pass
                finally:
                    with self._lock:
                        self._starting.pop(key, None)
                    done.set()

            threading.Thread(target=wait_ready, name=f"harness-ready-{slot}", daemon=True).start()

    def _harness(self, spec: AssignmentSpec, slot: int, gpu: bool, tests: str, jobs: int) -> HarnessProcess:
        key = self._key(spec, slot, gpu, tests)
        with self._lock:
            if self.cancelled:
                raise GradingCancelled()
            starting = self._starting.get(key)
        if starting is not None:
            starting.wait()  # prepare() is starting this slot's harness
        with self._lock:
            if self.cancelled:
                raise GradingCancelled()
            harness = self._harnesses.get(key)
        if harness is not None and harness.alive:
            return harness
        return self._start_harness(spec, slot, gpu, tests, jobs)

    def _harness_command(self, spec: AssignmentSpec, slot: int, gpu: bool, tests: str, jobs: int) -> list[str]:
        command = [sys.executable, "-m", "autograder.harness.server", "--assignment", str(spec.root), "--launcher", self.launcher,
                   "--slot", str(slot), "--tests", tests, "--threads", str(max(1, (os.cpu_count() or 1) // max(1, jobs)))]
        if gpu:
            command.append("--gpu")
        if tests == "hidden" and (cache := trusted_cache_root(self.launcher)) is not None:
            command += ["--oracle-cache", str(cache)]
        for option, value in self.launcher_options.items():
            command += ["--launcher-option", f"{option}={value}"]
        return command

    def _start_harness(self, spec: AssignmentSpec, slot: int, gpu: bool, tests: str, jobs: int) -> HarnessProcess:
        key = self._key(spec, slot, gpu, tests)
        harness = HarnessProcess(self._harness_command(spec, slot, gpu, tests, jobs), env=harness_environment(), cwd=str(self._scratch),
                                 label="harness")
        with self._lock:
            old = self._harnesses.pop(key, None)
            self._harnesses[key] = harness
            if self.cancelled:
                harness.interrupt()
                raise GradingCancelled()
        if old is not None:
            old.stop()
        return harness

    def grade(self, spec: AssignmentSpec, bundle_dir: pathlib.Path, *, seed: int, slot: int = 0, gpu: bool = False,
              tests: str = "hidden", warm: bool = False, jobs: int = 1, owner: str | None = None,
              seed_fixed: bool = False) -> Outcomes:
        """Grade one submission's bundle with the hidden (or public) tests; the outcomes, or GraderFault."""
        harness = self._harness(spec, slot, gpu, tests, jobs)
        with tempfile.TemporaryDirectory(prefix="ag-outcomes-", dir=self._scratch) as scratch:
            outcomes = pathlib.Path(scratch) / "outcomes.json"
            try:
                reply = harness.grade(str(bundle_dir), str(outcomes), seed=seed, warm=warm, timeout=request_timeout(spec), owner=owner,
                                      remember=seed_fixed)
            except GraderFault:
                if self.cancelled:
                    raise GradingCancelled() from None
                harness.stop()  # state unknown: the next submission of this slot gets a fresh harness
                raise
            if self.cancelled:
                raise GradingCancelled()
            return with_reference_warning(read_outcomes(outcomes), reply, seed)

    def cancel(self) -> None:
        """Stop every running harness (SIGTERM: it stops its child and workers; SIGKILL after a grace period).

        Their :meth:`grade` calls raise :class:`~autograder.errors.GradingCancelled`, and so
        does every later call.
        """
        with self._lock:
            self.cancelled = True
            running = list(self._harnesses.values())
        for harness in running:
            harness.interrupt()
        for harness in running:
            harness.stop(self.CANCEL_GRACE_S)

    def close(self) -> None:
        """Stop the harnesses (end of batch), those still starting included."""
        with self._lock:
            starting = list(self._starting.values())
        for done in starting:
            done.wait()
        with self._lock:
            running = list(self._harnesses.values())
            self._harnesses.clear()
        for harness in running:
            harness.stop()
        import shutil

        shutil.rmtree(self._scratch, ignore_errors=True)
