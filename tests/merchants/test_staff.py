"""Staff invitations: owners invite by email with a role; the signed link works once, before
it expires, and only for the invited address; accepting makes a membership."""

import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from merchants import services
from merchants.models import Invitation, Membership, MerchantEvent
from merchants.roles import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://testserver(/(?:en|zh-hans)/seller/join/[^/\s]+/)")


def invite(cast, email="newbie@alpha.example", role=Role.STAFF, by="owner", capture=None):
    def send():
        return services.invitation_create(
            by=cast.users[by],
            merchant=cast.merchant,
            email=email,
            role=role,
            language="en",
        )

    if capture is None:
        return send()
    with capture(execute=True):
        return send()


def link_in(message) -> str:
    return LINK.search(message.body).group(1)


def test_owner_invites_and_an_email_with_a_signed_link_is_sent(
    cast, django_capture_on_commit_callbacks
):
    invitation = invite(
        cast, email="NewBie@Alpha.example", capture=django_capture_on_commit_callbacks
    )
    assert invitation.email == "newbie@alpha.example" and invitation.is_pending
    assert invitation.expires_at - timezone.now() > timedelta(days=6)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["newbie@alpha.example"]
    assert "Alpha Trading" in message.subject
    assert "Staff" in message.body and cast.users["owner"].email in message.body
    url = link_in(message)
    assert url.startswith("/en/seller/join/")
    invitation.refresh_from_db()
    assert invitation.email_sent_at is not None
    note = MerchantEvent.objects.get(subject=cast.merchant, transition="invite")
    assert note.details == {"email": "newbie@alpha.example", "role": "staff"}


