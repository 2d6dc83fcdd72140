"""The trusted side of grading: the test runner and its pytest plugin, the ``submission`` proxies, the warm harness."""
