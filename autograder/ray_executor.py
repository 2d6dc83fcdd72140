"""Grading on a Ray cluster: ``autograder grade ... --executor ray [--ray-address ADDRESS]``.

The executor seam of :mod:`autograder.grading` (``run(submissions, grade, on_result)``)
with the job slots on a Ray cluster instead of this machine:

- **Slots are actors.** ``--jobs N`` starts N long-lived Ray actors
  (:class:`autograder.ray_slot.GradingSlot`), each asking Ray for one CPU, the memory
  of a worker plus its harness (``limits.memory_mb`` + :data:`HARNESS_MEMORY_MB`), a GPU
  with ``--gpus`` and any ``--ray-resources``. Ray places them (spread over the nodes);
  each keeps a sandbox with a warm harness on its node, as a local job slot does, so
  the cost of starting Python, pytest and torch is paid once per slot, not per submission.
  Ray's resources only schedule: the sandbox on the node confines (``bwrap``, ``docker``...).
- **What travels.** The batch's snapshot of the assignment goes to the object store
  once, as bytes (:mod:`autograder.folder_archive`); each slot unpacks it and checks
  that it is the same version the driver grades, and that its node runs the same
  grader code. Intake runs here on the driver (it never runs student code): a
  submission that cannot be graded as submitted gets its result without leaving
  this machine; the others travel as their source bundle's bytes.
- **Results come back as values** (``SubmissionResult`` JSON) and only the driver
  writes ``results.json``, ``feedback.md``, the gradebook and ``grades.csv``, through
  ``on_result``. ``--resume`` filters before anything is sent (as locally).
- **Faults.** A slot whose node is lost (or whose actor dies) while grading has that
  submission sent again to another slot, at most :attr:`RayExecutor.NODE_RETRIES`
  times, after which it is a ``grader_error`` (never a zero); a replacement slot is
  started and Ray places it where there is room. A grader fault on a node is retried
  there (``--retries``) by :func:`autograder.grading.grade_bundle`, as locally. Every
  submission ends with exactly one result: a result is recorded once, from the one
  call that is still waited for. Ctrl-C or SIGTERM cancels the running gradings,
  stops the slots and raises :class:`~autograder.errors.GradingCancelled`; finished
  results were already recorded.
- **A request the cluster cannot hold is refused before the batch starts**, with
  what was asked for and what the nodes offer (``--gpus`` on a cluster without GPUs).

Ray is optional (``pip install 'dl-autograder[ray]'``); without it :func:`ray_unavailable_reason`
says how to get it. Running on an existing cluster and on Kubernetes: ``docs/cluster.md``.
"""

from __future__ import annotations

import collections
import dataclasses
import logging
import time
from collections.abc import Callable
from typing import Any

from autograder.errors import GradingCancelled, SandboxUnavailable
from autograder.folder_archive import pack_folder
from autograder.grading import BatchGrading, Submission
from autograder.outcomes import SubmissionResult, empty_tasks
from autograder.ray_slot import GradingSlot, SlotJob, framework_fingerprint, pack_bundle

__all__ = ["HARNESS_MEMORY_MB", "INSTALL_HINT", "RayExecutor", "ray_unavailable_reason"]

#: the Ray the project is tested with (pyproject.toml's ``ray`` extra pins it)
RAY_VERSION = "2.60.0"
INSTALL_HINT = f"pip install 'dl-autograder[ray]' (Ray {RAY_VERSION}) on this machine and on every node"
#: what a slot asks Ray for on top of the worker's memory limit: the harness (Python, pytest, numpy, torch)
HARNESS_MEMORY_MB = 1024


def ray_unavailable_reason() -> str | None:
    """Why ``--executor ray`` cannot run here (Ray not installed), or None."""
    try:
        import ray  # noqa: F401
    except ImportError as exc:
        return f"--executor ray needs Ray, which is not installed here ({exc}); {INSTALL_HINT}"
    return None


