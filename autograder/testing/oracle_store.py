"""The oracle memo on disk: an assignment version's reference values, kept between runs.

Within one harness the memo (:mod:`autograder.testing.oracles`) saves recomputing the
reference values of a seed's inputs. A grading that is a run of its own (one notebook
from the command line, a Gradescope submission) would compute them all again, and
import torch to do it: two of its three seconds. Here the memo of a seed is written
to disk after the reference has been graded with that seed (the harness's warm-up),
and read back by every later harness of the same assignment version, which then
grades without computing, or importing, anything the memo has.

Layout: ``ROOT/<assignment id>-<version>/seed-<seed>.oracles``. ``version`` hashes
everything a value could depend on: the assignment's files (tests, reference), the
grader's own package, and the Python, NumPy and torch versions; only the newest
folders of an assignment are kept (:data:`MAX_VERSIONS_PER_ASSIGNMENT`). With the values
the file keeps what the reference scored with that seed, which the warm-up reports. A file is one frame
of the sandbox protocol (:mod:`autograder.protocol`): a JSON header and ``.npy`` blobs,
read with the protocol's strict decoder (nothing is unpickled); only what the protocol
carries is kept (arrays, NumPy scalars, numbers, strings, lists, tuples, dicts), other
values are computed each run. Files are written whole (a temporary file, then a rename).

Trust: a value read here is taken as the reference's, so no student code may write
this folder. The host passes a root only where workers cannot
(:func:`trusted_cache_root`): the folder is private to the grader's user (0700), and
workers run as another uid (a root grader), inside bubblewrap, or in containers, which
do not mount it.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import pathlib
import shutil
import sys
import tempfile

import numpy as np

from autograder.testing.oracles import add_oracle_memo_entries, oracle_memo_entries

__all__ = ["OracleStore", "StoredSeed", "trusted_cache_root"]

MAX_FILE_BYTES = 256 << 20
MAX_SEEDS_PER_VERSION = 16  # a course grades with a few chosen seeds; convolution keeps ~38 MB per seed
MAX_VERSIONS_PER_ASSIGNMENT = 4
DISABLE_VARIABLE = "AUTOGRADER_ORACLE_CACHE"  # "off": no memo on disk


def _installed_version(package: str) -> str:
    """A package's installed version without importing it ("none" when absent)."""
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "none"


