"""Everyone signed in has a profile page: their name, their email, and the two scheduled
emails they may turn off (the reminder before a month is due, the weekly digest)."""

import pytest
from django.urls import reverse

from collaboratives.models import NotificationPreferences
from collaboratives.profile import notification_preferences_of

pytestmark = pytest.mark.django_db
URL = "/accounts/profile/"


def form(user, **changes):
    data = {"first_name": user.first_name, "last_name": user.last_name, "email": user.email,
            "due_reminders": "on", "weekly_digest": "on"}
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def test_it_lives_under_accounts():
    assert reverse("profile") == URL


def test_it_sends_an_anonymous_visitor_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={URL}"


def test_it_shows_the_persons_name_email_and_both_emails_on_by_default(client, world):
    client.force_login(world.member_a)
    page = client.get(URL).text
    assert f'value="{world.member_a.email}"' in page
    assert f'value="{world.member_a.first_name}"' in page
    assert page.count("checked") == 3  # both emails, and "My browser's language"


def test_it_labels_each_switch_and_says_what_the_email_is(client, world):
    client.force_login(world.member_a)
    page = client.get(URL).text
    assert '<label for="id_due_reminders"' in page
    assert '<label for="id_weekly_digest"' in page
    assert "Three days before your team" in page
    assert "For advisors and coaches, on Mondays" in page


def test_it_makes_no_preferences_row_until_the_person_saves(client, world):
    client.force_login(world.member_a)
    client.get(URL)
    assert not NotificationPreferences.objects.exists()


def test_it_saves_the_switches_and_they_stick(client, world):
    client.force_login(world.coach)
    response = client.post(URL, form(world.coach, due_reminders=None), follow=True)
    assert "Your profile is saved." in response.text
    preferences = NotificationPreferences.objects.get(user=world.coach)
    assert (preferences.due_reminders, preferences.weekly_digest) == (False, True)
    page = client.get(URL).text
    assert page.count('type="checkbox"') == 2
    assert page.count("checked") == 2  # the digest, and "My browser's language"


def test_it_turns_a_switch_back_on(client, world):
    client.force_login(world.coach)
    client.post(URL, form(world.coach, due_reminders=None, weekly_digest=None))
    client.post(URL, form(world.coach))
    preferences = notification_preferences_of(world.coach)
    assert (preferences.due_reminders, preferences.weekly_digest) == (True, True)
    assert preferences.history.count() == 2


def test_it_saves_the_name_and_email(client, world):
    client.force_login(world.member_a)
    response = client.post(URL, form(world.member_a, first_name="Ana", last_name="Ruiz",
                                     email="ana.ruiz@example.org"))
    assert response.status_code == 302
    world.member_a.refresh_from_db()
    assert (world.member_a.first_name, world.member_a.last_name, world.member_a.email) == (
        "Ana", "Ruiz", "ana.ruiz@example.org")


def test_it_refuses_an_email_another_account_uses_and_saves_nothing(client, world):
    client.force_login(world.member_a)
    response = client.post(URL, form(world.member_a, first_name="Ana",
                                     email=world.member_b.email.upper(), due_reminders=None))
    assert response.status_code == 200
    assert "Another account uses this email." in response.text
    world.member_a.refresh_from_db()
    assert world.member_a.first_name != "Ana"
    assert not NotificationPreferences.objects.exists()


def test_it_needs_a_name_and_a_valid_email(client, world):
    client.force_login(world.member_a)
    response = client.post(URL, form(world.member_a, first_name="", email="not-an-email"))
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"first_name", "email"}


def test_it_changes_only_the_signed_in_persons_profile(client, world):
    client.force_login(world.member_a)
    client.post(URL, form(world.member_a, weekly_digest=None))
    assert list(NotificationPreferences.objects.values_list("user", flat=True)) == [world.member_a.pk]


def test_it_is_linked_from_the_navigation_next_to_the_password(client, world):
    client.force_login(world.member_a)
    page = client.get(reverse("home"), follow=True).text
    assert f'href="{URL}"' in page
    assert page.index(f'href="{URL}"') < page.index(f'href="{reverse("password_change")}"')
