"""Silkway project package: settings, URLs, the Celery app and the shared kernel
(money, tenancy, i18n helpers) that every domain app builds on."""

from .celery import app as celery_app

__all__ = ["celery_app"]
