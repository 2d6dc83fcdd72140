"""confinement.py: a worker's fresh /tmp keeps a grader installed under /tmp importable, read-only."""

import subprocess
import sys
import textwrap

import pytest

from autograder import confinement


def test_python_folders_under_tmp_are_the_outermost_ones(monkeypatch, tmp_path):
    venv = tmp_path / "venv"
    site = venv / "lib" / "site-packages"
    site.mkdir(parents=True)
    monkeypatch.setattr(sys, "prefix", str(venv))
    monkeypatch.setattr(sys, "path", [str(site), "/usr/lib/python3.11", str(tmp_path / "missing")])
    found = confinement.python_folders_under_tmp()
    if str(tmp_path).startswith("/tmp/"):
        assert found == [str(venv.resolve())]
    else:
        assert found == []


def test_no_private_tmp_without_root(monkeypatch):
    monkeypatch.setattr(confinement.os, "geteuid", lambda: 1000)
    assert confinement.can_mount_private_tmp() is False


@pytest.mark.skipif(not confinement.can_mount_private_tmp(), reason="needs root with CAP_SYS_ADMIN (a private mount namespace)")
def test_a_package_under_tmp_stays_importable_and_read_only_after_private_tmp(tmp_path):
    assert str(tmp_path).startswith("/tmp/"), "pytest's tmp_path is under /tmp here"
    package = tmp_path / "site" / "lazy_pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "late.py").write_text("VALUE = 42\n")
    (tmp_path / "scratch.txt").write_text("a file another submission left")
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(tmp_path / "site")!r})
        import lazy_pkg                      # imported before confinement, like numpy in the zygote
        from autograder import confinement
        confinement.private_tmp(None, 16 << 20)
        from lazy_pkg import late            # a submodule loaded lazily afterwards, like numpy.random
        print("value", late.VALUE)
        print("scratch visible", os.path.exists({str(tmp_path / "scratch.txt")!r}))
        try:
            open({str(package / "written.py")!r}, "w")
            print("writable")
        except OSError:
            print("read-only")
        open("/tmp/fresh", "w").write("x")    # the fresh /tmp itself is writable
        print("fresh ok")
    """)
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split("\n")[:4] == ["value 42", "scratch visible False", "read-only", "fresh ok"]
