"""Requests made the way a WSGI server makes them, for tests of what runs ahead of Django's
request cycle (the front door, ``marketplace.frontdoor``)."""

from __future__ import annotations

from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections


class Django:
    """Django's own WSGI application, counting the requests that reach it."""

    def __init__(self):
        self.handler = WSGIHandler()
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.handler(environ, start_response)


def call(app, environ) -> tuple[int, list[tuple[str, str]], bytes]:
    """One request through ``app``, as a WSGI server makes it (the test's database
    connection kept open across it, as Django's test client keeps it)."""
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = int(status.split()[0]), headers

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        chunks = app(environ, start_response)
        body = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return answer["status"], answer["headers"], body
