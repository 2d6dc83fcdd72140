"""A notebook and its ``.py`` twin get the same score, whatever the experiment cells in between hold.

Graded through the real CLI (``autograder grade --sandbox process``) with the real
``batchnorm`` assignment, in one batch with one seed (the same hidden inputs for
every submission):

- student-style notebooks written here from the reference solution and from two
  of its mutants: the functions spread over cells, between experiments, plots,
  aliases of experiment variables (``out = x``), magics and shell escapes, help
  queries, an ``import otter`` cell, ``tqdm`` used only in scratch cells, a
  ``try``/``except ImportError`` import, a cell with a syntax error, scratch
  classes and helpers that need experiment variables;
- three otter-grader notebooks (tests/notebooks/otter/), which start with
  ``import otter``: before, all three scored 0 as ``student_error``.

Each twin is the same definitions in a plain file (numpy imported, the functions).
"""

from __future__ import annotations

import ast
import csv
import json
import pathlib
import subprocess
import sys

import nbformat
import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent
SOLUTION = REPO / "solutions" / "batchnorm"
OTTER_NOTEBOOKS = pathlib.Path(__file__).parent / "notebooks" / "otter"

pytestmark = pytest.mark.slow


def functions_of(path: pathlib.Path) -> dict[str, str]:
    """Top-level function name -> its source text."""
    code = path.read_text()
    return {node.name: ast.get_source_segment(code, node) for node in ast.parse(code).body if isinstance(node, ast.FunctionDef)}


def student_functions(*mutants: str) -> dict[str, str]:
    """The reference's functions, with those the mutants redefine replaced (a mutant file holds only those)."""
    functions = functions_of(SOLUTION / "batchnorm.py")
    for mutant in mutants:
        functions.update(functions_of(SOLUTION / "mutants" / f"{mutant}.py"))
    return functions


SETUP_CELLS = [
    "# Initialize Otter\nimport otter\ngrader = otter.Notebook('batchnorm.ipynb')",
    ("%matplotlib inline\n%load_ext autoreload\n%autoreload 2\nimport numpy as np\nimport matplotlib.pyplot as plt\n"
     "from tqdm import tqdm\nimport time, json\ntry:\n    from scipy.special import logsumexp\nexcept ImportError:\n"
     "    logsumexp = None\n\nnp.random.seed(231)\nplt.rcParams['figure.figsize'] = (10.0, 8.0)"),
    "!pip install -q tqdm\nfiles = !ls",
    ("def rel_error(x, y):\n    return np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y)))\n\n\n"
     "def eval_numerical_gradient_array(f, x, df, h=1e-5):\n    grad = np.zeros_like(x)\n    it = np.nditer(x, flags=['multi_index'])\n"
     "    while not it.finished:\n        ix = it.multi_index\n        old = x[ix]\n        x[ix] = old + h\n        pos = f(x).copy()\n"
     "        x[ix] = old - h\n        neg = f(x).copy()\n        x[ix] = old\n        grad[ix] = np.sum((pos - neg) * df) / (2 * h)\n"
     "        it.iternext()\n    return grad"),
    "EPS = 1e-5\nN, D = 64, 10\nSHAPE = (N, D)",
]

EXPERIMENTS = [
    ("x = np.random.randn(N, D) * 5 + 12\ngamma, beta = np.ones(D), np.zeros(D)\nbn_param = {'mode': 'train'}\n"
     "out, cache = batchnorm_forward(x, gamma, beta, bn_param)\nprint('means', out.mean(axis=0))"),
    "out = x  # scratch alias of an experiment variable\nsample = out\nfirst_row = sample[0]\nplt.hist(sample.ravel(), bins=50)\nplt.show()",
    "for t in tqdm(range(20)):\n    batchnorm_forward(np.random.randn(N, D), gamma, beta, bn_param)\nbn_param['mode'] = 'test'",
    "grader.check('q1')",
    "x?\n%timeit batchnorm_forward(x, gamma, beta, {'mode': 'train'})",
    ("dout = np.random.randn(*x.shape)\nfx = lambda v: batchnorm_forward(v, gamma, beta, {'mode': 'train'})[0]\n"
     "dx_num = eval_numerical_gradient_array(fx, x, dout)\nprint(rel_error(dx_num, dx_num))"),
    "stats = {'n': N}\nresults = json.dumps(stats)\nLOSSES = results\nBEST = LOSSES",
    "class Tracker:\n    history = [first_row]\n    def add(self, value):\n        self.history.append(value)",
    "def centred_like_x(v, ref=x):\n    return v - ref.mean()",
    "def scratch_plot(values):\n    plt.plot(values)\n    return tqdm(values)",
    "print('unfinished'",
    "%%time\nfor t in range(3):\n    out = batchnorm_forward(x, gamma, beta, bn_param)",
]


