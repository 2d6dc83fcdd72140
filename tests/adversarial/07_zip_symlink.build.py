"""Case 7: hx.py is a symbolic link entry pointing at the reference solution.

Built by the adversarial suite: ``build(directory)`` writes the submission and returns its path.
"""

import io
import json
import pathlib
import stat
import zipfile

CORRECT = pathlib.Path(__file__).with_name("38_float32.py").read_text().split('"""', 2)[2]


def _zip(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            if isinstance(name, zipfile.ZipInfo):
                archive.writestr(name, data)
            else:
                archive.writestr(name, data)
    return buffer.getvalue()


def build(directory):
    info = zipfile.ZipInfo("hx.py")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    path = pathlib.Path(directory) / "07_zip_symlink.zip"
    path.write_bytes(_zip([(info, "../../solutions/hx/hx.py")]))
    return path
