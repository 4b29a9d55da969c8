from django.urls import path

from . import views

app_name = "seller"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("choose/", views.choose_merchant, name="choose"),
    path("team/", views.TeamView.as_view(), name="team"),
    path("team/<int:pk>/", views.TeamMemberView.as_view(), name="team_member"),
]
