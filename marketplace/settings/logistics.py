"""Logistics: where the carrier simulator is (``manage.py carrier_simulator``, started by
``make run``); the demo's tracking feeds book parcels there (docs/LOGISTICS.md)."""

from .env import env_str

CARRIER_SIMULATOR_URL = env_str("CARRIER_SIMULATOR_URL") or "http://127.0.0.1:8766"

# Shipping labels embed a TrueType font with Chinese glyphs (logistics/fulfilment/labels.py);
# empty: the first of Debian's fonts-wqy-zenhei / -microhei / fonts-arphic-uming found.
LABELS_CJK_FONT = env_str("LABELS_CJK_FONT")
