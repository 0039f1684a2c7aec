"""Sending one templated email to one person: every email the portal sends goes through here."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation


def send_templated_email(*, template: str, context: dict, to: str, language: str = "") -> None:
    """Render ``<template>_subject.txt`` and ``<template>.txt`` with ``context`` in
    ``language`` (the recipient's: ``collaboratives.language.email_language``; the portal's
    default when empty) and send them to ``to``. The subject is put on one line whatever the
    names in it hold (a line break in a header makes send_mail fail); mail-server errors
    (OSError) reach the caller, whose task retries them."""
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        message = render_to_string(f"{template}.txt", context)
    send_mail(subject=subject, message=message,
              from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[to])
