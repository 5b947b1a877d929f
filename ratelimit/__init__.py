"""Per-caller request rate limits, kept in memory by each instance.

Exceptions::

    RateError     a rate such as "600/minute" cannot be read
"""
