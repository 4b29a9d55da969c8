"""`make run`: wait for localstripe, then have it send its webhooks to the demo server.

    python scripts/localstripe_webhook.py http://127.0.0.1:8420 http://127.0.0.1:8000/payments/stripe/webhook/

The webhooks are signed with the demo's STRIPE_WEBHOOK_SECRET (the embedded default's,
marketplace/settings/base.py), so the demo verifies them as production verifies Stripe's.
Prints one line; a localstripe that does not come up is reported, not fatal (the demo's
return page still reads each payment from localstripe).
"""

import os
import sys
import time

import requests


def main() -> int:
    base, target = sys.argv[1].rstrip("/"), sys.argv[2]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    import django

    django.setup()
    from django.conf import settings

    deadline = time.monotonic() + 20
    while True:
        try:
            requests.post(
                f"{base}/_config/webhooks/silkway-demo",
                json={"url": target, "secret": settings.STRIPE_WEBHOOK_SECRET},
                timeout=2,
            ).raise_for_status()
            print(f"  localstripe sends its webhooks to {target}")
            return 0
        except requests.RequestException as exc:
            if time.monotonic() > deadline:
                print(f"  localstripe did not answer at {base} ({exc}); see var/localstripe.log")
                return 0
            time.sleep(0.3)


if __name__ == "__main__":
    sys.exit(main())
