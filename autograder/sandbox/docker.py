"""The ``docker`` sandbox: harness and worker of one submission inside a container of their own.

The host only starts the container of the assignment's grader image (built by
``autograder image build``) and reads the outcomes file back. Inside, the harness
(:mod:`autograder.harness.server`, container root with a handful of capabilities,
trusted) runs the hidden tests and starts the worker with the ``container``
launcher: the process launcher, with the worker as an unprivileged uid (62000 +
slot) in a Python environment without torch when the assignment forbids imports.
The hidden tests and reference are readable by root only, so not by the worker.
Nothing at all is shared between two submissions; :mod:`.docker_chunk` keeps one
warm container per job slot instead.

Container flags: ``--network none``, ``--read-only`` root, a size-capped tmpfs
``/tmp`` (the worker's work dir), ``--memory`` = ``--memory-swap`` (no swap),
``--pids-limit``, ``--cpus``, ``--cap-drop ALL`` plus only what the harness
needs to start and kill the worker (``CHOWN SETUID SETGID KILL DAC_OVERRIDE
FOWNER``; all are gone once the worker drops to its uid), ``no-new-privileges``,
capped logs, and ``--gpus`` when asked. Every container has a name and is
removed with ``docker rm -f`` whatever happens (timeouts, Ctrl-C).
"""

from __future__ import annotations

import functools
import hashlib
import os
import pathlib
import shutil
import subprocess
import tempfile
import threading
import uuid

from autograder.errors import GraderFault, GradingCancelled, SandboxUnavailable
from autograder.launchers.worker_uid import CONTAINER_WORKER_UID_BASE, UID_BASE_VARIABLE
from autograder.outcomes import Outcomes
from autograder.sandbox.harness_process import HarnessProcess, read_outcomes
from autograder.spec import AssignmentSpec, source_hash

__all__ = ["DockerSandbox", "docker_unavailable_reason", "image_content_hash", "image_tag"]

INSTALL_HINT = ("install Docker and start its daemon (Debian/Ubuntu: `apt-get install docker.io` then `dockerd &` or "
                "`systemctl start docker`), then build the grader image: `autograder image build --assignment ID`; "
                "see docs/sandboxes.md")
HARNESS_CAPABILITIES = ("CHOWN", "SETUID", "SETGID", "KILL", "DAC_OVERRIDE", "FOWNER")
HASH_LABEL = "org.autograder.source-hash"


def image_content_hash(spec: AssignmentSpec) -> str:
    """What a grader image is built from: the assignment's files and the grader's own package.

    Labelled on the image at build time; grading with an image whose label differs (older
    tests, or an older harness) is a grader fault asking for a rebuild.
    """
    package = pathlib.Path(__file__).resolve().parent.parent
    return hashlib.sha256(f"{source_hash(spec.root)}:{source_hash(package)}".encode()).hexdigest()


def image_tag(assignment_id: str, gpu: bool = False) -> str:
    """The grader image of an assignment: ``autograder-grader-ID[-cuda]:latest``."""
    return f"autograder-grader-{assignment_id.lower()}{'-cuda' if gpu else ''}:latest"


