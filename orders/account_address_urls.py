"""The shopper's address book (under the language prefix: /en/account/addresses/…)."""

from django.urls import path

from . import address_views as views

app_name = "account_addresses"

urlpatterns = [
    path("", views.address_list, name="list"),
    path("<int:pk>/", views.address_edit, name="edit"),
    path("<int:pk>/delete/", views.address_remove, name="delete"),
    path("<int:pk>/default/", views.address_make_default, name="default"),
    path("identities/", views.identity_add, name="identity_add"),
    path("identities/<int:pk>/delete/", views.identity_remove, name="identity_delete"),
]
