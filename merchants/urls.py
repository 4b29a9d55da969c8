from django.urls import path

from . import views

app_name = "seller"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("choose/", views.choose_merchant, name="choose"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("team/", views.TeamView.as_view(), name="team"),
    path("team/<int:pk>/", views.TeamMemberView.as_view(), name="team_member"),
    path("team/invite/", views.InviteView.as_view(), name="invite"),
    path("team/invitations/<int:pk>/", views.InvitationDetailView.as_view(), name="invitation"),
    path("join/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("commission/", views.CommissionView.as_view(), name="commission"),
    path("payout/", views.PayoutView.as_view(), name="payout"),
    path("payout/edit/", views.PayoutEditView.as_view(), name="payout_edit"),
]
