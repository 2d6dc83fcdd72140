"""Deep-learning course kit: assignments and an autograder that cannot be fooled."""

__version__ = "0.1.0"

__all__ = ["Notebook", "__version__"]


def __getattr__(name: str):
    """``from autograder import Notebook`` without importing it (and pytest) on ``import autograder``."""
    if name == "Notebook":
        from autograder.notebook import Notebook

        return Notebook
    raise AttributeError(f"module 'autograder' has no attribute {name!r}")
