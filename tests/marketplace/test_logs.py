"""Structured logs: every request has an id, echoed to the client and put on log lines."""

import json
import logging

import pytest
from pythonjsonlogger.json import JsonFormatter

from marketplace.logs import RequestIdFilter


@pytest.mark.django_db
def test_request_id_is_generated_and_echoed(client):
    response = client.get("/healthz")
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_a_sane_incoming_request_id_is_kept_and_a_bad_one_replaced(client):
    assert client.get("/healthz", headers={"X-Request-ID": "lb-1234.abc"})["X-Request-ID"] == (
        "lb-1234.abc"
    )
    replaced = client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})
    assert replaced["X-Request-ID"] != "bad id\nwith newline"


def test_log_lines_are_json_with_the_request_id():
    from marketplace.logs import request_id_var

    record = logging.LogRecord("silkway", logging.INFO, __file__, 1, "order %s paid", ("42",), None)
    token = request_id_var.set("req-7")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = JsonFormatter("%(levelname)s %(name)s %(message)s %(request_id)s").format(record)
    assert json.loads(line) == {
        "levelname": "INFO",
        "name": "silkway",
        "message": "order 42 paid",
        "request_id": "req-7",
    }
