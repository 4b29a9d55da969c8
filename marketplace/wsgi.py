"""WSGI entry point (gunicorn marketplace.wsgi): Django behind the front door
(``marketplace.frontdoor``: the routes of ``FRONT_DOOR_ROUTES`` answer first)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
django_application = get_wsgi_application()

from marketplace.frontdoor import front_door  # noqa: E402 - once Django is set up

application = front_door(django_application)
