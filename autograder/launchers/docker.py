"""The ``docker`` launcher: every worker in a fresh container of the assignment's grader image.

Used by the ``docker`` sandbox: the warm harness runs on the host (as for ``process``
and ``bwrap``: pytest, torch and the tests imported once per slot), and each worker
it starts, so each submission, gets a container of its own, removed when the worker
ends. The student's code never shares a container, a file system or a process table
with another submission. The tests and the reference run with the harness on the host;
the image's copy of the assignment (``/opt/assignment``, used by ``docker-chunk``) is
root-only, and the worker is uid 62000 without capabilities.

Each container: ``--network none``, a read-only root, a size-capped tmpfs ``/tmp``
(the worker's home), ``--memory`` = ``--memory-swap`` (the assignment's worker limit),
``--pids-limit``, ``--cpus``, ``--cap-drop ALL``, ``no-new-privileges``, an init
process, uid 62000, the submission mounted read-only at ``/submission``, ``--gpus``
when asked. The worker copies the submission into ``/tmp/src``, its writable work
dir, and talks to the harness over the container's attached stdin and stdout
(``docker run -i``); what the student prints comes on stderr.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid

from autograder.errors import GraderFault, SandboxUnavailable
from autograder.launchers.process import ProcessLauncher, WorkerSession
from autograder.launchers.worker_handle import OutputCollector, WorkerExit, WorkerHandle

__all__ = ["DockerLauncher", "DockerWorker"]

CONTAINER_UID = 62000
TMPFS_MB = 512


class DockerWorker(WorkerHandle):
    """A worker in its own container; ``popen`` is the attached ``docker run -i`` client."""

    def __init__(self, popen: subprocess.Popen, name: str, output: OutputCollector, docker: str = "docker"):
        self.popen = popen
        self.pid = popen.pid
        self.name = name
        self.fd_to = popen.stdin.fileno()
        self.fd_from = popen.stdout.fileno()
        self.output = output
        self.uid = None
        self._docker = docker

    def kill(self) -> None:
        subprocess.run([self._docker, "rm", "-f", self.name], stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
        try:
            self.popen.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
        for stream in (self.popen.stdin, self.popen.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.output.join()

    def close_pipes(self) -> None:  # the streams own the descriptors
        for stream in (self.popen.stdin, self.popen.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.output.join()

    def exit(self) -> WorkerExit:
        code = self.popen.poll()
        if code is not None and code > 128:
            return WorkerExit("signaled", signal=code - 128)  # docker reports a signal as 128 + its number
        return WorkerExit.from_returncode(code)

    def settle(self, timeout: float) -> None:
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass


class DockerLauncher(ProcessLauncher):
    """Starts each worker as ``docker run -i`` of the grader image (see the module docstring)."""

    name = "docker"

    def __init__(self, setup, *, cold: bool = True, gpus: str = "all", cpus: float = 1.0, docker: str = "docker"):
        self.gpus = gpus
        self.cpus = cpus
        # The assignment's process limit, counted by the container's cgroup (threads included), plus the
        # init process and the worker's own few threads. (RLIMIT_NPROC would count every container's uid 62000.)
        self.pids_limit = setup.spec.limits.max_processes + 16
        self.docker = docker
        # Every worker container of this launcher carries this label (also those a forked harness child
        # starts): the sweep finds them all, whoever started them.
        self.label = f"org.autograder.launcher={uuid.uuid4().hex}"
        super().__init__(setup, cold=True)
        self.warnings = []  # workers are uid 62000 in containers, never root on the host
        from autograder.grader_image import check_image, image_tag

        self.image = image_tag(self.spec.id, setup.gpu)
        check_image(self.spec, self.image, docker)

    @staticmethod
    def check_available() -> None:
        from autograder.grader_image import docker_unavailable_reason

        reason = docker_unavailable_reason()
        if reason:
            raise SandboxUnavailable(reason)

    def _wants_dedicated_uid(self) -> bool:
        return False  # workers are uid 62000 in containers of their own, not host uids

    def zygote_supported(self) -> bool:
        return False  # a fresh container for every worker

    @property
    def private_tmp(self) -> bool:
        return False  # the container's own tmpfs

    def container_python(self) -> str:
        restricted = self.spec.forbidden_imports or self.spec.student_packages is not None
        return "/opt/worker/bin/python" if restricted else "/opt/grader/bin/python"

    def confinement_flags(self, name: str) -> list[str]:
        memory_mb = int(self.spec.limits.memory_mb)
        flags = [
            "--rm", "-i", "--name", name, "--init",
            "--network", "none",
            "--read-only", "--tmpfs", f"/tmp:rw,nosuid,nodev,size={TMPFS_MB}m,mode=1777",
            "--memory", f"{memory_mb}m", "--memory-swap", f"{memory_mb}m",
            "--pids-limit", str(self.pids_limit), "--cpus", str(self.cpus),
            "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
            "--user", f"{CONTAINER_UID}:{CONTAINER_UID}",
            "--log-driver", "none",
            "--label", "org.autograder.role=worker", "--label", self.label,
            "--workdir", "/tmp",
        ]
        if self.setup.gpu:
            flags += ["--gpus", self.gpus]
        return flags

    def docker_run_command(self, session: WorkerSession, name: str, config: dict) -> list[str]:
        environment = [arg for key, value in sorted(config["env"].items()) for arg in ("--env", f"{key}={value}")]
        return [self.docker, "run", *self.confinement_flags(name), *environment, "--volume", f"{session.source_dir}:/submission:ro",
                self.image, self.container_python(), "-I", "-m", "autograder.worker", "--config", json.dumps(config)]

    def start_worker(self, session: WorkerSession, handle_base: int) -> WorkerHandle:
        for path in [session.source_dir, *session.source_dir.rglob("*")]:  # readable by the container's uid
            path.chmod(0o755 if path.is_dir() else 0o644)
        config = self.worker_config(session, handle_base)
        # The submission is mounted read-only and copied into the container's tmpfs, the worker's writable work dir.
        config.update(source_dir="/tmp/src", copy_from="/submission", uid=None, private_tmp=False, stdio=True, sys_path=["/opt/autograder"])
        config["env"] = {**config["env"], "HOME": "/tmp", "TMPDIR": "/tmp"}
        config["limits"] = {**config["limits"], "processes": None}  # the container's pids limit holds
        name = f"ag-w-{self.spec.id.lower()}-{uuid.uuid4().hex[:12]}"
        try:
            popen = subprocess.Popen(self.docker_run_command(session, name, config), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, start_new_session=True, bufsize=0)
        except OSError as exc:
            raise GraderFault(f"the worker container could not be started: {exc}") from exc
        output = OutputCollector(os.dup(popen.stderr.fileno()), int(self.spec.limits.output_kb) << 10)
        popen.stderr.close()
        return DockerWorker(popen, name, output, self.docker)

    def sweep(self) -> None:
        """Remove every worker container of this launcher that is still there (whichever process started it)."""
        listed = subprocess.run([self.docker, "ps", "-aq", "--filter", f"label={self.label}"], stdin=subprocess.DEVNULL,
                                capture_output=True, text=True, timeout=120)
        names = listed.stdout.split()
        if names:
            subprocess.run([self.docker, "rm", "-f", *names], stdin=subprocess.DEVNULL, capture_output=True, timeout=300)
