"""Each person's language: chosen on the profile or with the switch (sign-in page and footer),
remembered on their preferences, used for their pages and for every email sent to them.

Anonymous visitors get Django's choice (the language cookie set by the switch, else the
browser's). A signed-in person's saved language wins; it is copied into the session at sign
in, so no request pays a query for it."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from collaboratives.models import NotificationPreferences

SESSION_KEY = "bsc_language"
CODES = frozenset(code for code, _name in settings.LANGUAGES)


def language_of(user: AbstractBaseUser) -> str:
    """The person's saved language, or "" to follow their browser (emails: the default)."""
    try:
        preferences = user.notification_preferences
    except NotificationPreferences.DoesNotExist:
        return ""
    return preferences.language if preferences.language in CODES else ""


def email_language(user: AbstractBaseUser) -> str:
    """The language of an email to ``user``: theirs, else the portal's default."""
    return language_of(user) or settings.LANGUAGE_CODE


def language_save(*, user: AbstractBaseUser, language: str) -> None:
    """Remember ``language`` ("" to follow the browser) on the person's preferences."""
    if language and language not in CODES:
        raise ValueError(f"unknown language {language!r}")
    preferences, _created = NotificationPreferences.objects.get_or_create(user=user)
    if preferences.language != language:
        preferences.language = language
        preferences.save(update_fields=["language", "updated_at"])


def language_at_sign_in(sender: object, request: HttpRequest | None, user: AbstractBaseUser,
                         **kwargs: object) -> None:
    """Put the saved language in the session; a person with none saved keeps what they chose
    on the sign-in page (the cookie), which is saved for them, so their emails follow it."""
    if request is None or not hasattr(request, "session"):
        return
    language = language_of(user)
    if not language:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if chosen in CODES:
            language_save(user=user, language=chosen)
            language = chosen
    remember_in_session(request, language)


def language_cookie_set(response: HttpResponse, language: str) -> None:
    """The language cookie as Django's set_language writes it (its settings), or removed for
    "" (follow the browser), so the profile and the switch leave the same cookie."""
    if not language:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, path=settings.LANGUAGE_COOKIE_PATH,
                               domain=settings.LANGUAGE_COOKIE_DOMAIN)
        return
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE)


def remember_in_session(request: HttpRequest, language: str) -> None:
    """After the person changes their language: this session uses it from the next page."""
    if language:
        request.session[SESSION_KEY] = language
    else:
        request.session.pop(SESSION_KEY, None)


class UserLanguageMiddleware:
    """After authentication: a signed-in person's saved language over the browser's. Django's
    LocaleMiddleware (earlier) has chosen from the cookie and Accept-Language, and sets
    Content-Language and Vary from the active language on the way out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = request.session.get(SESSION_KEY) if user is not None and user.is_authenticated else None
        if language in CODES and language != getattr(request, "LANGUAGE_CODE", None):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's set_language (the cookie, then back to ``next``), and for a signed-in person
    the choice saved on their preferences and session."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if language in CODES and request.user.is_authenticated:
        language_save(user=request.user, language=language)
        remember_in_session(request, language)
    return response
