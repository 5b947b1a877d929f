"""Exports of the log as files: formats, the streaming endpoint, and (later) jobs."""
