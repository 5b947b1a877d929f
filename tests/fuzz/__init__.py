"""Schemathesis against the real service: generated GraphQL operations for every role.

Run with `make fuzz` (or `python -m tests.fuzz`); see `tests/fuzz/__main__.py`.
"""
