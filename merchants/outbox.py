"""The merchants app's outbox handlers: emails about invitations and applications.

Written by the services in the same transaction as the invitation or the decision
(``marketplace.outbox.outbox_enqueue``), delivered by a worker on the ``notifications``
queue. Idempotent: each checks the row's state and records that it sent (``email_sent_at``,
``notified_at``) in the same transaction as the send, so a repeated delivery mails nothing.
Links start with ``settings.SITE_URL``, whichever process builds them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from marketplace.outbox import outbox_handler

from .lock_objects import lock_application_event, lock_invitation
from .models import Invitation, MerchantApplicationEvent

INVITATION_EMAIL = "merchants.invitation_email"
APPLICATION_EMAIL = "merchants.application_update_email"


@outbox_handler(INVITATION_EMAIL, queue="notifications")
def send_invitation_email(payload: dict) -> bool:
    """Email the invitee the signed link (in the inviter's language). ``payload``:
    ``invitation_id``, ``language``."""
    from .services import invitation_token

    with transaction.atomic():
        try:
            invitation = lock_invitation(payload["invitation_id"])
        except Invitation.DoesNotExist:
            return False
        if invitation.email_sent_at or not invitation.is_pending:
            return False
        with translation.override(payload.get("language") or settings.LANGUAGE_CODE):
            url = settings.SITE_URL + reverse(
                "seller:invitation_accept", args=[invitation_token(invitation)]
            )
            context = {"invitation": invitation, "url": url}
            subject = render_to_string("merchants/email/invitation_subject.txt", context).strip()
            body = render_to_string("merchants/email/invitation.txt", context)
        send_mail(subject, body, None, [invitation.email])
        invitation.email_sent_at = timezone.now()
        invitation.save(update_fields=["email_sent_at"])
    return True


@outbox_handler(APPLICATION_EMAIL, queue="notifications")
def send_application_update_email(payload: dict) -> bool:
    """Tell the applicant their application was approved, rejected (with the reason) or
    needs more information (with the operator's message). ``payload``: ``event_id``,
    ``language``."""
    with transaction.atomic():
        try:
            event = lock_application_event(payload["event_id"])
        except MerchantApplicationEvent.DoesNotExist:
            return False
        if event.notified_at:
            return False
        application = event.subject
        with translation.override(payload.get("language") or settings.LANGUAGE_CODE):
            context = {
                "application": application,
                "event": event,
                "url": settings.SITE_URL + reverse("apply:status", args=[application.pk]),
            }
            subject = render_to_string("merchants/email/application_subject.txt", context).strip()
            body = render_to_string("merchants/email/application.txt", context)
        send_mail(subject, body, None, [application.applicant.email])
        event.notified_at = timezone.now()
        event.save(update_fields=["notified_at"])
    return True
