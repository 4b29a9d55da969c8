"""Silkway project package: settings, URLs, the Celery app and the shared kernel
(money, tenancy, i18n helpers) that every domain app builds on.

Importing the package loads nothing: the standard-library kernel modules
(``marketplace.clearance``) stay importable by the Django-free duty engine and message
library. The Celery app (``marketplace.celery``) is loaded by ``MarketplaceConfig.ready``
in every Django process, and found by ``celery -A marketplace`` on its own.
"""
