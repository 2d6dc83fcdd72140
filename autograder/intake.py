"""Submission (``.py`` / ``.ipynb`` / ``.zip`` / directory) -> checked source bundle.

Intake never runs student code and never raises for bad input: every problem
becomes an :class:`IntakeError` message the student can act on. Only the files
the assignment expects are taken (its module, its ``extra_files``); anything else
a submission ships (``conftest.py``, ``numpy.py``, ``sitecustomize.py``) is left
behind and listed in the notes.

The kind of a file is decided by its content, not its name: a renamed PDF is
reported as a PDF.

For a question assignment (``questions`` in ``assignment.toml``) the bundle is
not the student's module but one written from the literal ``ANSWERS`` it holds
(:mod:`autograder.answer_sheet`): nothing else in the submission reaches the worker.
"""

from __future__ import annotations

import dataclasses
import io
import pathlib
import shutil
import stat
import tempfile
import zipfile
import zlib

from autograder.errors import IntakeError
from autograder.spec import AssignmentSpec

__all__ = ["IntakeError", "SourceBundle", "intake", "submission_name"]

MAX_SOURCE_BYTES = 5 << 20          # one .py file
MAX_NOTEBOOK_BYTES = 50 << 20       # one .ipynb (outputs included) before parsing
MAX_ZIP_ENTRIES = 500
MAX_ZIP_TOTAL_BYTES = 100 << 20     # uncompressed
MAX_ZIP_RATIO = 200                 # uncompressed / compressed, per entry


@dataclasses.dataclass
class SourceBundle:
    """A directory holding exactly the files the worker may import."""

    name: str
    directory: pathlib.Path
    files: list[str]
    notes: list[str] = dataclasses.field(default_factory=list)

    def cleanup(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


def submission_name(path: pathlib.Path) -> str:
    """The submission's file name without its extension (a directory keeps its name)."""
    name = path.name
    for suffix in (".ipynb", ".py", ".zip"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)] or name
    return name


