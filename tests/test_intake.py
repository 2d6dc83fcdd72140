"""intake: content decides the kind; only expected files are taken; limits hold; nothing escapes."""

import io
import stat
import zipfile

import pytest

from autograder.intake import IntakeError, intake

GOOD = b"import numpy as np\n\ndef scale_forward(x, f):\n    return x * f, f\n"


def make_zip(path, entries, symlink=None):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink[0])
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, symlink[1])
    return path


def test_any_py_name_is_taken_as_the_module(tmp_path, toy_spec):
    path = tmp_path / "alice_hw1.py"
    path.write_bytes(GOOD)
    bundle = intake(path, toy_spec)
    assert bundle.name == "alice_hw1" and bundle.files == ["toy.py"]
    assert (bundle.directory / "toy.py").read_bytes() == GOOD
    assert any("graded as toy.py" in note for note in bundle.notes)


def test_bom_and_crlf_are_accepted(tmp_path, toy_spec):
    path = tmp_path / "toy.py"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.replace(b"\n", b"\r\n"))
    assert (intake(path, toy_spec).directory / "toy.py").read_text() == GOOD.decode()


@pytest.mark.parametrize("data, phrase", [
    (b"", "empty"),
    (b"   \n", "empty"),
    (b"%PDF-1.7 binary", "PDF"),
    ("def f(): pass".encode("utf-16"), "UTF-16"),
    (b"def f():\n    return '\xff\xfe'\n", "not valid UTF-8"),
    (b"def f():\x00 pass\n", "NUL"),
])
def test_unreadable_sources_get_clear_messages(tmp_path, toy_spec, data, phrase):
    path = tmp_path / "toy.py"
    path.write_bytes(data)
    with pytest.raises(IntakeError, match=phrase):
        intake(path, toy_spec)


def test_zip_takes_only_expected_files(tmp_path, toy_spec):
    path = make_zip(tmp_path / "bob.zip", {"hw/toy.py": GOOD, "hw/conftest.py": b"import os", "hw/numpy.py": b"x", "sitecustomize.py": b"x"})
    bundle = intake(path, toy_spec)
    assert bundle.files == ["toy.py"]
    assert sorted(p.name for p in bundle.directory.iterdir()) == ["toy.py"]
    assert any("ignored files" in note and "conftest.py" in note for note in bundle.notes)


@pytest.mark.parametrize("entries, symlink, phrase", [
    ({"../evil.py": b"x", "toy.py": GOOD}, None, "unsafe path"),
    ({"/abs/toy.py": GOOD}, None, "unsafe path"),
    ({"toy.py": GOOD}, ("link.py", "/etc/passwd"), "symbolic link"),
    ({"README.txt": b"hi"}, None, "has no toy.py"),
    ({"a.ipynb": b"{}", "b.ipynb": b"{}"}, None, "2 notebooks"),
])
def test_hostile_or_wrong_zips_are_refused(tmp_path, toy_spec, entries, symlink, phrase):
    path = make_zip(tmp_path / "s.zip", entries, symlink)
    with pytest.raises(IntakeError, match=phrase):
        intake(path, toy_spec)
    assert not (tmp_path / "evil.py").exists()


def test_zip_bomb_is_refused(tmp_path, toy_spec):
    path = make_zip(tmp_path / "bomb.zip", {"toy.py": GOOD, "big.bin": b"\0" * (120 << 20)})
    with pytest.raises(IntakeError, match="unpacks to more than|zip bomb"):
        intake(path, toy_spec)


def test_renamed_zip_is_detected_by_content(tmp_path, toy_spec):
    real_zip = make_zip(tmp_path / "x.zip", {"toy.py": GOOD})
    disguised = tmp_path / "toy.py"
    disguised.write_bytes(real_zip.read_bytes())
    assert intake(disguised, toy_spec).files == ["toy.py"]


def test_directory_submission_ignores_links(tmp_path, toy_spec):
    folder = tmp_path / "carol"
    folder.mkdir()
    (folder / "toy.py").write_bytes(GOOD)
    (folder / "secret.py").symlink_to("/etc/passwd")
    bundle = intake(folder, toy_spec)
    assert bundle.name == "carol" and bundle.files == ["toy.py"]


def _notebook(*sources: str) -> bytes:
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    return nbformat.writes(notebook).encode()


def test_a_notebook_zip_brings_the_assignments_extra_files(tmp_path, toy_spec):
    import dataclasses

    spec = dataclasses.replace(toy_spec, extra_files=("helpers.py",))
    notebook = _notebook("import otter\nfrom helpers import times\nimport utils", "def scale_forward(x, f):\n    return times(x, f), f")
    path = make_zip(tmp_path / "nb.zip", {"work/hw.ipynb": notebook, "work/helpers.py": b"def times(a, b):\n    return a * b\n", "work/utils.py": b"x = 1\n"})
    bundle = intake(path, spec)
    assert bundle.files == ["helpers.py", "toy.py"]
    module = (bundle.directory / "toy.py").read_text()
    assert "from helpers import times" in module and "utils = _NotAvailableWhenGraded(" in module  # utils.py is not delivered
    assert any(note == "ignored files (only the notebook and helpers.py are used): work/utils.py" for note in bundle.notes)
    assert ("not available when graded (submissions to this assignment can import the Python standard library, numpy, scipy "
            "and the submission's own module helpers.py), left out: import utils in cell 1") in bundle.notes


def test_a_notebook_is_read_with_the_assignments_import_rule(tmp_path, toy_spec):
    path = tmp_path / "hw.ipynb"
    path.write_bytes(_notebook("import sklearn\nimport torch\nimport scipy", "def scale_forward(x, f):\n    return x * f, f"))
    module = (intake(path, toy_spec).directory / "toy.py").read_text()
    assert "import scipy" in module.splitlines()
    assert "sklearn = _NotAvailableWhenGraded(\"'sklearn' is not available when graded (its import in cell 1 was left out; submissions" in module
    assert "torch = _NotAvailableWhenGraded(\"'torch' is not available when graded (its import in cell 1 was left out; importing torch is forbidden" in module
