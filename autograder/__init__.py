"""Deep-learning course kit: assignments and an autograder that cannot be fooled."""

__version__ = "0.1.0"
