"""Deploy checks: production needs Stripe's keys."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def stripe_configured(app_configs=None, **kwargs):
    """``manage.py check --deploy`` warns when a Stripe key or the webhook secret is missing,
    or when the SDK points at a stand-in (``STRIPE_API_BASE``)."""
    problems = []
    for name in ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET"):
        if not getattr(settings, name, ""):
            problems.append(
                checks.Warning(
                    f"{name} is not set: payments cannot work.",
                    hint="Set the keys of your Stripe account (docs/PAYMENTS.md).",
                    id="payments.W001",
                )
            )
    if settings.STRIPE_API_BASE and not settings.DEBUG:
        problems.append(
            checks.Warning(
                f"STRIPE_API_BASE points the Stripe SDK at {settings.STRIPE_API_BASE}.",
                hint="Unset it in production: the SDK then talks to Stripe.",
                id="payments.W002",
            )
        )
    return problems
