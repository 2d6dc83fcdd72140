"""The ``docker-chunk`` sandbox: one long-lived container per job slot, a warm harness inside.

:class:`~autograder.sandbox.docker.DockerSandbox` keeps the harness on the host and
starts a container for every submission's worker. This sandbox starts one container
per job slot (same image) whose main process is the warm harness
(:mod:`autograder.harness.server`), and grades the slot's share of the batch, its
*chunk*, in it: the harness forks a child per submission, whose worker is forked
from the container's zygote as uid 62000 + slot. What it saves is the container
start per submission (and Python with numpy, or torch, starting in the worker:
the zygote has them imported); what it gives up is a container per submission.
Use it where the grader machine should run nothing of the assignment outside a
container (the hidden side lives only in the image).

What keeps submissions of one chunk apart:

- the harness sweeps the worker uid after each submission (every process killed,
  its files in ``/tmp``, ``/var/tmp`` and ``/dev/shm`` removed; the root file system
  is read-only) and removes the submission's work folder;
- submissions are copied into ``/in/<random>/``, a folder only root (the harness) can
  open, and removed after grading, so a worker cannot read another student's code;
- a harness that fails, times out or is killed (memory) takes its container with it:
  the next submission of the slot gets a fresh one; so does every
  ``recycle_after``-th submission.

The container lives exactly as long as the grader: its main process is attached to
the grader's pipes (``docker run -i``) and leaves at end of file, which comes when
the grader exits, however it exits (SIGKILL included); ``--rm`` then removes it.
:meth:`close` (end of batch) and :meth:`cancel` (Ctrl-C) remove them at once.
"""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import tempfile
import threading
import uuid

from autograder.errors import GraderFault, GradingCancelled, SandboxUnavailable
from autograder.launchers.worker_uid import CONTAINER_WORKER_UID_BASE, UID_BASE_VARIABLE
from autograder.outcomes import Outcomes
from autograder.grader_image import check_image, docker_unavailable_reason, image_tag
from autograder.sandbox.harness_process import HarnessProcess, read_outcomes
from autograder.sandbox.local import request_timeout, with_reference_warning
from autograder.spec import AssignmentSpec

# What the harness (container root) keeps to start, confine and kill workers; all gone once a worker drops to its uid.
HARNESS_CAPABILITIES = ("CHOWN", "SETUID", "SETGID", "KILL", "DAC_OVERRIDE", "FOWNER")

__all__ = ["DockerChunkSandbox"]


class _SlotContainer:
    """One running container of a job slot, its warm harness and the host folders mounted into it."""

    def __init__(self, name: str, harness: HarnessProcess, in_dir: pathlib.Path, out_dir: pathlib.Path, key: tuple):
        self.name = name
        self.harness = harness
        self.in_dir = in_dir
        self.out_dir = out_dir
        self.key = key
        self.graded = 0


