"""The shopper's return doors (under /<lang>/account/orders/<n>/returns/)."""

from django.urls import path, re_path

from . import views

app_name = "account_returns"

urlpatterns = [
    path("<str:number>/returns/", views.return_create, name="create"),
    re_path(
        r"^(?P<number>[^/]+)/returns/(?P<pk>[0-9]+)/label\.pdf$",
        views.return_label,
        name="label",
    ),
]