@functools.lru_cache(maxsize=None)
def docker_unavailable_reason() -> str | None:
    """``None`` when a Docker daemon answers, else what is wrong and what to install."""
    if shutil.which("docker") is None:
        return f"the docker sandbox needs the docker client, which is not installed: {INSTALL_HINT}"
    try:
        completed = subprocess.run(["docker", "version", "--format", "{{.Server.Version}}"], stdin=subprocess.DEVNULL,
                                   capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"the docker daemon does not answer ({exc}): {INSTALL_HINT}"
    if completed.returncode != 0:
        detail = completed.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        return f"the docker daemon does not answer ({detail[0][:200]}): {INSTALL_HINT}"
    return None


class DockerSandbox:
    """Grades each submission in a fresh container of the assignment's grader image."""

    name = "docker"

    def __init__(self, *, gpus: str = "all", cpus: float = 1.0, pids_limit: int = 256, tmpfs_mb: int = 512,
                 harness_memory_mb: int = 1536, log_max_size: str = "1m", docker: str = "docker"):
        self.gpus = gpus
        self.cpus = cpus
        self.pids_limit = pids_limit
        self.tmpfs_mb = tmpfs_mb
        self.harness_memory_mb = harness_memory_mb  # the harness (pytest, torch oracles) on top of the worker's limit
        self.log_max_size = log_max_size
        self.docker = docker
        self._checked_images: dict[str, str] = {}
        self._running: set[str] = set()
        self._lock = threading.Lock()
        self.cancelled = False

    def check_available(self) -> None:
        reason = docker_unavailable_reason()
        if reason:
            raise SandboxUnavailable(reason)

    def _check_image(self, spec: AssignmentSpec, tag: str) -> None:
        from autograder.errors import GraderFault

        if tag not in self._checked_images:
            completed = subprocess.run([self.docker, "image", "inspect", "--format", f'{{{{index .Config.Labels "{HASH_LABEL}"}}}}', tag],
                                       stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
            if completed.returncode != 0:
                raise GraderFault(f"no grader image {tag}: build it with `autograder image build --assignment {spec.id}`")
            self._checked_images[tag] = completed.stdout.decode().strip()
        if self._checked_images[tag] != image_content_hash(spec):
            raise GraderFault(f"the grader image {tag} was built from other files than the assignment and the grader now have: "
                              f"rebuild it with `autograder image build --assignment {spec.id}`")

    def confinement_flags(self, spec: AssignmentSpec, *, gpu: bool) -> list[str]:
        """The ``docker run`` flags that confine a grading container (shared by both docker sandboxes)."""
        memory_mb = int(spec.limits.memory_mb) + self.harness_memory_mb
        flags = [
            "--init",
            "--network", "none",
            "--read-only", "--tmpfs", f"/tmp:rw,nosuid,nodev,size={self.tmpfs_mb}m,mode=1777",
            "--memory", f"{memory_mb}m", "--memory-swap", f"{memory_mb}m",
            "--pids-limit", str(self.pids_limit), "--cpus", str(self.cpus),
            "--cap-drop", "ALL", *[arg for cap in HARNESS_CAPABILITIES for arg in ("--cap-add", cap)],
            "--security-opt", "no-new-privileges",
            "--user", "0:0",  # the harness; the worker runs as uid 62000 (see module docstring)
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

    def cancel(self) -> None:
        """Remove every running grading container; their :meth:`grade` calls (and later ones) raise
        :class:`~autograder.errors.GradingCancelled`."""
        with self._lock:
            self.cancelled = True
            running = list(self._running)
        for container in running:
            self.remove(container)

    def close(self) -> None:
        """Nothing is kept between submissions."""

    @staticmethod
    def copy_bundle(bundle_dir: pathlib.Path, target: pathlib.Path) -> None:
        """Copy a submission where the container's harness (root) can read it."""
        shutil.copytree(bundle_dir, target, symlinks=False)
        for path in [target, *target.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)

    def grade(self, spec: AssignmentSpec, bundle_dir: pathlib.Path, *, seed: int, slot: int = 0, gpu: bool = False,
              tests: str = "hidden", warm: bool = False, jobs: int = 1) -> Outcomes:
        self._check_image(spec, image_tag(spec.id, gpu))
        container = f"ag-{spec.id.lower()}-{uuid.uuid4().hex[:12]}"
        with self._lock:
            if self.cancelled:
                raise GradingCancelled()
            self._running.add(container)
        with tempfile.TemporaryDirectory(prefix="ag-docker-") as scratch:
            out_dir = pathlib.Path(scratch) / "out"
            out_dir.mkdir(mode=0o700)
            bundle = pathlib.Path(scratch) / "submission"
            self.copy_bundle(bundle_dir, bundle)
            harness = None
            try:
                harness = HarnessProcess(self.docker_run_command(spec, container, [(bundle, "/submission", "ro"), (out_dir, "/out", "rw")],
                                                                 gpu=gpu, tests=tests), label="grading container")
                harness.grade("/submission", "/out/outcomes.json", seed=seed, warm=False, timeout=spec.limits.total_timeout_s + 120)
            except GraderFault as exc:
                if self.cancelled:
                    raise GradingCancelled() from None
                raise GraderFault(f"the grading container failed: {exc}") from None
            finally:
                if harness is not None:
                    harness.stop(grace=2.0)
                self.remove(container)
                with self._lock:
                    self._running.discard(container)
            if self.cancelled:
                raise GradingCancelled()
            return read_outcomes(out_dir / "outcomes.json")
