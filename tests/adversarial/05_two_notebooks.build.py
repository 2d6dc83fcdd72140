"""Case 5: a zip holding two notebooks and no module.

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
    notebook = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []})
    path = pathlib.Path(directory) / "05_two_notebooks.zip"
    path.write_bytes(_zip([("hw/first.ipynb", notebook), ("hw/second.ipynb", notebook)]))
    return path
