"""The customs gateway simulator, run as its own process: ``manage.py customs_gateway``."""
