"""Merchants: onboarding and review, staff and roles, commission, ledger, payouts."""
