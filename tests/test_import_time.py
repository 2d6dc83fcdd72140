"""autograder.import_time: what a module-level statement reads, calls and binds at import, checked
against what Python really does (each case is also executed, to prove the analysis is not made up)."""

import ast

import pytest

from autograder.import_time import ALWAYS_DEFINED, bound_names, call_time_use, definitely_bound, import_time_use


def reads(source: str, lazy: bool = False) -> set[str]:
    (statement,) = ast.parse(source).body
    return import_time_use(statement, lazy_annotations=lazy).reads - ALWAYS_DEFINED


class Anything:
    """A value that supports every operation the cases use, so only a missing name can fail them."""

    def __getattr__(self, name):
        return Anything()

    def __setattr__(self, name, value):
        pass

    def __getitem__(self, key):
        return Anything()

    def __setitem__(self, key, value):
        pass

    def __iter__(self):
        return iter([Anything(), Anything(), Anything()])

    def __index__(self):
        return 2

    def __add__(self, other):
        return Anything()

    __radd__ = __mul__ = __rmul__ = __add__


def fails_with_name_error_without(source: str, names: set[str]) -> bool:
    """Python's own verdict: ``source`` runs with ``names`` defined, and without any one of them it raises NameError."""
    def namespace(missing=None):
        return {name: Anything() for name in names if name != missing}

    exec(compile(source, "case", "exec"), namespace())
    for name in names:
        try:
            exec(compile(source, "case", "exec"), namespace(missing=name))
        except NameError:
            continue
        return False
    return True


@pytest.mark.parametrize("source, expected", [
    ("out = x", {"x"}),
    ("y = a.b + c[d]", {"a", "c", "d"}),
    ("d[k] = v", {"d", "k", "v"}),                      # the target's object and index are read
    ("o.attr = 1", {"o"}),
    ("a, (b, *c), e = t", {"t"}),
    ("f = lambda p, q=Q: p + body_only", {"Q"}),         # a lambda's body runs only when called
    ("def f(a=D, *, b=K):\n    return body_only", {"D", "K"}),
    ("class A:\n    x = 1\n    y = x + g", {"g"}),      # x is the class's own, g a global
    ("class A:\n    y = x\n    x = 1", {"x"}),          # read before the class binds it: the global
    ("class A:\n    x = 1\n    zz = [x for _ in range(3)]", {"x"}),  # a comprehension does not see the class's names
    ("class A:\n    xs = (1, 2)\n    ys = [v * 2 for v in xs]", set()),  # ... except its first iterable
    ("class A:\n    x = 1\n    class B:\n        t = x", {"x"}),       # nor does a nested class
    ("class A:\n    x = 1\n    def m(self, z=x, w=h):\n        return q", {"h"}),
    ("r = [[i * j for j in range(i)] for i in range(n)]", {"n"}),
    ("try:\n    from scipy.special import logsumexp\nexcept ImportError:\n    logsumexp = fallback\nelse:\n    lse = logsumexp", {"fallback"}),
    ("for i in it:\n    total = i", {"it"}),
])
def test_reads_match_what_python_needs(source, expected):
    assert reads(source) == expected
    if expected and "import" not in source:
        assert fails_with_name_error_without(source, expected)


def test_decorators_bases_keywords_and_annotations_are_read():
    assert reads("@deco\ndef f(a: Ann) -> Ret:\n    pass") == {"deco", "Ann", "Ret"}
    assert reads("@deco\nclass A(Base, metaclass=Meta):\n    x: Ann = 1") == {"deco", "Base", "Meta", "Ann"}
    assert reads("x: Ann = v") == {"Ann", "v"}


def test_annotations_are_not_read_under_future_annotations():
    assert reads("def f(a: Ann) -> Ret:\n    pass", lazy=True) == set()
    assert reads("class A:\n    x: Ann = 1", lazy=True) == set()
    namespace: dict = {}
    exec(compile("from __future__ import annotations\ndef f(a: Ann) -> Ret:\n    pass", "case", "exec", dont_inherit=True), namespace)


def test_calls_are_reported_so_the_called_body_can_be_followed():
    (statement,) = ast.parse("@register('x')\n@deco\ndef f():\n    pass").body
    use = import_time_use(statement)
    assert use.calls == {"register", "deco"}
    function = ast.parse("def f(a):\n    global G\n    b = a + c\n    G = 1\n    def inner():\n        return only_inner\n    return helper(b) + [k for k in range(m)]").body[0]
    body = call_time_use(function)
    assert body.reads - ALWAYS_DEFINED == {"c", "helper", "m"} and "helper" in body.calls


def test_imports_run_at_import_time_are_listed():
    (statement,) = ast.parse("class A:\n    import tqdm\n    def m(self):\n        import never_at_import").body
    assert [ast.unparse(node) for node in import_time_use(statement).imports] == ["import tqdm"]


@pytest.mark.parametrize("source, bound, definite", [
    ("import a.b, c as d", {"a", "d"}, {"a", "d"}),
    ("from m import x, y as z", {"x", "z"}, {"x", "z"}),
    ("from m import *", {"*"}, set()),
    ("x: int", {"x"}, set()),   # an annotation alone binds nothing
    ("try:\n    import a\n    b = 1\nexcept ImportError:\n    a = None\nfinally:\n    c = 2", {"a", "b", "c"}, {"a", "c"}),
    ("if flag:\n    x = 1", {"x"}, set()),
    ("def f():\n    inner = 1", {"f"}, {"f"}),
    ("total = [y := 5 for _ in range(2)]", {"total", "y"}, {"total", "y"}),
])
def test_bound_and_definitely_bound(source, bound, definite):
    (statement,) = ast.parse(source).body
    assert bound_names(statement) == bound
    assert definitely_bound(statement) == definite
