"""Customs docking: where the gateway is. The embedded default is the simulator over HTTP on
its default port (``manage.py customs_gateway``, started by ``make run``), so a newcomer needs
no broker; production profiles name their own gateway in the back office."""

from .env import env_str

CUSTOMS_GATEWAY_URL = env_str("CUSTOMS_GATEWAY_URL") or "http://127.0.0.1:8765"
# The RabbitMQ broker of the customs data exchange (AMQP transport, and the AMQP tests).
CUSTOMS_AMQP_URL = env_str("CUSTOMS_AMQP_URL") or "amqp://guest:guest@127.0.0.1:5672//"
