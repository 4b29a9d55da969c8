"""Accounts: the custom user model (email log-in), sign-up, log-in, password reset."""
