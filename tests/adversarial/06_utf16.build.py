"""Case 6: correct code saved as UTF-16.

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
    path = pathlib.Path(directory) / "06_utf16.py"
    path.write_bytes(CORRECT.encode("utf-16"))
    return path
