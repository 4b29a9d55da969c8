"""Logistics: where the carrier simulator is (``manage.py carrier_simulator``, started by
``make run``); the demo's tracking feeds book parcels there (docs/LOGISTICS.md)."""

from .env import env_str

CARRIER_SIMULATOR_URL = env_str("CARRIER_SIMULATOR_URL") or "http://127.0.0.1:8766"
