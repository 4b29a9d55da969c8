"""Settings of the server the HTTP benchmark starts: the project's, plus the benchmark's
baseline route (``bench/urls.py``). Production never loads this module."""

from marketplace.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
