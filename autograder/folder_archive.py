"""A folder as bytes and back: how an assignment snapshot and a source bundle travel to a cluster node.

:func:`pack_folder` makes a gzipped tar of the regular files and folders under a
folder (sorted, with fixed times and owners, so the same folder gives the same
bytes); :func:`unpack_folder` recreates them under another folder. Only regular
files and folders are packed or unpacked: a link, a device or a path that would
leave the target folder is refused, whoever made the archive.
"""

from __future__ import annotations

import io
import os
import pathlib
import tarfile

__all__ = ["ArchiveError", "pack_folder", "unpack_folder"]


class ArchiveError(ValueError):
    """The bytes are not a folder archive this module can unpack safely."""


def pack_folder(root: str | os.PathLike) -> bytes:
    """The regular files and folders under ``root`` as a gzipped tar (paths relative to ``root``)."""
    root = pathlib.Path(root)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.PAX_FORMAT) as archive:
        for path in sorted(root.rglob("*")):
            if path.is_symlink() or not (path.is_file() or path.is_dir()):
                continue  # links are never followed, and nothing else is a file to ship
            info = tarfile.TarInfo(path.relative_to(root).as_posix())
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if path.is_dir():
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                archive.addfile(info)
            else:
                data = path.read_bytes()
                info.size = len(data)
                info.mode = 0o755 if os.access(path, os.X_OK) else 0o644
                archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def unpack_folder(data: bytes, into: str | os.PathLike) -> list[str]:
    """Recreate the folder packed in ``data`` under ``into`` (created if missing); its files' relative paths."""
    into = pathlib.Path(into)
    into.mkdir(parents=True, exist_ok=True)
    files = []
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for member in archive:
                target = _inside(into, member.name)
                if member.isdir():
                    target.mkdir(parents=True, exist_ok=True)
                elif member.isfile():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    source = archive.extractfile(member)
                    with open(target, "wb") as handle:
                        handle.write(source.read())
                    target.chmod(0o755 if member.mode & 0o100 else 0o644)
                    files.append(pathlib.PurePosixPath(member.name).as_posix())
                else:
                    raise ArchiveError(f"{member.name} is not a regular file or folder")
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise ArchiveError(f"not a folder archive: {exc}") from None
    return files


def _inside(root: pathlib.Path, name: str) -> pathlib.Path:
    """``root / name``, refusing names that are absolute or climb out of ``root``."""
    relative = pathlib.PurePosixPath(name)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise ArchiveError(f"{name!r} would be written outside the folder")
    return root.joinpath(*relative.parts)
