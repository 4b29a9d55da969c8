from django.urls import path

from . import views

app_name = "declarations"

urlpatterns = [
    path("platDataOpen", views.plat_data_open, name="plat_data_open"),
]
