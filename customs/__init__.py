"""Customs: duty & tax engine, product records, declarations, customs messages, gateway client."""
