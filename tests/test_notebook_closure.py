"""Notebook -> module: the kept code stands on its own (dependency closure), imports grading does not
offer become placeholders, try blocks of definitions are kept. Each generated module is executed here,
to prove that it loads and behaves as the notes say."""

import nbformat
import numpy as np
import pytest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder.notebook_code import notebook_to_module
from autograder.student_imports import ImportRule

RULE = ImportRule.of(["torch"], ["numpy", "scipy"])
INSTALLED = frozenset({"numpy", "scipy", "sklearn", "torch", "tqdm", "matplotlib"})


def notebook_bytes(*sources) -> bytes:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# Title")] + [nbformat.v4.new_code_cell(source) for source in sources]
    return nbformat.writes(notebook).encode()


def build(*cells, rule=RULE, installed=INSTALLED, own_module="batchnorm"):
    """(source, notes joined, namespace of the executed module). Cell numbers: the first code cell is cell 2."""
    source, notes = notebook_to_module(notebook_bytes(*cells), "sub.ipynb", own_module=own_module, import_rule=rule, installed=installed)
    namespace: dict = {"__name__": "batchnorm"}
    exec(compile(source, "batchnorm.py", "exec", dont_inherit=True), namespace)
    return source, "\n".join(notes), namespace


def test_an_alias_of_an_experiment_variable_is_left_out_with_it():
    """The issue's case: ``x = np.random.randn(64, 10)`` then ``out = x`` used to die with NameError at load."""
    source, notes, namespace = build(
        "import numpy as np",
        "x = np.random.randn(64, 10)",
        "out = x\nshape = out.shape\nN = 64",
        "def forward(x):\n    return x * 2",
    )
    assert "out" not in namespace and "shape" not in namespace and namespace["N"] == 64
    assert namespace["forward"](np.ones(2)).tolist() == [2, 2]
    assert "out = x in cell 4 (needs x (cell 3, not run))" in notes
    assert "shape = out.shape in cell 4 (needs out (cell 4, not run))" in notes  # the closure is repeated
    assert "computed assignment in cell 3" in notes


@pytest.mark.parametrize("cell, name", [
    ("@timer\ndef f(x):\n    return x", "f"),                                  # decorator
    ("def f(x, eps=EPS):\n    return x", "f"),                                 # default value
    ("def f(x, *, eps=EPS):\n    return x", "f"),                              # keyword-only default
    ("def f(x: Tensor) -> Tensor:\n    return x", "f"),                        # evaluated annotations
    ("class Layer(Base):\n    pass", "Layer"),                                 # base class
    ("class Layer(metaclass=Meta):\n    pass", "Layer"),                       # class keyword
    ("class Layer:\n    scale = EPS * 2", "Layer"),                            # class body statement
    ("class Layer:\n    def forward(self, x, eps=EPS):\n        return x", "Layer"),  # a method's default
    ("class Layer:\n    cache = [k for k in range(3)]\n    table = {k: EPS for k in cache}", "Layer"),  # comprehension body
])
def test_import_time_reads_of_left_out_names_leave_the_statement_out(cell, name):
    left_out = "import numpy as np\ntimer = make_timer()\nEPS = np.float32(1e-5)\nTensor = Base = Meta = np.zeros(1)"
    source, notes, namespace = build(left_out, cell, "def kept(x):\n    return x + 1")
    assert name not in namespace and namespace["kept"](1) == 2
    assert "in cell 3 (needs " in notes and "(cell 2, not run)" in notes


def test_function_bodies_do_not_run_at_import_only_their_calls_fail():
    source, notes, namespace = build(
        "import numpy as np\nW = np.ones((3, 2))",
        "def affine(x):\n    return x @ W\n\ndef scale(x):\n    return 2 * x",
    )
    assert namespace["scale"](3) == 6
    with pytest.raises(NameError, match="'W'"):
        namespace["affine"](np.ones((1, 3)))
    assert "calling these functions fails when graded, as they use what was left out: affine uses W (cell 2, not run)" in notes


