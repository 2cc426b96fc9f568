"""Benchmarks: each subpackage runs with ``python -m benchmarks.<name>`` and prints a table
that compares our numbers side by side with an anchor measured in the same run.

``python -m benchmarks all`` runs every one; ``python -m benchmarks list`` names them.
"""
