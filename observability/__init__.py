"""Operations: Prometheus metrics and one structured log line per request.

Like `auth/`, a leaf: it imports none of the service's other packages. The
composition root (`server.py`) wires it in; `schema/` reports recorded batches to it.
"""