def test_annotations_are_not_evaluated_under_future_annotations_which_moves_to_the_top():
    source, notes, namespace = build(
        "import numpy as np\nTensor = np.ndarray",  # a constant expression: kept
        "Batch = np.zeros(3)",                     # computed: left out
        "from __future__ import annotations\ndef f(x: Batch) -> Batch:\n    return x",
    )
    assert namespace["f"](1) == 1 and namespace["f"].__annotations__ == {"x": "Batch", "return": "Batch"}
    assert source.index("from __future__ import annotations") < source.index("import numpy")
    without_future, notes, namespace = build("import numpy as np", "Batch = np.zeros(3)", "def f(x: Batch) -> Batch:\n    return x")
    assert "f" not in namespace and "def f in cell 4 (needs Batch (cell 3, not run))" in notes


def test_builtins_and_module_dunders_are_always_defined():
    _, notes, namespace = build("class Oops(ValueError):\n    pass\nMAX = len\nNAME = __name__\nFLOAT = float")
    assert issubclass(namespace["Oops"], ValueError) and namespace["MAX"] is len and namespace["NAME"] == "batchnorm"
    assert "needs" not in notes


def test_order_matters_a_name_must_be_defined_by_an_earlier_kept_statement():
    _, notes, namespace = build("class Child(Parent):\n    pass", "class Parent:\n    pass\nALIAS = Parent")
    assert "Child" not in namespace and "Parent" in namespace and namespace["ALIAS"] is namespace["Parent"]
    assert "class Child in cell 2 (needs Parent (not defined before it))" in notes


def test_a_name_also_defined_by_kept_code_stays_defined_when_left_out_code_rebinds_it():
    _, notes, namespace = build("EPS = 1e-5", "EPS = float(input())", "def f(x, eps=EPS):\n    return eps")
    assert namespace["f"](0) == 1e-5 and "needs" not in notes


def test_a_kept_star_import_makes_unknown_names_possibly_defined_but_not_left_out_ones():
    _, notes, namespace = build("from math import *", "TAU2 = tau * 2", "x = compute()", "ALIAS = x")
    assert namespace["TAU2"] == pytest.approx(4 * np.pi)
    assert "ALIAS" not in namespace and "ALIAS = x in cell 5 (needs x (cell 4, not run))" in notes


def test_a_decorator_defined_in_the_notebook_runs_its_body_at_import():
    """Calling a kept function at import (a decorator, a call in a class body) runs its body: what it reads counts."""
    _, notes, namespace = build(
        "REGISTRY = dict()",  # a call: left out
        "def register(f):\n    REGISTRY[f.__name__] = f\n    return f\n\ndef identity(f):\n    return f",
        "@register\ndef a(x):\n    return x\n\n@identity\ndef b(x):\n    return x\n\nclass C:\n    tag = identity(1)",
    )
    assert "a" not in namespace and namespace["b"](3) == 3 and namespace["C"].tag == 1
    assert "def a in cell 4 (needs REGISTRY (cell 2, not run))" in notes


def test_decorators_are_kept_with_their_function():
    _, _, namespace = build("import functools\n\n@functools.lru_cache(maxsize=None)\ndef fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)")
    assert namespace["fib"](30) == 832040 and hasattr(namespace["fib"], "cache_info")


def test_statement_text_survives_non_ascii_text_and_line_endings():
    _, _, namespace = build("import functools\r\nA = 'é'; B = 'ü' + A\r\n@functools.lru_cache()\r\ndef f(x):\r\n    return 'ñ' * x\rC = 1")
    assert namespace["A"] == "é" and namespace["B"] == "üé" and namespace["f"](2) == "ññ" and namespace["C"] == 1


# -- imports grading does not offer


