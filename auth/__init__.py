"""Tokens, roles and the permission checks built on them.

This package is a leaf: it knows PyJWT and the Authorization header and imports
none of the service's other packages.
"""
