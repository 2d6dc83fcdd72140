"""Case 6: code with a Latin-1 comment (not UTF-8).

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
    path = pathlib.Path(directory) / "06_latin1.py"
    path.write_bytes(("# r\u00e9sum\u00e9 \u00e0 rendre\n" + CORRECT).encode("latin-1"))
    return path