def test_imports_that_grading_does_not_offer_become_placeholders_that_name_the_package():
    source, notes, namespace = build(
        "import otter\ngrader = otter.Notebook('hw.ipynb')",
        "import numpy as np\nfrom tqdm import tqdm, trange as tr\nimport torch\nimport sklearn.linear_model as lm",
        "for i in tqdm(range(3)):\n    print(i)",
        "def train(xs):\n    for x in tqdm(xs):\n        pass\n    return np.sum(xs)",
        "def uses_torch(x):\n    return torch.tensor(x)",
    )
    assert namespace["np"] is np and "grader" not in namespace
    assert ("not available when graded (plots, progress bars and notebook checks are not part of the graded code), "
            "left out: import otter in cell 2; from tqdm import tqdm, trange as tr in cell 3") in notes
    assert ("not available when graded (submissions to this assignment can import the Python standard library, numpy and scipy), "
            "left out: import sklearn.linear_model as lm in cell 3") in notes
    assert "not available when graded (importing torch is forbidden in this assignment), left out: import torch in cell 3" in notes
    with pytest.raises(ModuleNotFoundError) as error:
        namespace["train"]([1, 2])
    assert str(error.value) == ("'tqdm' is not available when graded (its import in cell 3 was left out; "
                                "plots, progress bars and notebook checks are not part of the graded code)")
    with pytest.raises(ModuleNotFoundError, match="'torch' is not available when graded .* forbidden"):
        namespace["uses_torch"]([1])
    with pytest.raises(ModuleNotFoundError, match="'sklearn' is not available when graded .* numpy and scipy"):
        namespace["lm"].LinearRegression()
    with pytest.raises(ModuleNotFoundError, match="'otter'"):
        namespace["otter"].Notebook("x")
    assert "tr" in namespace
    assert ("calling these functions fails when graded, as they use what was left out: train uses tqdm (its import in cell 3 is not "
            "available when graded); uses_torch uses torch (its import in cell 3 is not available when graded)") in notes
    assert "autograder" not in "".join(line for line in source.splitlines() if line.lstrip().startswith(("import", "from")))


def test_every_use_of_a_placeholder_raises_and_its_repr_does_not():
    _, _, namespace = build("import tqdm")
    tqdm = namespace["tqdm"]
    uses = [
        lambda: tqdm(), lambda: tqdm.tqdm, lambda: tqdm + 1, lambda: 1 + tqdm, lambda: tqdm * 2, lambda: -tqdm,
        lambda: tqdm @ tqdm, lambda: iter(tqdm), lambda: len(tqdm), lambda: bool(tqdm), lambda: tqdm[0],
        lambda: 3 in tqdm, lambda: tqdm < 1, lambda: tqdm == 1, lambda: str(tqdm), lambda: f"{tqdm}",
        lambda: float(tqdm), lambda: range(tqdm), lambda: np.asarray(tqdm), lambda: np.ones(2) + tqdm,
        lambda: setattr(tqdm, "x", 1), lambda: [x for x in tqdm],
    ]
    for use in uses:
        with pytest.raises(ModuleNotFoundError, match="'tqdm' is not available when graded"):
            use()

    def with_block():
        with tqdm:
            pass

    with pytest.raises((ModuleNotFoundError, TypeError)):
        with_block()
    assert "not available when graded" in repr(tqdm) and tqdm is not None and callable(tqdm)
    with pytest.raises(AttributeError, match="'tqdm' is not available"):
        tqdm.__wrapped__


def test_a_placeholder_never_makes_an_import_time_use_succeed():
    _, notes, namespace = build("import tqdm", "progress = tqdm\nbar = tqdm.tqdm", "class Bar(tqdm):\n    pass", "def f(x, bar=tqdm):\n    return x")
    assert not {"progress", "bar", "Bar", "f"} & set(namespace)
    assert "progress = tqdm in cell 3 (needs tqdm (its import in cell 2 is not available when graded))" in notes


def test_a_later_kept_definition_replaces_the_placeholder():
    _, notes, namespace = build("from tqdm import tqdm", "tqdm = None\nBAR = tqdm")
    assert namespace["tqdm"] is None and namespace["BAR"] is None


def test_each_module_of_one_import_statement_is_decided_on_its_own():
    _, notes, namespace = build("import os, tqdm, json as j")
    assert namespace["os"].sep == "/" and namespace["j"].dumps(1) == "1"
    with pytest.raises(ModuleNotFoundError):
        namespace["tqdm"].tqdm
    assert "import tqdm in cell 2" in notes


