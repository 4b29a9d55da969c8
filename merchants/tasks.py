"""Emails about invitations and applications. Thin and idempotent: each checks the row's
state and records that it sent, so a retried task does not mail twice."""

from __future__ import annotations

from celery import shared_task
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import Invitation, MerchantApplicationEvent

RETRY = {"autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 5}


@shared_task(name="merchants.tasks.send_invitation_email", queue="notifications", **RETRY)
def send_invitation_email(*, invitation_id: int, site_url: str, language: str) -> bool:
    """Email the invitee the signed link (in the inviter's language)."""
    from .services import invitation_token

    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("merchant", "invited_by")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or invitation.email_sent_at or not invitation.is_pending:
            return False
        with translation.override(language):
            url = site_url + reverse(
                "seller:invitation_accept", args=[invitation_token(invitation)]
            )
            context = {"invitation": invitation, "url": url}
            subject = render_to_string("merchants/email/invitation_subject.txt", context).strip()
            body = render_to_string("merchants/email/invitation.txt", context)
        send_mail(subject, body, None, [invitation.email])
        invitation.email_sent_at = timezone.now()
        invitation.save(update_fields=["email_sent_at"])
    return True


@shared_task(name="merchants.tasks.send_application_update_email", queue="notifications", **RETRY)
def send_application_update_email(*, event_id: int, language: str, site_url: str = "") -> bool:
    """Tell the applicant their application was approved, rejected (with the reason) or
    needs more information (with the operator's message)."""
    with transaction.atomic():
        event = (
            MerchantApplicationEvent.objects.select_for_update(of=("self",))
            .select_related("subject__applicant")
            .filter(pk=event_id)
            .first()
        )
        if event is None or event.notified_at:
            return False
        application = event.subject
        with translation.override(language):
            context = {
                "application": application,
                "event": event,
                "url": site_url + reverse("apply:status", args=[application.pk]),
            }
            subject = render_to_string("merchants/email/application_subject.txt", context).strip()
            body = render_to_string("merchants/email/application.txt", context)
        send_mail(subject, body, None, [application.applicant.email])
        event.notified_at = timezone.now()
        event.save(update_fields=["notified_at"])
    return True
