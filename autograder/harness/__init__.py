"""The trusted side of grading: the pytest plugin, the ``submission`` proxy, scoring."""