class DockerChunkSandbox:
    """Grades a batch in one container per job slot, with a fresh harness child and worker per submission."""

    name = "docker-chunk"

    def __init__(self, *, gpus: str = "all", cpus: float = 1.0, pids_limit: int = 256, tmpfs_mb: int = 512,
                 harness_memory_mb: int = 1536, log_max_size: str = "1m", docker: str = "docker", recycle_after: int = 200):
        self.gpus = gpus
        self.cpus = cpus
        self.pids_limit = pids_limit
        self.tmpfs_mb = tmpfs_mb
        self.harness_memory_mb = harness_memory_mb  # the harness (pytest, torch oracles) on top of the worker's limit
        self.log_max_size = log_max_size
        self.docker = docker
        self.recycle_after = recycle_after
        self._containers: dict[int, _SlotContainer] = {}
        self._running: set[str] = set()
        self._lock = threading.Lock()
        self.cancelled = False
        self._scratch = pathlib.Path(tempfile.mkdtemp(prefix="ag-docker-chunk-"))

    def check_available(self) -> None:
        reason = docker_unavailable_reason()
        if reason:
            raise SandboxUnavailable(reason)

    def confinement_flags(self, spec: AssignmentSpec, *, gpu: bool) -> list[str]:
        """The ``docker run`` flags that confine a grading container."""
        memory_mb = int(spec.limits.memory_mb) + self.harness_memory_mb
        flags = [
            "--init",
            "--network", "none",
            "--read-only", "--tmpfs", f"/tmp:rw,nosuid,nodev,size={self.tmpfs_mb}m,mode=1777",
            "--memory", f"{memory_mb}m", "--memory-swap", f"{memory_mb}m",
            "--pids-limit", str(self.pids_limit), "--cpus", str(self.cpus),
            "--cap-drop", "ALL", *[arg for cap in HARNESS_CAPABILITIES for arg in ("--cap-add", cap)],
            "--security-opt", "no-new-privileges",
            "--user", "0:0",  # the harness; workers run as uid 62000 + slot
            "--log-driver", "json-file", "--log-opt", f"max-size={self.log_max_size}", "--log-opt", "max-file=1",
            "--stop-timeout", "1",
            "--label", "org.autograder.role=grading",
            "--env", f"{UID_BASE_VARIABLE}={CONTAINER_WORKER_UID_BASE}",
        ]
        if gpu:
            flags += ["--gpus", self.gpus]
        return flags

    @staticmethod
    def harness_command(*, gpu: bool, tests: str) -> list[str]:
        """The warm harness's argv inside the image (it is the container's main process)."""
        command = ["/opt/grader/bin/python", "-m", "autograder.harness.server", "--assignment", "/opt/assignment",
                   "--launcher", "container", "--slot", "0", "--tests", tests, "--no-parent-watch"]
        return command + (["--gpu"] if gpu else [])

    def docker_run_command(self, spec: AssignmentSpec, name: str, mounts: list[tuple[pathlib.Path, str, str]], *, gpu: bool,
                           tests: str) -> list[str]:
        """``docker run -i`` of a grading container whose main process is the harness; ``mounts``: (host, container, mode)."""
        volumes = [arg for host, inside, mode in mounts for arg in ("--volume", f"{host}:{inside}:{mode}")]
        return [self.docker, "run", "-i", "--rm", "--name", name, *self.confinement_flags(spec, gpu=gpu), *volumes,
                image_tag(spec.id, gpu), *self.harness_command(gpu=gpu, tests=tests)]

    def remove(self, container: str) -> None:
        """``docker rm -f``: the container is gone afterwards, whatever state it was in."""
        subprocess.run([self.docker, "rm", "-f", container], stdin=subprocess.DEVNULL, capture_output=True, timeout=120)

    @staticmethod
    def copy_bundle(bundle_dir: pathlib.Path, target: pathlib.Path) -> None:
        """Copy a submission where the container's harness (root) can read it."""
        shutil.copytree(bundle_dir, target, symlinks=False)
        for path in [target, *target.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)

    def _start_container(self, spec: AssignmentSpec, slot: int, gpu: bool, tests: str) -> _SlotContainer:
        name = f"ag-{spec.id.lower()}-slot{slot}-{uuid.uuid4().hex[:8]}"
        self._scratch.mkdir(mode=0o700, exist_ok=True)  # again after close(): the sandbox can be reused
        folder = self._scratch / name
        in_dir, out_dir = folder / "in", folder / "out"
        for directory in (folder, in_dir, out_dir):
            directory.mkdir(mode=0o700)
        with self._lock:
            if self.cancelled:
                raise GradingCancelled()
            self._running.add(name)
        command = self.docker_run_command(spec, name, [(in_dir, "/in", "ro"), (out_dir, "/out", "rw")], gpu=gpu, tests=tests)
        try:
            harness = HarnessProcess(command, label="grading container")
        except GraderFault:
            self._forget(name, folder)
            self.remove(name)
            raise
        return _SlotContainer(name, harness, in_dir, out_dir, (image_tag(spec.id, gpu), tests))

    def _forget(self, name: str, folder: pathlib.Path) -> None:
        with self._lock:
            self._running.discard(name)
        shutil.rmtree(folder, ignore_errors=True)

    def _stop(self, container: _SlotContainer) -> None:
        """End a slot's harness, remove its container (``docker rm -f``) and its folders."""
        container.harness.stop(grace=2.0)
        self.remove(container.name)
        self._forget(container.name, container.in_dir.parent)

    def _container_for(self, spec: AssignmentSpec, slot: int, gpu: bool, tests: str) -> _SlotContainer:
        container = self._containers.get(slot)
        key = (image_tag(spec.id, gpu), tests)
        if container is not None and (container.key != key or container.graded >= self.recycle_after or not container.harness.alive):
            self._stop(self._containers.pop(slot))
            container = None
        if container is None:
            container = self._containers[slot] = self._start_container(spec, slot, gpu, tests)
        return container

    def close(self) -> None:
        """Remove every slot's container (end of batch)."""
        for slot in list(self._containers):
            self._stop(self._containers.pop(slot))
        shutil.rmtree(self._scratch, ignore_errors=True)

    def cancel(self) -> None:
        """Stop every slot's harness and remove its container; running and later :meth:`grade` calls
        raise :class:`~autograder.errors.GradingCancelled`."""
        with self._lock:
            self.cancelled = True
            running = list(self._containers.values())
            names = list(self._running)
        for container in running:
            container.harness.interrupt()
        for name in names:
            self.remove(name)

    def grade(self, spec: AssignmentSpec, bundle_dir: pathlib.Path, *, seed: int, slot: int = 0, gpu: bool = False,
              tests: str = "hidden", warm: bool = False, jobs: int = 1, owner: str | None = None,
              seed_fixed: bool = False) -> Outcomes:
        if self.cancelled:
            raise GradingCancelled()
        check_image(spec, image_tag(spec.id, gpu), self.docker)
        container = self._container_for(spec, slot, gpu, tests)
        container.graded += 1
        key = uuid.uuid4().hex
        bundle = container.in_dir / key
        outcomes = container.out_dir / f"{key}.json"
        healthy = False
        try:
            self.copy_bundle(bundle_dir, bundle)
            try:
                reply = container.harness.grade(f"/in/{key}", f"/out/{key}.json", seed=seed, warm=warm, timeout=request_timeout(spec),
                                                owner=owner)
            except GraderFault as exc:
                if self.cancelled:
                    raise GradingCancelled() from None
                raise GraderFault(f"the harness in the grading container failed: {exc}") from None
            if self.cancelled:
                raise GradingCancelled()
            result = with_reference_warning(read_outcomes(outcomes), reply, seed)
            healthy = True
            return result
        finally:
            shutil.rmtree(bundle, ignore_errors=True)
            try:
                outcomes.unlink()
            except OSError:
                pass
            if not healthy and self._containers.get(slot) is container:
                self._stop(self._containers.pop(slot))  # state unknown: the next submission gets a fresh container
