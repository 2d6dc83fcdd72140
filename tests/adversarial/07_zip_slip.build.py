"""Case 7: a zip slip entry (../) next to a correct module: refused; nothing written outside.

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
    path = pathlib.Path(directory) / "07_zip_slip.zip"
    path.write_bytes(_zip([("hx.py", CORRECT), ("../../../../tmp/ag-zip-slip-case-7.py", "print('escaped')")]))
    return path
