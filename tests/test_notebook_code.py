"""Notebook -> module source by definitions only (autograder.notebook_code), without running anything."""

import json

import nbformat
import pytest

from autograder.intake import IntakeError
from autograder.notebook_code import _strip_magics, notebook_to_module, read_notebook


def notebook_bytes(*sources, outputs=None) -> bytes:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# Title")] + [nbformat.v4.new_code_cell(source) for source in sources]
    if outputs:
        notebook.cells[1].outputs = outputs
    return nbformat.writes(notebook).encode()


def test_keeps_definitions_and_leaves_out_everything_else():
    data = notebook_bytes(
        "!pip install numpy\n%matplotlib inline\nimport numpy as np\nimport matplotlib.pyplot as plt\nEPS = 1e-5\nSHAPE = (2, 3)",
        "def f(x):\n    return x * 2  # right?\n\nx = np.ones(3)\nprint(f(x))\nplt.plot(x)",
        "for i in range(10**9):\n    pass\nlosses = !ls\nf?",
        "%%bash\nrm -rf /",
        "class Layer:\n    scale = 2\n    def __call__(self, x):\n        return x * self.scale",
    )
    source, notes = notebook_to_module(data, "sub.ipynb")
    namespace: dict = {}
    exec(compile(source, "generated", "exec"), namespace)  # only definitions: runs instantly, no side effects
    assert namespace["f"](3) == 6 and namespace["EPS"] == 1e-5 and namespace["SHAPE"] == (2, 3)
    assert namespace["Layer"]()(2) == 4
    assert "x" not in namespace and "losses" not in namespace
    with pytest.raises(ModuleNotFoundError, match="'matplotlib' is not available when graded .its import in cell 2 was left out"):
        namespace["plt"].plot([1, 2])  # a placeholder: the import itself is left out
    summary = " ".join(notes)
    assert "magic/shell in cells 2, 4, 5" in summary and "call in cell 3" in summary and "for in cell 4" in summary
    assert "not part of the graded code), left out: import matplotlib.pyplot as plt in cell 2" in summary
    assert "rm -rf" not in source and "pip" not in source


def test_continuation_lines_and_strings_are_not_mistaken_for_magics():
    code, removed = _strip_magics('y = (a\n     != b)\ndef f():\n    """Docstring\n    % of values\n    !important\n    """\n    return 1  # why?\n%time f()')
    assert "!= b)" in code and "% of values" in code and "!important" in code and "return 1  # why?" in code
    assert removed == ["%time f()"]


def test_syntax_error_names_cell_and_line_and_the_rest_is_kept():
    data = notebook_bytes("def good(x):\n    return x", "x = 1\ndef bad(x)\n    return x")
    source, notes = notebook_to_module(data, "sub.ipynb")
    assert "def good" in source and "def bad" not in source
    assert any(note.startswith("cell 3, line 2: SyntaxError") for note in notes)


def test_outputs_are_ignored_and_never_parsed():
    huge = [nbformat.v4.new_output("stream", name="stdout", text="def hacked(): pass\n" * 100_000)]
    source, _ = notebook_to_module(notebook_bytes("def f(x):\n    return x", outputs=huge), "sub.ipynb")
    assert "hacked" not in source and "def f" in source


def test_v3_is_upgraded():
    v3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": [
        {"cell_type": "code", "language": "python", "input": "def f(x):\n    return x + 1", "outputs": [], "metadata": {}},
    ]}]}
    source, _ = notebook_to_module(json.dumps(v3).encode(), "old.ipynb")
    assert "def f(x)" in source


@pytest.mark.parametrize("data, expected", [
    (b'{"cells": [{"cell_type": "code", "sou', "invalid JSON"),
    (json.dumps({"cells": [], "metadata": {}}).encode(), "no nbformat version"),
    (json.dumps({"cells": [], "metadata": {}, "nbformat": 5, "nbformat_minor": 0}).encode(), "nbformat 5"),
    (json.dumps({"cells": [{"cell_type": "code"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode(), "does not follow the notebook format"),
    (b"[1, 2]", "not a JSON object"),
])
def test_unreadable_notebooks_are_rejected_with_a_message(data, expected):
    with pytest.raises(IntakeError, match="not a readable notebook") as error:
        read_notebook(data, "sub.ipynb")
    assert expected in str(error.value)
