"""Log lines as text or JSON, each carrying the request id and user id of the request it
belongs to. Used by settings.LOGGING and by gunicorn.conf.py, so it imports no settings.

Only listed fields are written: a record's other attributes (Django attaches the whole request,
headers and cookies included) never reach the output.
"""

import json
import logging
import logging.config
from datetime import UTC, datetime

from . import request_context

# Extra fields worth a column of their own: the access line's, and Django's status_code.
EXTRA_FIELDS = {
    "method": "method",
    "path": "path",
    "status": "status",
    "status_code": "status",
    "duration_ms": "duration_ms",
}


class RequestContextFilter(logging.Filter):
    """Adds request_id and user_id (None outside a request) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = request_context.current()
        record.request_id = context.request_id if context else None
        record.user_id = context.user_id if context else None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, in UTF-8 (Cyrillic stays readable)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
            "request_id": getattr(record, "request_id", None),
            "user_id": getattr(record, "user_id", None),
        }
        for attribute, field in EXTRA_FIELDS.items():
            if hasattr(record, attribute):
                entry[field] = getattr(record, attribute)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(
            {key: value for key, value in entry.items() if value is not None},
            ensure_ascii=False,
            default=str,
        )


class TextFormatter(logging.Formatter):
    """Plain lines for people: the request and user ids follow the message when known."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        request_id = getattr(record, "request_id", None)
        if request_id is None:
            return line
        user_id = getattr(record, "user_id", None)
        user = f" user={user_id}" if user_id is not None else ""
        return f"{line} [request={request_id}{user}]"


def logging_config(*, json_lines: bool, level: str, loggers: dict | None = None) -> dict:
    """A dictConfig for one stderr handler; ``loggers`` adds or overrides named loggers."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_context": {"()": RequestContextFilter}},
        "formatters": {"json": {"()": JsonFormatter}, "text": {"()": TextFormatter}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_context"],
                "formatter": "json" if json_lines else "text",
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own handlers print plain text in development and would repeat each line.
            "django": {"handlers": [], "level": level, "propagate": True},
            **(loggers or {}),
        },
    }


def configure(config: dict) -> None:
    """settings.LOGGING_CONFIG: apply ``config``; Python warnings become log lines too."""
    logging.config.dictConfig(config)
    logging.captureWarnings(True)