def student_notebook(functions: dict[str, str]) -> bytes:
    """The functions in cells of their own, each followed by some of the experiments, as a student leaves it."""
    cells = [nbformat.v4.new_markdown_cell("# Normalisation layers")] + [nbformat.v4.new_code_cell(c) for c in SETUP_CELLS]
    for index, source in enumerate(functions.values()):
        cells.append(nbformat.v4.new_markdown_cell(f"## Part {index + 1}"))
        cells.append(nbformat.v4.new_code_cell(source))
        for experiment in EXPERIMENTS[index % 4::4]:
            cells.append(nbformat.v4.new_code_cell(experiment))
    cells.append(nbformat.v4.new_code_cell("grader.export(pdf=False, run_tests=True)"))
    notebook = nbformat.v4.new_notebook()
    notebook.cells = cells
    return nbformat.writes(notebook).encode()


def twin_module(functions: dict[str, str]) -> str:
    return "import numpy as np\n\n\n" + "\n\n\n".join(functions.values()) + "\n"


def otter_twin(path: pathlib.Path) -> str:
    """The definitions of an otter notebook in a plain file: its numpy import and its functions."""
    document = json.loads(path.read_text())
    sources = ["".join(cell["source"]) for cell in document["cells"] if cell["cell_type"] == "code"]
    return "\n\n\n".join(s for s in sources if s.startswith(("import numpy", "def "))) + "\n"


def test_notebooks_score_what_their_py_twins_score(tmp_path):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    pairs = {
        "correct": student_functions(),
        "two_bugs": student_functions("ln_batch_axis", "bn_unbiased_variance"),
        "backward_bug": student_functions("bn_backward_no_variance_branch", "gn_backward_forgets_gamma"),
    }
    for name, functions in pairs.items():
        (submissions / f"{name}_notebook.ipynb").write_bytes(student_notebook(functions))
        (submissions / f"{name}_twin.py").write_text(twin_module(functions))
    for path in sorted(OTTER_NOTEBOOKS.glob("*.ipynb")):
        (submissions / f"otter_{path.stem}_notebook.ipynb").write_bytes(path.read_bytes())
        (submissions / f"otter_{path.stem}_twin.py").write_text(otter_twin(path))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "autograder.cli", "--base", str(REPO), "grade", "--assignment", "batchnorm",
               "--sandbox", "process", "--jobs", "1", "--seed", "1234", "--quiet", "--out", str(out),
               *map(str, sorted(submissions.iterdir()))]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert completed.returncode == 0, completed.stderr + completed.stdout
    rows = {row.pop("name"): row for row in csv.DictReader((out / "grades.csv").open())}
    assert len(rows) == 12
    print("\n" + "\n".join(f"{name:32} {' '.join(f'{v:>8}' for v in row.values())}" for name, row in sorted(rows.items())))

    for name in [*pairs, *(f"otter_{p.stem}" for p in OTTER_NOTEBOOKS.glob("*.ipynb"))]:
        notebook, twin = rows[f"{name}_notebook"], rows[f"{name}_twin"]
        assert notebook["status"] == "ok", (name, (out / f"{name}_notebook" / "feedback.md").read_text()[:2000])
        assert notebook == twin, name

    assert rows["correct_notebook"]["total"] == rows["correct_notebook"]["max"] == "16"
    assert float(rows["two_bugs_notebook"]["layernorm"]) < 2 and float(rows["two_bugs_notebook"]["bn_forward"]) < 3
    assert float(rows["backward_bug_notebook"]["bn_backward"]) < 2 and float(rows["backward_bug_notebook"]["groupnorm"]) < 3
    for otter in ("otter_correct", "otter_correct_print"):  # they implement bn forward/backward and layer norm only
        assert rows[f"{otter}_notebook"]["bn_backward"] == "2" and rows[f"{otter}_notebook"]["layernorm"] == "2"
        assert float(rows[f"{otter}_notebook"]["bn_forward"]) > 0
    assert float(rows["otter_buggy_notebook"]["bn_backward"]) < 2

    feedback = (out / "correct_notebook" / "feedback.md").read_text()
    assert "import otter in cell 2" in feedback and "from tqdm import tqdm in cell 3" in feedback
    assert "out = x" in feedback and "(needs x (cell" in feedback
    assert "scratch_plot uses" in feedback and "SyntaxError" in feedback
    otter_feedback = (out / "otter_correct_notebook" / "feedback.md").read_text()
    assert "not available when graded (plots, progress bars and notebook checks are not part of the graded code), left out: import otter in cell 1" in otter_feedback
