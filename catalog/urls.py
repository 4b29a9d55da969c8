from django.urls import path

from .views import storefront

app_name = "storefront"

urlpatterns = [
    path("", storefront.home, name="home"),
]
