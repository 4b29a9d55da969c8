"""Points: an append-only ledger per shopper (docs/MARKETING.md, "Points")."""
