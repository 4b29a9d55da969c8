"""Report-a-listing pages (mounted at /<lang>/report/)."""

from django.urls import path

from catalog.views import reports

app_name = "catalog_report"

urlpatterns = [
    path("<int:product_id>/", reports.report_create_view, name="create"),
    path("<int:product_id>/sent/", reports.report_sent_view, name="sent"),
]
