"""Operator command-line entry points (python -m shared.cli.<name>)."""
