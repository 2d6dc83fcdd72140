"""Case 8: a 60 MiB notebook (outputs): refused before parsing.

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
    blob = "A" * (60 << 20)
    cells = [{"cell_type": "code", "id": "a", "metadata": {}, "execution_count": 1, "source": CORRECT,
              "outputs": [{"output_type": "stream", "name": "stdout", "text": blob}]}]
    path = pathlib.Path(directory) / "08_huge_notebook.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}))
    return path