def test_what_grading_offers():
    rule = ImportRule.of(["torch"], ["numpy", "scipy"], own_modules=["helpers"])
    data = notebook_bytes("import json\nimport numpy\nfrom scipy import special\nimport helpers\nimport sklearn\nfrom . import sibling\nfrom batchnorm import batchnorm_forward")
    source, notes = notebook_to_module(data, "sub.ipynb", own_module="batchnorm", import_rule=rule, installed=INSTALLED)
    kept = [line for line in source.splitlines() if line.startswith(("import", "from"))]
    assert kept == ["import json", "import numpy", "from scipy import special", "import helpers"]
    joined = "\n".join(notes)
    assert "(submissions to this assignment can import the Python standard library, numpy, scipy and the submission's own module helpers.py), left out: import sklearn in cell 2" in joined
    assert "(a relative import (a notebook is not a package)), left out: from . import sibling in cell 2" in joined
    assert "(only the notebook's own definitions are graded), left out: from batchnorm import batchnorm_forward in cell 2" in joined
    assert "batchnorm_forward = _NotAvailableWhenGraded(" in source


def test_without_student_packages_what_is_installed_is_offered_except_forbidden_and_notebook_only():
    rule = ImportRule.of(["torch"], None)
    data = notebook_bytes("import sklearn\nimport torch\nimport not_installed_here\nimport matplotlib.pyplot as plt")
    source, notes = notebook_to_module(data, "sub.ipynb", import_rule=rule, installed=INSTALLED)
    assert "import sklearn" in source.splitlines()
    joined = "\n".join(notes)
    assert "(importing torch is forbidden in this assignment), left out: import torch in cell 2" in joined
    assert "(it is not installed where submissions are graded), left out: import not_installed_here in cell 2" in joined
    assert "plt = _NotAvailableWhenGraded(" in source


def test_an_unavailable_import_in_a_class_body_leaves_the_class_out():
    _, notes, namespace = build("class Plotter:\n    import matplotlib\n    def plot(self):\n        import tqdm", "class Fine:\n    import json")
    assert "Plotter" not in namespace and "Fine" in namespace
    assert "class Plotter in cell 2 (needs import matplotlib (not available when graded: plots" in notes


# -- try blocks


def test_a_try_of_definitions_is_kept_and_its_fallback_works_when_graded():
    source, notes, namespace = build(
        "try:\n    from not_installed_here import logsumexp\nexcept ImportError:\n    def logsumexp(a):\n        return max(a)\n",
        "try:\n    import tqdm\n    HAVE_TQDM = True\nexcept (ImportError, AttributeError):\n    tqdm = None\n    HAVE_TQDM = False",
        "LSE = logsumexp",
    )
    assert namespace["logsumexp"]([1, 3]) == 3 and namespace["LSE"] is namespace["logsumexp"]
    assert "try:\n    import tqdm" in source  # kept as written: when graded the import fails and the fallback runs
    assert "not available" not in notes and "needs" not in notes


def test_a_try_that_does_more_than_define_is_left_out():
    _, notes, namespace = build("try:\n    from scipy.special import logsumexp\nexcept ImportError:\n    print('no scipy')\n    logsumexp = None", "LSE = logsumexp")
    assert "logsumexp" not in namespace and "LSE" not in namespace
    assert "try with more than definitions in cell 2" in notes


def test_a_try_whose_handlers_do_not_catch_the_import_error_is_left_out():
    _, notes, namespace = build("try:\n    import otter\nexcept KeyError:\n    pass", "def f(x):\n    return x")
    assert "otter" not in namespace and namespace["f"](1) == 1
    assert "try: import otter in cell 2 (needs import otter (not available when graded: plots" in notes


def test_a_try_importing_the_assignments_own_module_is_left_out():
    """In Jupyter it imports the student's batchnorm.py; when graded the module would import itself."""
    _, notes, namespace = build("try:\n    from batchnorm import *\nexcept ImportError:\n    pass", "def f(x):\n    return x")
    assert namespace["f"](2) == 2
    assert "try: from batchnorm import * in cell 2 (needs from batchnorm import * (not available when graded: only the notebook's own" in notes


