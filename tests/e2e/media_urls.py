"""The site's URLs plus uploaded files, for browser tests: the live server runs with DEBUG off,
where ``marketplace.urls`` leaves serving ``/media/`` to the web server in front."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from marketplace.urls import urlpatterns as site


def media(request, path):
    # MEDIA_ROOT is read per request: each test puts its files in a folder of its own
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [re_path(r"^media/(?P<path>.*)$", media), *site]
