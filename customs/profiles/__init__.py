"""Customs profiles: companies, signing keys and per-merchant profiles (back office)."""
