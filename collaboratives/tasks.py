"""Emails sent from the collaboratives layer. Tasks load by id and call plain code."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation_email(*, user_id: int, invited_by_id: int | None, place: str) -> bool:
    """Tell someone where they were added. A person with no password yet gets a link to
    set one (Django's password-reset token: it expires, and stops working once used).
    Retries on mail-server errors; returns False if the person is gone."""
    users = get_user_model().objects
    user = users.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    inviter = users.filter(pk=invited_by_id).first() if invited_by_id else None
    if user.has_usable_password():
        link = settings.SITE_URL + reverse("login")
    else:
        link = settings.SITE_URL + reverse(
            "invitation-accept",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    context = {
        "user": user, "inviter": inviter, "place": place, "link": link,
        "needs_password": not user.has_usable_password(),
        "valid_days": settings.PASSWORD_RESET_TIMEOUT // 86400,
    }
    send_mail(
        subject=render_to_string("emails/invitation_subject.txt", context).strip(),
        message=render_to_string("emails/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )
    return True
