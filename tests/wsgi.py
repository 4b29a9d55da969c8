"""Requests made the way a WSGI server makes them, for tests of what runs ahead of Django's
request cycle (the front door, ``marketplace.frontdoor``)."""

from __future__ import annotations

import io

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


def environ(method: str, path: str, *, body: bytes, content_type: str, **extra) -> dict:
    """The WSGI environ a server builds for ``method path`` with ``body`` from 127.0.0.1 to
    ``testserver`` over plain HTTP; ``extra``: more keys (headers as ``HTTP_…``)."""
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
        **extra,
    }