def _sniff(data: bytes) -> str:
    """What ``data`` really is: 'empty', 'zip', 'pdf', 'notebook', 'binary', 'utf16' or 'text'."""
    if not data.strip():
        return "empty"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "zip"
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf16"
    if b"\x00" in data[:4096]:
        return "binary"
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{") and b'"cells"' in data[:1 << 20] or stripped.startswith(b"{") and b'"worksheets"' in data[:1 << 20]:
        return "notebook"
    return "text"


def decode_source(data: bytes, label: str) -> str:
    """Bytes of a ``.py`` file -> text. BOM and CRLF are fine; anything not UTF-8 is an error."""
    kind = _sniff(data)
    if kind == "empty":
        raise IntakeError(f"{label} is empty")
    if kind == "pdf":
        raise IntakeError(f"{label} is a PDF document, not Python source; submit your .py file or notebook")
    if kind == "zip":
        raise IntakeError(f"{label} is a zip archive, not Python source")
    if kind == "utf16":
        raise IntakeError(f"{label} is encoded as UTF-16; save it as UTF-8")
    if b"\x00" in data:
        raise IntakeError(f"{label} contains NUL bytes: it is not a text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IntakeError(f"{label} is not valid UTF-8 (byte {exc.start}); save it as UTF-8") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_capped(path: pathlib.Path, limit: int, label: str) -> bytes:
    size = path.stat().st_size
    if size > limit:
        raise IntakeError(f"{label} is {size / 2**20:.1f} MiB; the limit is {limit / 2**20:.0f} MiB")
    return path.read_bytes()


class _Collector:
    """Gathers the expected files from a tree (a directory or an unpacked zip) into a bundle."""

    def __init__(self, spec: AssignmentSpec, name: str):
        self.spec = spec
        self.name = name
        self.expected = {spec.module_file, *spec.extra_files}

    def from_files(self, files: dict[str, bytes], origin: str) -> SourceBundle:
        """``files``: relative path -> bytes. Picks the module (at any depth, once) or a notebook."""
        notes: list[str] = []
        by_name: dict[str, list[str]] = {}
        for relative in files:
            by_name.setdefault(pathlib.PurePosixPath(relative).name, []).append(relative)
        chosen: dict[str, bytes] = {}
        for expected in sorted(self.expected):
            candidates = [c for c in by_name.get(expected, []) if "__MACOSX" not in c]
            if len(candidates) > 1:
                shallowest = min(candidates, key=lambda c: (c.count("/"), c))
                notes.append(f"several files named {expected}; used {shallowest}")
                candidates = [shallowest]
            if candidates:
                chosen[expected] = files[candidates[0]]
        if self.spec.module_file not in chosen:
            notebooks = [r for r in files if r.lower().endswith(".ipynb") and "__MACOSX" not in r and ".ipynb_checkpoints" not in r]
            if len(notebooks) == 1:
                extras = {name: decode_source(data, name) for name, data in chosen.items()}  # the assignment's extra_files
                ignored = sorted(r for r in files if r != notebooks[0] and pathlib.PurePosixPath(r).name not in self.expected
                                 and not r.endswith("/") and "__MACOSX" not in r and ".ipynb_checkpoints" not in r)
                if ignored:
                    notes.append(f"ignored files (only the notebook{' and ' + ', '.join(sorted(self.spec.extra_files)) if self.spec.extra_files else ''} are used): "
                                 + ", ".join(ignored[:10]) + (" ..." if len(ignored) > 10 else ""))
                return self._from_notebook(files[notebooks[0]], notebooks[0], notes, extras)
            if len(notebooks) > 1:
                raise IntakeError(f"{origin} holds {len(notebooks)} notebooks ({', '.join(sorted(notebooks)[:5])}) and no {self.spec.module_file}; submit one")
            listing = ", ".join(sorted(files)[:10]) or "nothing"
            raise IntakeError(f"{origin} has no {self.spec.module_file} (nor a notebook); it holds: {listing}")
        ignored = sorted(r for r in files if pathlib.PurePosixPath(r).name not in self.expected and not r.endswith("/"))
        if ignored:
            notes.append("ignored files (only " + ", ".join(sorted(self.expected)) + " are used): " + ", ".join(ignored[:10]) + (" ..." if len(ignored) > 10 else ""))
        texts = {name: decode_source(data, name) for name, data in chosen.items()}
        return self._from_sources(texts, notes)

    def _from_sources(self, texts: dict[str, str], notes: list[str], label: str | None = None) -> SourceBundle:
        """The bundle of Python sources; for a question assignment, only the literal ANSWERS of the module
        (``label``: the file name that messages give, the module's by default)."""
        if self.spec.question_bank is not None:
            from autograder.answer_sheet import read_python_answers

            module_text = texts[self.spec.module_file]
            sheet = read_python_answers(module_text, label or self.spec.module_file, self.spec.question_bank.ids)
            return self._from_answers(sheet, notes)
        return self._write(texts, notes)

    def _from_answers(self, sheet, notes: list[str]) -> SourceBundle:
        """A question assignment's bundle: the module written from the answer sheet (autograder.answer_sheet)."""
        from autograder.answer_sheet import answers_module

        return self._write({self.spec.module_file: answers_module(sheet, self.spec.question_bank.ids)}, notes + sheet.notes)

    def _from_notebook(self, data: bytes, label: str, notes: list[str], extras: dict[str, str] | None = None) -> SourceBundle:
        """The module built from the notebook's definitions, plus ``extras`` (its ``extra_files``, by name);
        for a question assignment, the literal answers of its cells."""
        from autograder.notebook_code import notebook_to_module

        if self.spec.question_bank is not None:
            from autograder.answer_sheet import read_notebook_answers

            return self._from_answers(read_notebook_answers(data, label, self.spec.question_bank.ids), notes)
        module_text, notebook_notes = notebook_to_module(data, label, own_module=self.spec.module, import_rule=self.spec.import_rule)
        return self._write({**(extras or {}), self.spec.module_file: module_text}, notes + notebook_notes)

    def _write(self, texts: dict[str, str], notes: list[str]) -> SourceBundle:
        directory = pathlib.Path(tempfile.mkdtemp(prefix=f"ag-bundle-{self.name[:40]}-"))
        for name, text in texts.items():
            (directory / name).write_text(text, encoding="utf-8")
        return SourceBundle(self.name, directory, sorted(texts), notes)


def _zip_files(data: bytes, label: str) -> dict[str, bytes]:
    """Unpack a zip in memory under the limits; refuse links, absolute paths and ``..``."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise IntakeError(f"{label} is not a readable zip archive ({exc})") from None
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        raise IntakeError(f"{label} has {len(infos)} entries; the limit is {MAX_ZIP_ENTRIES}")
    total = 0
    files: dict[str, bytes] = {}
    for info in infos:
        name = info.filename
        if info.is_dir():
            continue
        path = pathlib.PurePosixPath(name)
        if name.startswith("/") or ".." in path.parts or "\\" in name or ":" in name:
            raise IntakeError(f"{label} has an entry with an unsafe path: {name!r}")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise IntakeError(f"{label} has a symbolic link ({name}); links are not accepted")
        total += info.file_size
        if total > MAX_ZIP_TOTAL_BYTES:
            raise IntakeError(f"{label} unpacks to more than {MAX_ZIP_TOTAL_BYTES >> 20} MiB")
        if info.compress_size and info.file_size / info.compress_size > MAX_ZIP_RATIO and info.file_size > 1 << 20:
            raise IntakeError(f"{label}: entry {name} is compressed suspiciously well (a zip bomb?)")
        if name.lower().endswith(".zip"):
            continue  # nested archives are not unpacked
        try:
            with archive.open(info) as handle:
                content = handle.read(info.file_size + 1)
        except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, OSError, EOFError) as exc:
            raise IntakeError(f"{label}: entry {name} cannot be read ({exc})") from None
        if len(content) > info.file_size:
            raise IntakeError(f"{label}: entry {name} is larger than its header says")
        files[name] = content
    return files


EXPORT_MANIFEST = "manifest.json"  # written by ``Notebook.export()`` (autograder.notebook)


def verify_export_manifest(files: dict[str, bytes], label: str, assignment_id: str) -> list[str]:
    """Check an export zip's ``manifest.json`` (if any) against its files; remove it from ``files``.

    Every file the manifest lists must be there with the same SHA-256: a zip
    changed after ``grader.export()`` wrote it is refused, so what is graded is what
    the student exported. Returns notes for the feedback. No manifest: no check.
    """
    import hashlib
    import json

    raw = files.pop(EXPORT_MANIFEST, None)
    if raw is None:
        return []
    try:
        manifest = json.loads(raw.decode("utf-8"))
        listed = manifest["files"]
        if not isinstance(listed, dict) or not all(isinstance(v, dict) and isinstance(v.get("sha256"), str) for v in listed.values()):
            raise TypeError("files")
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise IntakeError(f"{label} has a {EXPORT_MANIFEST} that cannot be read; export again with grader.export()") from None
    for name, entry in sorted(listed.items()):
        if name not in files:
            raise IntakeError(f"{label} was changed after export: {name} is listed in {EXPORT_MANIFEST} but missing; export again with grader.export()")
        if hashlib.sha256(files[name]).hexdigest() != entry["sha256"]:
            raise IntakeError(f"{label} was changed after export: {name} does not match its checksum in {EXPORT_MANIFEST}; export again with grader.export()")
    notes = []
    unlisted = sorted(name for name in files if name not in listed)
    if unlisted:
        notes.append(f"files added after export (not in {EXPORT_MANIFEST}): {', '.join(unlisted[:10])}")
    exported_for = manifest.get("assignment")
    if isinstance(exported_for, str) and exported_for != assignment_id:
        notes.append(f"this export was made for assignment '{exported_for[:40]}', graded as '{assignment_id}'")
    return notes


def _directory_files(root: pathlib.Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    total = 0
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            continue  # links are never followed
        if path.is_file():
            total += path.stat().st_size
            if total > MAX_ZIP_TOTAL_BYTES or len(files) >= MAX_ZIP_ENTRIES:
                raise IntakeError(f"{root.name} is too large (over {MAX_ZIP_ENTRIES} files or {MAX_ZIP_TOTAL_BYTES >> 20} MiB)")
            files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


def intake(path: str | pathlib.Path, spec: AssignmentSpec) -> SourceBundle:
    """Check one submission and gather its files. Raises :class:`IntakeError` only."""
    path = pathlib.Path(path)
    name = submission_name(path)
    collector = _Collector(spec, name)
    try:
        if path.is_symlink() and not path.exists():
            raise IntakeError(f"{path.name} is a broken link")
        if path.is_dir():
            return collector.from_files(_directory_files(path), path.name)
        if not path.is_file():
            raise IntakeError(f"{path} does not exist")
        data = _read_capped(path, max(MAX_NOTEBOOK_BYTES, MAX_ZIP_TOTAL_BYTES), path.name)
        kind = _sniff(data)
        if kind == "zip":
            files = _zip_files(data, path.name)
            manifest_notes = verify_export_manifest(files, path.name, spec.id)
            bundle = collector.from_files(files, path.name)
            bundle.notes = manifest_notes + bundle.notes
            return bundle
        if kind == "notebook" or path.suffix.lower() == ".ipynb":
            if len(data) > MAX_NOTEBOOK_BYTES:
                raise IntakeError(f"{path.name} is larger than {MAX_NOTEBOOK_BYTES >> 20} MiB")
            return collector._from_notebook(data, path.name, [])
        if len(data) > MAX_SOURCE_BYTES:
            raise IntakeError(f"{path.name} is {len(data) / 2**20:.1f} MiB; a source file may be at most {MAX_SOURCE_BYTES >> 20} MiB")
        text = decode_source(data, path.name)
        notes = [] if path.name == spec.module_file else [f"{path.name} was graded as {spec.module_file}"]
        return collector._from_sources({spec.module_file: text}, notes, label=path.name)
    except IntakeError:
        raise
    except (OSError, ValueError) as exc:
        raise IntakeError(f"{path.name} could not be read: {exc}") from None