@dataclasses.dataclass
class _Slot:
    """The driver's view of one grading slot (one actor)."""

    index: int
    actor: Any
    starting: Any = None                 # ObjectRef of where() until the slot is ready
    call: Any = None                     # ObjectRef of the grade() call in flight
    submission: Submission | None = None
    sent_at: float = 0.0
    where: dict = dataclasses.field(default_factory=dict)
    failed_starts: int = 0               # consecutive starts that ended before the slot was ready

    @property
    def idle(self) -> bool:
        return self.starting is None and self.call is None


class RayExecutor:
    """Runs gradings on ``slots`` Ray actors of a cluster; the driver (this process) records the results."""

    #: how many times a submission is sent again after the slot grading it was lost
    NODE_RETRIES = 3
    #: a slot that fails this many times in a row before it is ready stops the batch
    START_FAILURES = 5
    #: seconds to wait for cancelled slots to stop their harnesses, and for slots to close
    CANCEL_GRACE_S = 15.0
    CLOSE_TIMEOUT_S = 30.0

    def __init__(self, slots: int, *, address: str | None = None, cpus_per_slot: float = 1.0, resources: dict[str, float] | None = None,
                 stall_timeout_s: float = 600.0, log: Callable[[str], None] | None = None):
        """``address``: the cluster (``host:port`` or ``ray://host:10001``); None follows Ray's rules
        (``$RAY_ADDRESS``, else a cluster started on this machine with ``ray start``, else a Ray of its own
        here). ``resources``: custom Ray resources every slot asks for (e.g. ``{"autograder": 1}`` to keep
        grading on nodes labelled for it). ``stall_timeout_s``: how long the batch waits while no slot can
        start before it stops with a message. ``log``: where progress notes go (a lost node, ...)."""
        self.slots = max(1, slots)
        self.address = address
        self.cpus = float(cpus_per_slot)
        self.resources = dict(resources or {})
        self.stall_timeout_s = stall_timeout_s
        self.log = log or (lambda message: None)
        self.stats = collections.Counter()   # slots_started, slots_lost, resent, lost_results
        self._ray = None
        self._connected_here = False

    # ------------------------------------------------------------------ connection

    def connect(self):
        """Import Ray and connect to the cluster (once); raises SandboxUnavailable saying what is missing."""
        if self._ray is not None:
            return self._ray
        reason = ray_unavailable_reason()
        if reason:
            raise SandboxUnavailable(reason)
        import ray

        if not ray.is_initialized():
            try:
                ray.init(address=self.address, namespace="autograder", log_to_driver=False, logging_level=logging.WARNING)
            except Exception as exc:  # noqa: BLE001 (Ray raises many kinds: ConnectionError, RuntimeError, ValueError)
                where = self.address or "$RAY_ADDRESS / this machine"
                raise SandboxUnavailable(f"cannot connect to the Ray cluster at {where}: {type(exc).__name__}: {exc}") from None
            self._connected_here = True
        self._ray = ray
        return ray

    def disconnect(self) -> None:
        if self._ray is not None and self._connected_here:
            self._ray.shutdown()
        self._ray = None
        self._connected_here = False

    # ------------------------------------------------------------------ what a slot asks for

    def slot_shape(self, grade: BatchGrading) -> dict[str, float]:
        """The Ray resources of one slot: CPU, memory (bytes), GPU with ``--gpus``, custom resources."""
        shape = {"CPU": self.cpus, "memory": float((grade.spec.limits.memory_mb + HARNESS_MEMORY_MB) << 20)}
        if grade.options.gpu:
            shape["GPU"] = 1.0
        shape.update(self.resources)
        return shape

    def check_fits(self, shape: dict[str, float]) -> None:
        """Refuse, with what was asked for and what the nodes offer, a slot that no alive node can hold."""
        nodes = [node for node in self._ray.nodes() if node.get("Alive")]
        if any(all(node["Resources"].get(key, 0.0) >= amount for key, amount in shape.items()) for node in nodes):
            return
        offered = "; ".join(_describe(node["Resources"]) for node in nodes) or "no node is alive"
        if "GPU" in shape and not any(node["Resources"].get("GPU", 0.0) >= 1 for node in nodes):
            raise SandboxUnavailable(f"--gpus asks every grading slot for a GPU, and no node of the Ray cluster has one "
                                     f"(nodes: {offered}); add GPU nodes (docs/cluster.md) or grade without --gpus")
        raise SandboxUnavailable(f"no node of the Ray cluster can hold a grading slot, which asks for {_describe(shape)} "
                                 f"(nodes: {offered})")

    # ------------------------------------------------------------------ the batch

    def run(self, submissions: list[Submission], grade: BatchGrading, on_result: Callable[[Submission, SubmissionResult], None]) -> None:
        """Grade every submission on the cluster; ``on_result`` (here, on the driver) as each finishes.

        ``grade`` is the batch's :class:`~autograder.grading.BatchGrading`: its snapshot, version,
        options and warm flag go to the slots; its intake and finishing run here.
        """
        try:
            if not submissions:
                return
            ray = self.connect()
            shape = self.slot_shape(grade)
            self.check_fits(shape)
            self.log(f"grading on the Ray cluster: {self.slots} slot(s), each {_describe(shape)}")
            _Batch(self, ray, grade, shape, on_result).run(submissions)
        finally:
            self.disconnect()


