"""The benchmark harness: a realistic data set, the service over HTTP, and a floor beside it.

Run it with `make bench` (1,000,000 events on SQLite and PostgreSQL) or
`make bench ARGS="--events 100000 --database sqlite"`; see bench/README.md.
"""
