"""The one send path to customs (``sealing.seal``) and the transports (AMQP, HTTP)."""
