"""One log line per request, as text or JSON, through the standard `logging` module.

The line carries the request id, method, path, operation name, account, caller subject,
HTTP status, outcome and duration; never tokens, headers, variables or metadata.
"""

from __future__ import annotations

import logging
import re
from typing import Literal

import orjson

LogFormat = Literal["text", "json"]
LOGGER_NAME = "auditlog.request"
_PLAIN = re.compile(r"[\w.:@/+=-]+")
# Probes and scrapes arrive every few seconds; their lines are debug-level.
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})

logger = logging.getLogger(LOGGER_NAME)

Fields = dict[str, str | int | float | None]


def level_for(path: str) -> int:
    """The level of a request's line: debug for probes and scrapes, info for the rest."""
    return logging.DEBUG if path in QUIET_PATHS else logging.INFO


def log_request(fields: Fields, level: int) -> None:
    """Emit the request's line; its fields ride on the record as `request_fields`."""
    logger.log(level, "request", extra={"request_fields": fields})


class TextFormatter(logging.Formatter):
    """`time level logger message key=value ...`, quoting values that are not plain."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields: Fields | None = getattr(record, "request_fields", None)
        if fields:
            line += " " + " ".join(f"{key}={_text(value)}" for key, value in fields.items())
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the request's fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "request_fields", None) or {})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry).decode()


def formatter_for(log_format: LogFormat) -> logging.Formatter:
    """The formatter of AUDITLOG_LOG_FORMAT."""
    if log_format == "json":
        return JsonFormatter()
    return TextFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")


def configure_logging(log_format: LogFormat, level: int = logging.INFO) -> None:
    """Send the service's `auditlog.*` loggers to standard error in the chosen format."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter_for(log_format))
    service = logging.getLogger("auditlog")
    service.handlers = [handler]
    service.setLevel(level)
    service.propagate = False


def _text(value: str | int | float | None) -> str:
    if value is None:
        return "-"
    text = str(value)
    return text if _PLAIN.fullmatch(text) else orjson.dumps(text).decode()
