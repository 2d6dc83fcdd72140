"""One grading slot on a Ray node: the node side of :mod:`autograder.ray_executor`.

A :class:`GradingSlot` is the body of a long-lived Ray actor (one CPU, the memory
of a worker plus its harness, a GPU with ``--gpus``). When it starts, on whatever
node Ray placed it, it

1. unpacks the batch's snapshot of the assignment that came with the job (it never
   reads the instructor's folder) and checks that its version is the driver's;
2. checks that this node runs the same grader code as the driver;
3. makes the sandbox the batch asked for (``auto``: what it means on this node),
   with the same limits as on one machine: Ray's resources only schedule, the
   sandbox confines.

Then the driver feeds it one source bundle at a time; :meth:`GradingSlot.grade`
grades it with :func:`autograder.grading.grade_bundle` in the slot's warm harness
and returns the result as JSON. Nothing is written anywhere but the slot's scratch
folder: results, feedback and the gradebook are the driver's.

This module imports no Ray: the executor wraps the class with ``ray.remote``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pathlib
import shutil
import socket
import sys
import tempfile

import autograder
from autograder.errors import AutograderError, GradingCancelled
from autograder.folder_archive import pack_folder, unpack_folder
from autograder.grading import GradeOptions, grade_bundle
from autograder.intake import SourceBundle
from autograder.scratch import enter_run_scratch
from autograder.spec import assignment_version, load_spec

__all__ = ["GradingSlot", "framework_fingerprint", "pack_bundle"]


def framework_fingerprint() -> str:
    """SHA-256 over the grader's own source (``autograder/**/*.py``): the same on every node, or grades may differ."""
    package = pathlib.Path(autograder.__file__).resolve().parent
    digest = hashlib.sha256(autograder.__version__.encode() + b"\0")
    for path in sorted(package.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def pack_bundle(bundle: SourceBundle) -> dict:
    """What a slot needs of a source bundle made by intake on the driver: its files as bytes and its notes."""
    return {"archive": pack_folder(bundle.directory), "notes": list(bundle.notes)}


@dataclasses.dataclass(frozen=True)
class SlotJob:
    """What every slot of a batch is started with (the snapshot itself travels as bytes beside it)."""

    folder: str               # the name of the assignment's folder
    assignment_version: str   # the driver's assignment_version of the snapshot
    framework: str            # the driver's framework_fingerprint()
    options: GradeOptions     # seed resolved, sandbox as asked ("auto" is resolved per node)
    warm: bool
    cpus: float               # CPUs Ray reserves for the slot: the harness's BLAS/torch threads


class GradingSlot:
    """A job slot on a Ray node: the assignment unpacked, a sandbox with a warm harness, one grading at a time.

    Setting up never raises: a problem is kept and reported by :meth:`where`, so that the
    driver can tell "this node cannot grade" (stop the batch, say why) from "the node is gone".
    """

    def __init__(self, snapshot: bytes, job: SlotJob, slot: int):
        self.slot = slot
        self.job = job
        self.problem = ""
        self.sandbox = None
        self.node, self.node_ip = _node()
        enter_run_scratch()  # this actor's process is the slot's grader: its temporary files go where a dead one's are swept
        self._scratch = pathlib.Path(tempfile.mkdtemp(prefix=f"ag-ray-slot{slot}-"))
        try:
            self.spec = self._unpack(snapshot)
            self.options = self._node_options(job.options)
            from autograder.sandbox import make_sandbox

            self.sandbox = make_sandbox(self.options.sandbox, gpus=self.options.gpu_devices)
        except (AutograderError, OSError, ValueError) as exc:
            self.problem = f"{type(exc).__name__}: {exc}"

    def _unpack(self, snapshot: bytes):
        if framework_fingerprint() != self.job.framework:
            raise AutograderError(f"this node runs other grader code than the driver (autograder {autograder.__version__} at "
                                  f"{pathlib.Path(autograder.__file__).parent}); install the same version on every node")
        root = self._scratch / "assignment" / self.job.folder  # the folder keeps its name, as in the driver's snapshot
        unpack_folder(snapshot, root)
        spec = load_spec(root)
        version = assignment_version(spec)
        if version != self.job.assignment_version:
            raise AutograderError(f"the assignment arrived as version {version}, the driver grades {self.job.assignment_version}")
        return spec

    def _node_options(self, options: GradeOptions) -> GradeOptions:
        """The batch's options as this node applies them: its sandbox for ``auto``, its threads, its GPU."""
        from autograder.sandbox import resolve_sandbox

        threads = max(1, round(self.job.cpus))
        gpu_devices = options.gpu_devices
        visible = os.environ.get("CUDA_VISIBLE_DEVICES", "")
        if options.gpu and visible:
            gpu_devices = f"device={visible}"  # docker gets the GPU Ray assigned to this slot, not every GPU of the node
        # The local sandboxes give a harness cpu_count // jobs threads: as many as the slot's CPUs.
        jobs = max(1, (os.cpu_count() or 1) // threads)
        return dataclasses.replace(options, sandbox=resolve_sandbox(options.sandbox), jobs=jobs, gpu_devices=gpu_devices, progress=False,
                                   gradebook=None, resume=False)

    def where(self) -> dict:
        """Where this slot runs and whether it can grade: node, host, pid, sandbox, problem ("" when ready)."""
        return {"node": self.node, "ip": self.node_ip, "host": socket.gethostname(), "pid": os.getpid(), "slot": self.slot,
                "sandbox": getattr(getattr(self, "options", None), "sandbox", ""), "problem": self.problem}

    def grade(self, name: str, bundle: dict) -> str | None:
        """Grade one bundle (from :func:`pack_bundle`); its :class:`SubmissionResult` as JSON, None if cancelled."""
        if self.problem:
            raise RuntimeError(f"this slot cannot grade: {self.problem}")
        folder = pathlib.Path(tempfile.mkdtemp(prefix="ag-bundle-", dir=self._scratch))
        files = unpack_folder(bundle["archive"], folder)
        source = SourceBundle(name, folder, sorted(files), list(bundle["notes"]))
        try:
            result = grade_bundle(self.spec, name, source, self.sandbox, self.options, self.slot, warm=self.job.warm)
        except GradingCancelled:
            return None
        if self.node:  # where it was graded
            result.environment = {**result.environment, "ray_node": self.node, "ray_node_ip": self.node_ip}
        return result.to_json()

    def cancel(self) -> bool:
        """Stop the running grading (its :meth:`grade` returns None) and refuse later ones."""
        if self.sandbox is not None:
            self.sandbox.cancel()
        return True

    def close(self) -> bool:
        """Stop the harness and remove the slot's scratch folder (end of batch)."""
        if self.sandbox is not None:
            self.sandbox.close()
        shutil.rmtree(self._scratch, ignore_errors=True)
        return True


def _node() -> tuple[str, str]:
    """This Ray node's id and IP address; empty outside a Ray worker (asking Ray there would start a Ray of its own)."""
    ray = sys.modules.get("ray")
    if ray is None or not ray.is_initialized():
        return "", ""
    return ray.get_runtime_context().get_node_id(), ray.util.get_node_ip_address()
