"""The ``docker-chunk`` sandbox: one long-lived container per job slot, a fresh harness per submission.

:class:`~autograder.sandbox.docker.DockerSandbox` starts a container for every
submission. This sandbox starts one container per job slot (same image, same
confinement flags) and grades the slot's share of the batch, its *chunk*, in it:
for each submission ``docker exec`` starts a fresh harness, which starts a fresh
worker as uid 62000, exactly as in a per-submission container. What it saves is
the container start (``docker run``: namespaces, cgroup, mounts; with the NVIDIA
runtime also the GPU hook), paid once per slot instead of once per submission.

What keeps submissions of one chunk apart:

- the harness's teardown kills every process of the worker's uid and removes its
  files in ``/tmp``, ``/var/tmp`` and ``/dev/shm`` (the root file system is
  read-only), as it does in every sandbox;
- submissions are copied into ``/in/<random>/``, a folder only root (the harness)
  can open, and removed after grading, so a worker cannot read another student's code;
- any harness that fails, times out or is killed (memory) takes its container with
  it: the next submission of the slot gets a fresh one; so does every
  ``recycle_after``-th submission, so nothing accumulates over a long batch.

The container lives exactly as long as the grader: its main process reads its
stdin, which is a pipe from the grader, and exits at end of file, which comes
when the grader exits, however it exits (SIGKILL included); ``--rm`` then removes
it. :meth:`close` (end of batch) and :meth:`cancel` (Ctrl-C) remove them at once.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import tempfile
import threading
import time
import uuid

from autograder.sandbox.docker import DockerSandbox, image_tag
from autograder.spec import AssignmentSpec

__all__ = ["DockerChunkSandbox"]

# The container's main process: wait for the grader's end (EOF on stdin), then exit.
_KEEPALIVE = ["/opt/grader/bin/python", "-c", "import sys; sys.stdin.buffer.read()"]


class _SlotContainer:
    """One running container of a job slot and the host folders mounted into it."""

    def __init__(self, name: str, client: subprocess.Popen, in_dir: pathlib.Path, out_dir: pathlib.Path, tag: str):
        self.name = name
        self.client = client  # the attached `docker run -i` process; its stdin is the container's lifeline
        self.in_dir = in_dir
        self.out_dir = out_dir
        self.tag = tag
        self.graded = 0


class DockerChunkSandbox(DockerSandbox):
    """Grades a batch in one container per job slot, with a fresh harness and worker per submission."""

    name = "docker-chunk"

    def __init__(self, *, recycle_after: int = 50, start_timeout_s: float = 120.0, **kwargs):
        super().__init__(**kwargs)
        self.recycle_after = recycle_after
        self.start_timeout_s = start_timeout_s
        self._containers: dict[int, _SlotContainer] = {}
        self._scratch = pathlib.Path(tempfile.mkdtemp(prefix="ag-docker-chunk-"))

    # ------------------------------------------------------------------ containers

    def _start_container(self, spec: AssignmentSpec, slot: int, gpu: bool) -> _SlotContainer:
        from autograder.errors import GraderFault

        tag = image_tag(spec.id, gpu)
        name = f"ag-{spec.id.lower()}-slot{slot}-{uuid.uuid4().hex[:8]}"
        self._scratch.mkdir(mode=0o700, exist_ok=True)  # again after close(): the sandbox can be reused
        folder = self._scratch / name
        in_dir, out_dir = folder / "in", folder / "out"
        for directory in (folder, in_dir, out_dir):
            directory.mkdir(mode=0o700)
        command = [
            self.docker, "run", "-i", "--rm", "--name", name,
            *self.confinement_flags(spec, gpu=gpu),
            "--volume", f"{in_dir}:/in:ro",
            "--volume", f"{out_dir}:/out:rw",
            tag, *_KEEPALIVE,
        ]
        with self._lock:
            self._running.add(name)
        # Only this process holds the pipe's write end (close_fds): when the grader ends, however it
        # ends, the client reads EOF, closes the container's stdin, the keepalive exits, --rm removes it.
        client = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if client.poll() is not None:
                error = client.stderr.read().decode("utf-8", "replace")[-1000:] if client.stderr else ""
                self._forget(name, folder)
                raise GraderFault(f"the grading container did not start (exit {client.returncode}): {error}")
            state = subprocess.run([self.docker, "inspect", "--format", "{{.State.Running}}", name], stdin=subprocess.DEVNULL,
                                   capture_output=True, timeout=60)
            if state.stdout.strip() == b"true":
                return _SlotContainer(name, client, in_dir, out_dir, tag)
            time.sleep(0.05)
        self._stop(_SlotContainer(name, client, in_dir, out_dir, tag))
        raise GraderFault(f"the grading container did not start within {self.start_timeout_s:g} s")

    def _forget(self, name: str, folder: pathlib.Path) -> None:
        with self._lock:
            self._running.discard(name)
        shutil.rmtree(folder, ignore_errors=True)

    def _stop(self, container: _SlotContainer) -> None:
        """Remove a slot's container (``docker rm -f``) and its folders."""
        self.remove(container.name)
        try:
            container.client.stdin.close()
        except OSError:
            pass
        try:
            container.client.wait(timeout=30)
        except subprocess.TimeoutExpired:
            container.client.kill()
            container.client.wait()
        self._forget(container.name, container.in_dir.parent)

    def _container_for(self, spec: AssignmentSpec, slot: int, gpu: bool) -> _SlotContainer:
        tag = image_tag(spec.id, gpu)
        container = self._containers.get(slot)
        if container is not None and (container.tag != tag or container.graded >= self.recycle_after or container.client.poll() is not None):
            self._stop(self._containers.pop(slot))
            container = None
        if container is None:
            container = self._containers[slot] = self._start_container(spec, slot, gpu)
        return container

    def close(self) -> None:
        """Remove every slot's container (end of batch)."""
        for slot in list(self._containers):
            self._stop(self._containers.pop(slot))
        shutil.rmtree(self._scratch, ignore_errors=True)

    # ------------------------------------------------------------------ grading

    def run(self, spec: AssignmentSpec, bundle_dir: pathlib.Path, *, seed: int, slot: int = 0, gpu: bool = False, tests: str = "hidden") -> dict:
        from autograder.errors import GraderFault
        from autograder.sandbox import GradingCancelled
        from autograder.sandbox.local_harness import read_outcomes

        if self.cancelled:
            raise GradingCancelled()
        self._check_image(spec, image_tag(spec.id, gpu))
        container = self._container_for(spec, slot, gpu)
        container.graded += 1
        key = uuid.uuid4().hex
        bundle = container.in_dir / key
        outcomes = container.out_dir / f"{key}.json"
        healthy = False
        try:
            shutil.copytree(bundle_dir, bundle, symlinks=False)
            for path in [bundle, *bundle.rglob("*")]:
                path.chmod(0o755 if path.is_dir() else 0o644)
            command = [self.docker, "exec", container.name,
                       *self.harness_command(f"/in/{key}", f"/out/{key}.json", seed=seed, gpu=gpu, tests=tests, exec_started=True)]
            timeout = spec.limits.total_timeout_s + 120
            try:
                completed = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
            except subprocess.TimeoutExpired:
                raise GraderFault(f"the harness did not finish within {timeout:g} s") from None
            if self.cancelled:
                raise GradingCancelled()
            if completed.returncode != 0 or not os.path.lexists(outcomes):
                tail = completed.stdout.decode("utf-8", errors="replace")[-1500:]
                if completed.returncode == 137:
                    tail = "killed (exit 137: the container's memory limit, or docker rm) " + tail
                raise GraderFault(f"the harness in the grading container failed (exit {completed.returncode}): {tail}")
            result = read_outcomes(outcomes)
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
