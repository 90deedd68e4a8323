"""LOG_FORMAT=json: one JSON object per line with timestamp, level, logger, message and, while
an HTTP request is served, its request id (from a sane X-Request-ID header or a fresh one)."""

from __future__ import annotations

import json
import logging
import sys

import pytest
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from support_portal import logs
from support_portal.settings import Settings
from support_portal.web.request_ids import request_ids


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def record(message: str, *args, exc_info=None) -> logging.LogRecord:
    return logging.getLogger("support_portal.test").makeRecord(
        "support_portal.test", logging.WARNING, __file__, 1, message, args, exc_info
    )


def test_a_line_is_one_json_object_with_the_fields():
    line = logs.JsonFormatter().format(record("sent %d of %s", 3, "ünïcode"))
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed.pop("timestamp").endswith("+00:00")
    assert parsed == {
        "level": "WARNING",
        "logger": "support_portal.test",
        "message": "sent 3 of ünïcode",
    }


def test_the_request_id_and_an_exception_are_included():
    token = logs.request_id.set("req-42")
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        line = logs.JsonFormatter().format(record("failed", exc_info=sys.exc_info()))
    finally:
        logs.request_id.reset(token)
    parsed = json.loads(line)
    assert parsed["request_id"] == "req-42"
    assert "ValueError: boom" in parsed["exception"] and "\n" not in line


def test_configure_json_makes_every_log_line_json(capsys, restore_logging):
    logs.configure("json")
    logging.getLogger("support_portal.somewhere").info("hello %s", "world")
    [line] = capsys.readouterr().err.strip().splitlines()
    parsed = json.loads(line)
    assert (parsed["level"], parsed["logger"], parsed["message"]) == (
        "INFO",
        "support_portal.somewhere",
        "hello world",
    )


def test_text_leaves_the_servers_logging_alone(restore_logging):
    before = list(logging.getLogger().handlers)
    logs.configure("text")
    assert logging.getLogger().handlers == before


def test_the_setting_reads_log_format_and_refuses_other_values(monkeypatch):
    monkeypatch.setenv("LOG_FORMAT", "json")
    assert Settings().log_format == "json"
    monkeypatch.setenv("LOG_FORMAT", "xml")
    with pytest.raises(ValidationError):
        Settings()


def _app(seen: list):
    def hello(request):
        logging.getLogger("support_portal.route").warning("in the route")
        seen.append(logs.request_id.get())
        return PlainTextResponse("ok")

    return request_ids(Starlette(routes=[Route("/", hello)]))


def test_each_request_gets_an_id_in_its_logs_and_its_response(capsys, restore_logging):
    logs.configure("json")
    seen: list = []
    client = TestClient(_app(seen))
    mine = client.get("/", headers={"X-Request-ID": "proxy-abc.123"})
    fresh = client.get("/")
    forged = client.get("/", headers={"X-Request-ID": "<b>bad</b> " + "y" * 80})
    assert mine.headers["x-request-id"] == "proxy-abc.123" == seen[0]
    assert len(fresh.headers["x-request-id"]) == 32 and fresh.headers["x-request-id"] == seen[1]
    assert forged.headers["x-request-id"] == seen[2] and "y" not in seen[2]
    lines = [json.loads(line) for line in capsys.readouterr().err.strip().splitlines()]
    assert [line["request_id"] for line in lines if line["message"] == "in the route"] == seen
    assert logs.request_id.get() is None  # reset after each request