class _Batch:
    """One batch on the cluster: the slots, the queue, what is in flight (the driver's loop)."""

    def __init__(self, executor: RayExecutor, ray, grade: BatchGrading, shape: dict[str, float], on_result):
        self.executor = executor
        self.ray = ray
        self.grade = grade
        self.on_result = on_result
        self.log = executor.log
        self.stats = executor.stats
        self.queue: collections.deque[Submission] = collections.deque()
        self.losses: collections.Counter[str] = collections.Counter()
        self.recorded: set[str] = set()
        options = {"num_cpus": shape["CPU"], "memory": shape["memory"], "num_gpus": shape.get("GPU", 0.0),
                   "max_restarts": 0, "max_concurrency": 2, "scheduling_strategy": "SPREAD"}  # 2: cancel() while grade() runs
        custom = {key: value for key, value in shape.items() if key not in ("CPU", "memory", "GPU")}
        if custom:
            options["resources"] = custom
        self.actor_class = ray.remote(GradingSlot).options(**options)
        self.snapshot = ray.put(pack_folder(grade.spec.root))
        self.job = SlotJob(grade.spec.root.name, grade.version, framework_fingerprint(), grade.options, grade.warm, shape["CPU"])
        self.slots: list[_Slot] = []
        self.sandboxes: dict[str, str] = {}  # sandbox the slots resolved -> where it was first seen
        self.last_usable = time.monotonic()  # when some slot was last ready or grading

    def run(self, submissions: list[Submission]) -> None:
        self.queue.extend(submissions)
        self.slots = [self._start(index) for index in range(self.executor.slots)]
        try:
            while self.queue or any(slot.call is not None for slot in self.slots):
                for slot in self.slots:
                    if slot.idle and self.queue:
                        self._send(slot)
                waiting = {slot.call if slot.starting is None else slot.starting: slot for slot in self.slots if not slot.idle}
                if not waiting:
                    continue  # the queue held only submissions that intake answered
                done, _ = self.ray.wait(list(waiting), num_returns=1, timeout=1.0)
                for ref in done:
                    slot = waiting[ref]
                    if slot.starting is not None and ref == slot.starting:
                        self._started(slot)
                    else:
                        self._returned(slot)
                self._check_stalled()
        except KeyboardInterrupt:
            self._cancel()
            raise GradingCancelled() from None
        finally:
            self._close()

    # ---------------------------------------------------------------- slots

    def _start(self, index: int, failed_starts: int = 0) -> _Slot:
        actor = self.actor_class.remote(self.snapshot, self.job, index)
        self.stats["slots_started"] += 1
        return _Slot(index, actor, starting=actor.where.remote(), failed_starts=failed_starts)

    def _replace(self, slot: _Slot, *, before_ready: bool) -> None:
        """Stop what is left of a lost slot and start another in its place (Ray puts it where there is room)."""
        self._kill(slot)
        failed = slot.failed_starts + 1 if before_ready else 0
        if failed >= self.executor.START_FAILURES:
            raise SandboxUnavailable(f"grading slot {slot.index} was lost {failed} times in a row before it could grade; "
                                     "the Ray cluster is not healthy (ray status, the nodes' logs); finished results are in "
                                     "the gradebook, --resume grades the rest")
        self.slots[self.slots.index(slot)] = self._start(slot.index, failed)

    def _started(self, slot: _Slot) -> None:
        try:
            where = self.ray.get(slot.starting)
        except self.ray.exceptions.RayError as exc:
            self.stats["slots_lost"] += 1
            self.log(f"a grading slot was lost while starting ({_short(exc)}); starting another")
            self._replace(slot, before_ready=True)
            return
        if where["problem"]:
            raise SandboxUnavailable(f"a grading slot on {where['host']} (Ray node {where['node'][:12]}) cannot grade: {where['problem']}")
        slot.starting = None
        slot.where = where
        slot.failed_starts = 0
        self.last_usable = time.monotonic()
        if where["sandbox"] not in self.sandboxes:
            self.sandboxes[where["sandbox"]] = _place(where)
            if len(self.sandboxes) > 1:  # "auto" means bwrap where it works, process elsewhere: say that confinement differs
                self.log("warning: the slots run different sandboxes: " + ", ".join(f"{name} (first on {place})" for name, place in self.sandboxes.items())
                         + "; pass --sandbox bwrap (or docker) to require one everywhere")

    def _check_stalled(self) -> None:
        if any(slot.starting is None for slot in self.slots):
            self.last_usable = time.monotonic()
            return
        waited = time.monotonic() - self.last_usable
        if waited > self.executor.stall_timeout_s:
            nodes = "; ".join(_describe(node["Resources"]) for node in self.ray.nodes() if node.get("Alive")) or "no node is alive"
            raise SandboxUnavailable(f"no grading slot could start on the Ray cluster for {waited:.0f} s (nodes: {nodes}); "
                                     "finished results are in the gradebook, --resume grades the rest")

    # ---------------------------------------------------------------- submissions

    def _send(self, slot: _Slot) -> None:
        """Give an idle slot the next submission that needs grading; record on the way those intake answers."""
        while self.queue:
            submission = self.queue.popleft()
            started = time.monotonic()
            taken = self.grade.take_in(submission)
            if isinstance(taken, SubmissionResult):
                self._record(submission, self.grade.finish(taken, submission, time.monotonic() - started))
                continue
            try:
                bundle = pack_bundle(taken)
            finally:
                taken.cleanup()
            slot.submission, slot.sent_at = submission, started
            slot.call = slot.actor.grade.remote(submission.name, bundle)
            return

    def _returned(self, slot: _Slot) -> None:
        submission, call = slot.submission, slot.call
        slot.submission = slot.call = None
        try:
            payload = self.ray.get(call)
        except self.ray.exceptions.RayError as exc:
            if isinstance(exc, self.ray.exceptions.RayTaskError) and not isinstance(exc, self.ray.exceptions.RayActorError):
                self._lost(submission, f"the slot on {_place(slot.where)} failed: {_short(exc)}")
                return  # the call failed, the slot lives on
            self._lost(submission, f"its slot on {_place(slot.where)} went away: node lost or process ended, {type(exc).__name__}")
            self.stats["slots_lost"] += 1
            self._replace(slot, before_ready=False)
            return
        if payload is None:  # cancelled on the node (a batch being stopped): no result
            self._lost(submission, f"its grading was cancelled on {_place(slot.where)}")
            return
        result = SubmissionResult.from_json(payload)
        self._record(submission, self.grade.finish(result, submission, time.monotonic() - slot.sent_at))

    def _lost(self, submission: Submission, reason: str) -> None:
        """The grading of ``submission`` came back with no result: send it again, or record a grader error."""
        self.losses[submission.name] += 1
        lost = self.losses[submission.name]
        if lost <= self.executor.NODE_RETRIES:
            self.stats["resent"] += 1
            self.log(f"lost the grading of {submission.name} ({reason}); grading it again")
            self.queue.appendleft(submission)
            return
        self.stats["lost_results"] += 1
        spec, options = self.grade.spec, self.grade.options
        result = SubmissionResult(name=submission.name, assignment=spec.id, status="grader_error", tasks=empty_tasks(spec),
                                  seed=options.seed, attempts=lost,
                                  message=f"the grader failed: its grading on the Ray cluster was lost {lost} times (last: {reason})")
        self._record(submission, self.grade.finish(result, submission, 0.0))

    def _record(self, submission: Submission, result: SubmissionResult) -> None:
        if submission.name in self.recorded:  # cannot happen: one call per submission is waited for at a time
            return
        self.recorded.add(submission.name)
        self.on_result(submission, result)

    # ---------------------------------------------------------------- stopping

    def _cancel(self) -> None:
        """Ctrl-C: stop the running gradings on their nodes, give the harnesses a moment to clean up."""
        self.queue.clear()
        acks = []
        for slot in self.slots:
            if slot.call is not None:
                try:
                    acks.append(slot.actor.cancel.remote())
                except Exception:  # noqa: BLE001 (an actor already gone)
                    pass
        if acks:
            try:
                self.ray.wait(acks, num_returns=len(acks), timeout=self.executor.CANCEL_GRACE_S)
            except Exception:  # noqa: BLE001
                pass

    def _close(self) -> None:
        """End of the batch (or its stop): let each slot stop its harness, then end the actors."""
        closing = []
        for slot in self.slots:
            if slot.starting is None:
                try:
                    closing.append(slot.actor.close.remote())
                except Exception:  # noqa: BLE001
                    pass
        if closing:
            try:
                self.ray.wait(closing, num_returns=len(closing), timeout=self.executor.CLOSE_TIMEOUT_S)
            except Exception:  # noqa: BLE001
                pass
        for slot in self.slots:
            self._kill(slot)

    def _kill(self, slot: _Slot) -> None:
        try:
            self.ray.kill(slot.actor, no_restart=True)
        except Exception:  # noqa: BLE001 (already dead, node gone)
            pass


def _describe(resources: dict[str, float]) -> str:
    """``{"CPU": 1, "memory": 3 << 30, "GPU": 1}`` -> ``"CPU 1, memory 3 GiB, GPU 1"`` (Ray's bookkeeping entries left out)."""
    parts = []
    for key in ("CPU", "memory", "GPU"):
        if key in resources:
            amount = resources[key]
            parts.append(f"memory {amount / 2**30:.3g} GiB" if key == "memory" else f"{key} {amount:g}")
    for key, amount in sorted(resources.items()):
        if key not in ("CPU", "memory", "GPU", "object_store_memory") and not key.startswith("node:") and not key.startswith("accelerator_type"):
            parts.append(f"{key} {amount:g}")
    return ", ".join(parts)


def _place(where: dict) -> str:
    """Where a slot ran, for messages: ``host (127.0.0.3)``."""
    if not where:
        return "a node"
    return f"{where.get('host', '?')} ({where.get('ip') or where.get('node', '')[:12]})"


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:200]}" if text else type(exc).__name__
