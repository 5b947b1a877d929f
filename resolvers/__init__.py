"""Use cases of the audit log as plain async functions: typed values in, rows out."""