def test_lambda_assignments_are_definitions_and_only_their_defaults_run():
    _, notes, namespace = build("import numpy as np\nrelu = lambda x: np.maximum(0, x)\nscaled = lambda x, k=2: k * helper(x)",
                                "k = np.float64(3)\nbad = lambda x, k=k: x")
    assert namespace["relu"](np.array([-1.0, 2.0])).tolist() == [0.0, 2.0] and "scaled" in namespace
    assert "bad" not in namespace and "bad = lambda x, k=k: x in cell 3 (needs k (cell 3, not run))" in notes


def test_names_a_try_binds_on_only_one_path_are_not_defined_for_later_statements():
    _, notes, namespace = build("try:\n    import json\n    X = 1\nexcept ImportError:\n    pass", "Y = X")
    assert "Y" not in namespace and "Y = X in cell 3 (needs X (not defined before it))" in notes


# -- what the compiler rejects, and nothing runs


def test_compile_errors_leave_the_cell_out_and_top_level_await_is_not_one():
    _, notes, namespace = build("def good():\n    return 1", "x = 1\nreturn x", "result = await fetch()\nA = 1", "from __future__ import braces")
    assert namespace["good"]() == 1 and namespace["A"] == 1
    assert "cell 3, line 2: SyntaxError: 'return' outside function; this cell was left out" in notes
    assert "cell 5, line 1: SyntaxError: not a chance; this cell was left out" in notes


def test_extraction_runs_nothing(tmp_path):
    marker = tmp_path / "ran"
    cells = [
        f"import os\nos.system('touch {marker}')",
        f"class Evil:\n    open({str(marker)!r}, 'w').write('x')",
        f"def f(x=open({str(marker)!r}, 'w')):\n    pass",
        f"@(lambda f: open({str(marker)!r}, 'w'))\ndef g():\n    pass",
    ]
    notebook_to_module(notebook_bytes(*cells), "sub.ipynb", import_rule=RULE, installed=INSTALLED)
    assert not marker.exists()


# -- property: whatever the cells, the built module loads


NAMES = ["a", "b", "c", "d"]


def _statement(template: str, name: str, other: str) -> str:
    return template.format(n=name, m=other)


TEMPLATES = [
    "{n} = {m}", "{n} = ({m}, 1)", "{n} = 3", "{n} = int({m})", "{n} = [v for v in range(2)]",
    "def {n}(x={m}):\n    return {m}", "class {n}:\n    k = {m}", "class {n}:\n    k = 1\n    j = [k for _ in range(2)]",
    "class {n}({m}):\n    pass", "import json as {n}", "import tqdm as {n}", "from torch import nn as {n}",
    "try:\n    import not_installed_here as {n}\nexcept ImportError:\n    {n} = {m}",
    "try:\n    {n} = {m}\nexcept NameError:\n    pass", "del {n}", "@{m}\ndef {n}(x):\n    return x",
    "{n}: int = {m}", "{n}.attr = {m}",
]
statements = st.builds(_statement, st.sampled_from(TEMPLATES), st.sampled_from(NAMES), st.sampled_from(NAMES))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.lists(st.lists(statements, min_size=1, max_size=3).map("\n".join), min_size=1, max_size=6))
def test_the_built_module_never_dies_of_a_name_the_notebook_left_out(cells):
    """Random notebooks of definitions, experiments, aliases and imports: the kept code always loads
    (a NameError or a placeholder used at import would fail every test of a submission)."""
    source, _ = notebook_to_module(notebook_bytes(*cells), "sub.ipynb", import_rule=RULE, installed=INSTALLED)
    try:
        exec(compile(source, "batchnorm.py", "exec", dont_inherit=True), {"__name__": "batchnorm"})
    except (TypeError, AttributeError) as exc:  # e.g. ``class a(b)`` with b = 3, ``@a`` with a = 3: the twin fails alike
        assert not isinstance(exc, ModuleNotFoundError) and "not available when graded" not in str(exc), source
