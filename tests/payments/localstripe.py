"""A real localstripe for tests (``payments.localstripe_server``: localstripe 1.15 plus the
PaymentIntent and refund events it leaves out; see its docstring).

``localstripe`` (session-scoped: one process per xdist worker, on a free port) starts it and
points the SDK at it for the whole session: ``STRIPE_API_BASE``, test keys, a webhook
secret of its own, ``STRIPE_JS_URL`` (localstripe's Stripe.js) and the CSP built with them.
It yields a ``LocalStripe`` with the URL and helpers:

    localstripe.url                                  # http://127.0.0.1:PORT
    localstripe.register_webhook(live_server.url + "/payments/stripe/webhook/")
    localstripe.stop_webhooks()                      # stop sending (a fixture's teardown)

``stripe_webhooks`` (function-scoped, needs ``live_server``) registers the live server's
webhook endpoint for one test and stops it afterwards, so a late event of one test never
reaches the next. No mock anywhere: the SDK speaks HTTP to the process.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.processes import start_announcing, stop_process

WEBHOOK_PATH = "/payments/stripe/webhook/"


@dataclass
class LocalStripe:
    process: subprocess.Popen
    url: str
    secret_key: str = "sk_test_silkway"
    publishable_key: str = "pk_test_silkway"
    webhook_secret: str = field(default_factory=lambda: "whsec_" + secrets.token_hex(16))

    @property
    def js_url(self) -> str:
        return f"{self.url}/js.stripe.com/v3/"

    def register_webhook(self, url: str, *, name: str = "silkway", events=None) -> None:
        """Have localstripe send (signed with our secret) every event, or ``events``, to
        ``url`` (``POST /_config/webhooks/<name>``; the same name replaces)."""
        body = {"url": url, "secret": self.webhook_secret}
        if events is not None:
            body["events"] = list(events)
        requests.post(
            f"{self.url}/_config/webhooks/{name}", json=body, timeout=5
        ).raise_for_status()

    def stop_webhooks(self, *, name: str = "silkway") -> None:
        """Send nothing more to webhook ``name`` (an empty list of events)."""
        self.register_webhook("http://127.0.0.1:9/", name=name, events=[])

    def stop(self) -> None:
        stop_process(self.process)


def start_localstripe(log_path: Path, *, state_file: Path | None = None) -> LocalStripe:
    """A localstripe on a free port; ``state_file``: the demo's ``--state-file``."""
    command = [sys.executable, "-m", "payments.localstripe_server", "--port", "0"]
    if state_file is not None:
        command += ["--state-file", str(state_file)]
    process, url = start_announcing(command, what="localstripe")
    out = log_path.open("w")

    def drain():  # the rest of its output (the access log) goes on to the log file
        for line in process.stdout:
            out.write(line)
            out.flush()

    threading.Thread(target=drain, daemon=True).start()
    return LocalStripe(process, url)


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory):
    """A running localstripe the SDK talks to for the rest of the session."""
    from django.test.utils import override_settings

    from marketplace.settings.security import csp_directives

    server = start_localstripe(tmp_path_factory.mktemp("localstripe") / "localstripe.log")
    overrides = override_settings(
        STRIPE_API_BASE=server.url,
        STRIPE_SECRET_KEY=server.secret_key,
        STRIPE_PUBLISHABLE_KEY=server.publishable_key,
        STRIPE_WEBHOOK_SECRET=server.webhook_secret,
        STRIPE_JS_URL=server.js_url,
        CONTENT_SECURITY_POLICY={
            "DIRECTIVES": csp_directives(stripe_js_url=server.js_url, stripe_api_base=server.url)
        },
    )
    overrides.enable()
    try:
        yield server
    finally:
        overrides.disable()
        server.stop()


@pytest.fixture
def stripe_webhooks(localstripe, live_server):
    """localstripe sends its events to this test's live server, until the test ends."""
    localstripe.register_webhook(live_server.url + WEBHOOK_PATH)
    yield localstripe
    localstripe.stop_webhooks()
    # localstripe posts its events from a thread of its own: let any still on the way land
    # in this test's time, not while the next test flushes the database (a TRUNCATE waiting
    # on the live server's write deadlocks, and the rows left behind fail later tests)
    time.sleep(1.0)
