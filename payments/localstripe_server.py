"""localstripe for tests and the demo, with the payment events it leaves out.

Test and demo support, not production code: production talks to Stripe. Run it as

    python -m payments.localstripe_server --port 8420     # 0: a free port

It prints ``listening on http://HOST:PORT`` once it accepts connections (tests read that
line), then serves localstripe 1.15 (PyPI ``localstripe``: the Stripe API, its own Stripe.js
at ``/js.stripe.com/v3/``, ``POST /_config/webhooks/<name>`` to register a webhook URL and
secret) with three changes, all to the stand-in, none to the code under test:

- **PaymentIntent and refund events.** localstripe 1.15 signs and sends webhooks only for
  customers, invoices, plans, payouts, products and subscriptions: a PaymentIntent that is
  paid, declined, asks for 3-D Secure or is cancelled sends nothing, and neither does a
  refund. Stripe sends ``payment_intent.succeeded``, ``payment_intent.payment_failed``,
  ``payment_intent.requires_action``, ``payment_intent.processing``,
  ``payment_intent.canceled``, ``payment_intent.created``, ``charge.refunded`` and
  ``refund.created``; this launcher makes localstripe send the same, built and signed by
  localstripe's own ``Event`` and ``schedule_webhook`` (so the signature scheme is the one
  its other webhooks use: ``t=<created>,v1=HMAC-SHA256(secret, "<created>.<body>")``, which
  is Stripe's).
- **No shared state file.** localstripe pickles its whole store to
  ``/tmp/localstripe.pickle`` after every write and may load it at start; several test
  workers (and ``make run``) would share that file. Tests keep state in the process only (a
  restart starts empty); the demo passes ``--state-file var/localstripe.pickle``: the store is
  loaded from it at start and written to it (whole, atomically) after every request that
  changes something, so the payments ``make seed`` made are still there for ``make run``'s
  refunds after any number of restarts.
- **Another card after a decline.** On Stripe, a PaymentIntent whose charge was declined
  takes a new payment method and can be confirmed again; localstripe keeps the failed charge
  as the intent's latest and refuses the confirmation. Giving the intent a new payment
  method forgets the failed attempt, as Stripe does.
- **Where it listens.** ``--host`` (default 127.0.0.1) instead of every interface, and
  ``--port 0`` for a free port, announced on stdout.
"""

from __future__ import annotations

import argparse
import logging
import os
import pickle
import socket
import sys
from pathlib import Path

from localstripe import resources

PaymentIntent = resources.PaymentIntent
Refund = resources.Refund

_STATUS_EVENTS = {
    "succeeded": "payment_intent.succeeded",
    "requires_action": "payment_intent.requires_action",
    "processing": "payment_intent.processing",
    "canceled": "payment_intent.canceled",
}


def _announce(intent, before: str | None) -> None:
    """Send the event Stripe sends when ``intent`` moved from ``before`` to its status."""
    after = intent.status
    if after == before:
        return
    if after == "requires_payment_method" and intent.last_payment_error:
        kind = "payment_intent.payment_failed"
    else:
        kind = _STATUS_EVENTS.get(after)
    if kind:
        resources.schedule_webhook(resources.Event(kind, intent))


def _status_of(intent_id) -> str | None:
    obj = resources.store.get("payment_intent:" + str(intent_id))
    return obj.status if obj is not None else None


def _wrap_intent_action(func):
    def action(id, *args, **kwargs):
        before = _status_of(id)
        intent = func(id, *args, **kwargs)
        _announce(intent, before)
        return intent

    return action


def _create_intent(original):
    def create(**data):
        intent = original(**data)
        # ``confirm=True`` went through the wrapped ``_api_confirm``, which announced the rest
        resources.schedule_webhook(resources.Event("payment_intent.created", intent))
        return intent

    return create


def _create_refund(original):
    def create(**data):
        refund = original(**data)
        resources.schedule_webhook(resources.Event("refund.created", refund))
        charge = resources.Charge._api_retrieve(refund.charge)
        resources.schedule_webhook(resources.Event("charge.refunded", charge))
        return refund

    return create


def _new_method_forgets_failure(original):
    def update(self, **data):
        original(self, **data)
        if data.get("payment_method") and self.status == "requires_payment_method":
            self.latest_charge = None
            self._authentication_failed = False

    return update


def install() -> None:
    """Patch localstripe's resources (before ``localstripe.server`` builds its routes)."""
    if getattr(resources, "_silkway_events", False):
        return
    resources._silkway_events = True
    resources.Store.dump_to_disk = lambda self: None
    resources.Store.try_load_from_disk = lambda self: None

    PaymentIntent._update = _new_method_forgets_failure(PaymentIntent._update)
    confirm = _wrap_intent_action(PaymentIntent._api_confirm)
    cancel = _wrap_intent_action(PaymentIntent._api_cancel)
    authenticate = _wrap_intent_action(PaymentIntent._api_authenticate)
    # ``_api_create(confirm=True)`` calls ``cls._api_confirm``: the wrapped one announces.
    PaymentIntent._api_confirm = staticmethod(confirm)
    PaymentIntent._api_cancel = staticmethod(cancel)
    PaymentIntent._api_authenticate = staticmethod(authenticate)
    create_intent = PaymentIntent._api_create
    PaymentIntent._api_create = staticmethod(_create_intent(create_intent))
    create_refund = Refund._api_create
    Refund._api_create = staticmethod(_create_refund(create_refund))
    # The routes of these actions were collected as bound methods when resources loaded.
    replaced = {
        "/v1/payment_intents/{id}/confirm": confirm,
        "/v1/payment_intents/{id}/cancel": cancel,
        "/v1/payment_intents/{id}/_authenticate": authenticate,
    }
    resources.extra_apis[:] = [
        (method, url, replaced.get(url, func)) for method, url, func in resources.extra_apis
    ]


def keep_state(app, path: Path) -> None:
    """Load localstripe's store from ``path`` (if it exists) and write it back there after
    every request that is not a read (the whole store, through a temporary file renamed
    over the old one: a crash never leaves half a file)."""
    from aiohttp import web

    if path.exists():
        with path.open("rb") as f:
            resources.store.update(pickle.load(f))  # noqa: S301 - our own file, written below

    @web.middleware
    async def save_after_writes(request, handler):
        try:
            return await handler(request)
        finally:
            if request.method not in ("GET", "HEAD", "OPTIONS"):
                path.parent.mkdir(parents=True, exist_ok=True)
                temporary = path.with_suffix(path.suffix + ".tmp")
                with temporary.open("wb") as f:
                    pickle.dump(dict(resources.store), f, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(temporary, path)

    app.middlewares.append(save_after_writes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument(
        "--state-file", type=Path, help="keep the store in this file across restarts (the demo)"
    )
    args = parser.parse_args(argv)

    install()
    from aiohttp import web
    from localstripe.server import app

    if args.state_file is not None:
        keep_state(app, args.state_file)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(128)  # connections wait in the backlog until the app serves them
    host, port = sock.getsockname()[:2]
    print(f"listening on http://{host}:{port}", flush=True)
    access = logging.getLogger("aiohttp.access")
    access.setLevel(logging.INFO)
    access.addHandler(logging.StreamHandler(sys.stdout))
    web.run_app(app, sock=sock, access_log=access, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
