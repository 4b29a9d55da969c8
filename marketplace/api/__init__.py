"""API kernel: pagination, the one error format, and the seller-API base classes."""
