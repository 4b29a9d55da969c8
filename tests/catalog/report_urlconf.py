"""The project's URLs plus a stand-in ``catalog_report:create`` (report-link tests)."""

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpResponse
from django.urls import include, path

from marketplace.urls import urlpatterns as project_urls

report_patterns = (
    [path("report/<int:pk>/", lambda request, pk: HttpResponse("report"), name="create")],
    "catalog_report",
)

urlpatterns = [*project_urls, *i18n_patterns(path("", include(report_patterns)))]
