"""Customs docking: where the gateway is. The embedded default is the simulator over HTTP on
its default port (``manage.py customs_gateway``, started by ``make run``), so a newcomer needs
no broker; production profiles name their own gateway in the back office."""

from .env import env_int, env_str

CUSTOMS_GATEWAY_URL = env_str("CUSTOMS_GATEWAY_URL") or "http://127.0.0.1:8765"
# The RabbitMQ broker of the customs data exchange (AMQP transport, and the AMQP tests).
CUSTOMS_AMQP_URL = env_str("CUSTOMS_AMQP_URL") or "amqp://guest:guest@127.0.0.1:5672//"

# Declarations (customs/declarations): a send failing on the transport is retried after
# DECLARATIONS_RETRY_SECONDS, doubling with jitter, and the document is dead (for an operator
# to resend) after DECLARATIONS_SEND_MAX_ATTEMPTS; the sweeper puts documents pending longer
# than DECLARATIONS_SWEEP_SECONDS back on the outbox; receipts are fetched every
# DECLARATIONS_RECEIPTS_SECONDS.
DECLARATIONS_SEND_MAX_ATTEMPTS = env_int("DECLARATIONS_SEND_MAX_ATTEMPTS", 10)
DECLARATIONS_RETRY_SECONDS = env_int("DECLARATIONS_RETRY_SECONDS", 2)
DECLARATIONS_SWEEP_SECONDS = env_int("DECLARATIONS_SWEEP_SECONDS", 120)
DECLARATIONS_RECEIPTS_SECONDS = env_int("DECLARATIONS_RECEIPTS_SECONDS", 5)
# Where 179 real-time uploads go; empty: the HTTP profile's gateway (the simulator) or
# CUSTOMS_GATEWAY_URL, + /ceb2grab/grab/realTimeDataUpload.
CUSTOMS_REALTIME_UPLOAD_URL = env_str("CUSTOMS_REALTIME_UPLOAD_URL") or ""