def test_the_email_is_not_sent_twice(cast, django_capture_on_commit_callbacks):
    from marketplace.models import OutboxMessage
    from marketplace.outbox import outbox_deliver, outbox_retry
    from merchants.outbox import send_invitation_email

    invitation = invite(cast, capture=django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    # the handler delivered again (a worker killed after the send, before the mark)
    assert not send_invitation_email({"invitation_id": invitation.pk, "language": "en"})
    # an operator retrying the delivered message, or a second delivery of the row
    message = OutboxMessage.objects.get(key=f"invitation:{invitation.pk}")
    assert message.status == "sent"
    with django_capture_on_commit_callbacks(execute=True):
        outbox_retry(message=message)
    assert outbox_deliver(message_id=message.pk) == "skipped"
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("who", ["staff", "manager"])
def test_staff_and_managers_cannot_invite(cast, who):
    with pytest.raises(PermissionDenied):
        invite(cast, by=who)
    assert not Invitation.objects.exists()


def test_an_existing_member_or_a_pending_invitation_is_refused(cast):
    with pytest.raises(ValidationError, match="already on the team"):
        invite(cast, email=cast.users["staff"].email)
    invite(cast, email="twice@alpha.example")
    with pytest.raises(ValidationError, match="pending invitation"):
        invite(cast, email="twice@alpha.example")


def test_a_new_person_signs_up_through_the_link_and_joins(
    cast, client, django_capture_on_commit_callbacks
):
    invite(cast, role=Role.MANAGER, capture=django_capture_on_commit_callbacks)
    url = link_in(mail.outbox[0])
    page = client.get(url).content.decode()
    assert "Join Alpha Trading" in page and "newbie@alpha.example" in page
    response = client.post(
        url,
        {"password1": "a-long-passphrase-77", "password2": "a-long-passphrase-77"},
    )
    assert response.status_code == 302 and response.url == reverse("seller:dashboard")
    user = User.objects.get(email="newbie@alpha.example")
    membership = Membership.objects.get(user=user)
    assert (membership.merchant, membership.role) == (cast.merchant, Role.MANAGER)
    dashboard = client.get(response.url).content.decode()
    assert "Alpha Trading" in dashboard and "Manager" in dashboard


def test_a_weak_password_is_refused_with_the_reason(
    cast, client, django_capture_on_commit_callbacks
):
    invite(cast, capture=django_capture_on_commit_callbacks)
    url = link_in(mail.outbox[0])
    response = client.post(url, {"password1": "123", "password2": "123"})
    assert "This password is too short" in response.content.decode()
    assert not User.objects.filter(email="newbie@alpha.example").exists()


def test_someone_with_an_account_logs_in_then_accepts(
    cast, client, django_capture_on_commit_callbacks
):
    person = UserFactory(email="newbie@alpha.example")
    invite(cast, capture=django_capture_on_commit_callbacks)
    url = link_in(mail.outbox[0])
    page = client.get(url).content.decode()
    login_url = reverse("accounts:login")
    assert login_url in page and "Log in as newbie@alpha.example to accept." in page
    # Nothing is created by a visitor who is not that person.
    assert client.post(url, {"password1": "x", "password2": "x"}).status_code == 200
    assert not Membership.objects.filter(user=person).exists()

    client.post(login_url + f"?next={url}", {"username": person.email, "password": PASSWORD})
    assert "Accept the invitation" in client.get(url).content.decode()
    client.post(url)
    assert Membership.objects.get(user=person).role == Role.STAFF


def test_the_wrong_account_cannot_accept(cast, client_for, django_capture_on_commit_callbacks):
    invite(cast, capture=django_capture_on_commit_callbacks)
    url = link_in(mail.outbox[0])
    stranger = client_for(UserFactory(email="stranger@example.com"))
    page = stranger.get(url)
    assert page.status_code == 403
    assert "This invitation was sent to ne" in page.content.decode()
    assert "newbie@alpha.example" not in page.content.decode()  # masked for strangers
    assert stranger.post(url).status_code == 403
    assert not Membership.objects.filter(user__email="stranger@example.com").exists()
    with pytest.raises(PermissionDenied):
        services.invitation_accept(
            invitation=Invitation.objects.get(), user=User.objects.get(email="stranger@example.com")
        )


def test_the_link_works_once(cast, client_for, django_capture_on_commit_callbacks):
    invite(cast, capture=django_capture_on_commit_callbacks)
    url = link_in(mail.outbox[0])
    person = client_for(UserFactory(email="newbie@alpha.example"))
    assert person.post(url).status_code == 302
    again = person.get(url)
    assert again.status_code == 410
    assert "This invitation has already been used." in again.content.decode()
    assert Membership.objects.filter(user__email="newbie@alpha.example").count() == 1


def test_an_expired_link_is_refused(cast, client_for, django_capture_on_commit_callbacks):
    invitation = invite(cast, capture=django_capture_on_commit_callbacks)
    url = link_in(mail.outbox[0])
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    person = client_for(UserFactory(email="newbie@alpha.example"))
    response = person.post(url)
    assert response.status_code == 410
    assert "This invitation has expired." in response.content.decode()
    assert not Membership.objects.filter(user__email="newbie@alpha.example").exists()


def test_an_old_signature_is_refused_even_if_the_row_says_otherwise(cast, monkeypatch):
    invitation = invite(cast)
    token = services.invitation_token(invitation)
    monkeypatch.setattr("merchants.services.team.INVITATION_TTL", timedelta(seconds=-1))
    with pytest.raises(services.InvitationInvalid) as caught:
        services.invitation_from_token(token)
    assert caught.value.code == "expired"


def test_a_forged_or_mangled_token_is_refused(cast, client):
    invitation = invite(cast)
    forged = signing.dumps({"i": invitation.pk}, salt="some-other-salt")
    for token in (forged, services.invitation_token(invitation)[:-2] + "xx", "nonsense"):
        response = client.get(reverse("seller:invitation_accept", args=[token]))
        assert response.status_code == 410
        assert "This invitation link is not valid." in response.content.decode()


def test_a_revoked_link_is_refused(cast, client_for):
    invitation = invite(cast)
    services.invitation_revoke(by=cast.users["owner"], invitation=invitation)
    person = client_for(UserFactory(email="newbie@alpha.example"))
    url = reverse("seller:invitation_accept", args=[services.invitation_token(invitation)])
    response = person.post(url)
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()


def test_an_invitation_to_a_suspended_merchant_cannot_be_used(cast, client_for):
    invitation = invite(cast)
    services.merchant_suspend(merchant=cast.merchant, by=cast.users["operator"], reason="Audit")
    person = client_for(UserFactory(email="newbie@alpha.example"))
    url = reverse("seller:invitation_accept", args=[services.invitation_token(invitation)])
    assert person.post(url).status_code == 410
    assert not Membership.objects.filter(user__email="newbie@alpha.example").exists()


def test_a_removed_member_rejoins_through_an_invitation(cast):
    staff = cast.memberships["staff"]
    services.membership_deactivate(by=cast.users["owner"], membership=staff)
    invitation = invite(cast, email=staff.user.email, role=Role.MANAGER)
    services.invitation_accept(invitation=invitation, user=staff.user)
    staff.refresh_from_db()
    assert staff.is_active and staff.role == Role.MANAGER


def test_the_invitation_page_is_in_chinese(cast, client):
    invitation = invite(cast)
    url = "/zh-hans/seller/join/" + services.invitation_token(invitation) + "/"
    html = client.get(url).content.decode()
    assert "加入" in html