def trusted_cache_root(launcher: str) -> pathlib.Path | None:
    """The folder for oracle memos when workers under ``launcher`` cannot write it, else None.

    ``$AUTOGRADER_ORACLE_CACHE`` (a folder, or ``off``), else ``$XDG_CACHE_HOME/autograder/oracles``
    (``~/.cache/...``). Workers cannot write it under ``bwrap`` and ``docker`` (not mounted; the
    harness runs on the host) or under ``process`` run as root (workers get uids of their own);
    under ``process`` run as a normal user they share the grader's uid, and under ``docker-chunk``
    the harness runs in the container: no memo on disk. The folder must be the grader's and private.
    """
    setting = os.environ.get(DISABLE_VARIABLE, "")
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    if launcher == "process" and os.geteuid() != 0:
        return None
    if launcher not in ("process", "bwrap", "docker"):
        return None
    if setting:
        root = pathlib.Path(setting)
    else:
        root = pathlib.Path(os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache") / "autograder" / "oracles"
    try:
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        status = root.stat()
    except OSError:
        return None
    if status.st_uid != os.geteuid() or status.st_mode & 0o077:
        return None  # someone else's, or open to others: not a place to take reference values from
    return root


@dataclasses.dataclass
class StoredSeed:
    """What a memo file keeps besides the values: the reference's report (``status``, ``score``,
    ``max_score``) and the packages the reference grading imported (``["torch"]``). A harness about
    to grade many submissions imports those before it forks: the submissions whose wrong values
    send an oracle to inputs the memo lacks then find torch imported, instead of importing it each."""

    reference: dict
    imports: list[str]


class OracleStore:
    """One assignment version's memo files under ``root``; used by the warm harness."""

    def __init__(self, root: pathlib.Path, spec):
        self._root = pathlib.Path(root)
        self._spec = spec
        self._assignment = spec.id

    @functools.cached_property
    def folder(self) -> pathlib.Path:
        """This version's folder (hashed on first use: a harness whose seeds are all drawn never needs it)."""
        from autograder.grader_image import image_content_hash

        version = ":".join((image_content_hash(self._spec), sys.version, np.__version__, _installed_version("torch")))
        return self._root / f"{self._assignment}-{hashlib.sha256(version.encode()).hexdigest()[:20]}"

    def path(self, seed: int) -> pathlib.Path:
        return self.folder / f"seed-{int(seed)}.oracles"

    def load(self, seed: int) -> StoredSeed | None:
        """Add the memo of ``seed`` to this process's memo; returns what was saved with it
        (None: nothing on disk for this seed, or a damaged file, which the next warm-up writes again)."""
        from autograder.protocol import Decoder, ProtocolError, read_frame

        try:
            fd = os.open(self.path(seed), os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            return None
        try:
            msg, blobs = read_frame(fd, max_bytes=MAX_FILE_BYTES)
            decoder = Decoder(blobs)
            entries = {bytes.fromhex(key): decoder.decode(tree) for key, tree in msg["entries"]}
            reference, imports = msg["reference"], msg["imports"]
            if not isinstance(reference, dict) or not all(isinstance(name, str) for name in imports):
                return None
        except (ProtocolError, EOFError, OSError, KeyError, TypeError, ValueError):
            return None
        finally:
            os.close(fd)
        add_oracle_memo_entries(entries)
        return StoredSeed(reference, list(imports))

    def save(self, seed: int, reference: dict, imports: list[str] = (), keys: set[bytes] | None = None) -> int:
        """Write this process's memo as the memo of ``seed``, with the reference's report and the
        packages its grading imported (:class:`StoredSeed`); ``keys``: only those entries (what the
        seed's grading used, not what earlier seeds left in the memo).

        Returns the entries written; 0 when nothing could be written (too large, or the disk
        refused): a memo not saved is computed again by the next run, never an error.
        """
        from autograder.protocol import Encoder, write_frame

        encoder = Encoder()
        entries = []
        for key, value in oracle_memo_entries().items():
            if keys is not None and key not in keys:
                continue
            mark = len(encoder.blobs)
            try:
                entries.append([key.hex(), encoder.encode(value)])
            except (TypeError, ValueError):  # not a value the protocol carries: computed each run
                del encoder.blobs[mark:]
        if sum(map(len, encoder.blobs)) > MAX_FILE_BYTES:
            return 0
        try:
            self._make_folder()
            descriptor, temporary = tempfile.mkstemp(dir=self.folder, prefix=".seed-", suffix=".tmp")
        except OSError:
            return 0
        try:
            try:
                write_frame(descriptor, {"entries": entries, "reference": reference, "imports": list(imports)}, encoder.blobs)
            finally:
                os.close(descriptor)
            os.replace(temporary, self.path(seed))
        except OSError:
            pathlib.Path(temporary).unlink(missing_ok=True)
            return 0
        self._forget_old_seeds()
        return len(entries)

    def _make_folder(self) -> None:
        if self.folder.is_dir():
            return
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        versions = [other for other in self._root.iterdir()
                    if other.is_dir() and other.name.rsplit("-", 1)[0] == self._assignment and other != self.folder]
        versions.sort(key=lambda path: path.stat().st_mtime)
        for stale in versions[:max(0, len(versions) - (MAX_VERSIONS_PER_ASSIGNMENT - 1))]:
            shutil.rmtree(stale, ignore_errors=True)

    def _forget_old_seeds(self) -> None:
        try:
            files = sorted(self.folder.glob("seed-*.oracles"), key=lambda path: path.stat().st_mtime)
            for path in files[:-MAX_SEEDS_PER_VERSION]:
                path.unlink(missing_ok=True)
        except OSError:  # another harness removed one first
            pass
