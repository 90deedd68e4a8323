"""Log output: plain text (the default) or, with LOG_FORMAT=json, one JSON object per line.

A JSON line holds `timestamp` (UTC, ISO 8601), `level`, `logger` and `message`, `request_id`
while an HTTP request is being served (support_portal/web/request_ids.py sets it, from a sane
`X-Request-ID` header or a fresh one), and `exception` with the traceback when there is one.
Log collectors (Loki, Elasticsearch, CloudWatch) read these without a parsing rule.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
TEXT_FORMAT = "%(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        current = getattr(record, "request_id", None) or request_id.get()
        if current:
            line["request_id"] = current
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(log_format: str, *, level: int = logging.INFO, text: bool = False) -> None:
    """Set up logging once at start-up. JSON: every handler (the root's and those the server
    installed on its own loggers) writes JSON lines. Text: only when `text` is asked for (the
    command line); the app keeps the server's own text format."""
    root = logging.getLogger()
    if log_format != "json":
        if text:
            logging.basicConfig(level=level, format=TEXT_FORMAT)
        return
    formatter = JsonFormatter()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root.addHandler(handler)
    root.setLevel(level)
    for logger in list(logging.root.manager.loggerDict.values()):
        for own in getattr(logger, "handlers", []):
            own.setFormatter(formatter)
