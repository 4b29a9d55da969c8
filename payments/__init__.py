"""Payments: one Stripe PaymentIntent per checkout, refunds, verified webhooks.

Sits below ``orders`` (docs/ARCHITECTURE.md): it imports only the kernel, and tells the
layers above what happened through the outbox and the signals of ``payments.signals``.
See docs/PAYMENTS.md.
"""
