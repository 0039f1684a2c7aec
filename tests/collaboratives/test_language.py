"""Each person's language: the switch on the sign-in page and in every footer, the choice on
the profile, remembered across sessions and used for their emails; ``<html lang>`` always
says the language of the page; advisors' own text in Spanish where they wrote it."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from collaboratives.language import SESSION_KEY, language_save
from collaboratives.models import ChangeIdea, NotificationPreferences
from collaboratives.services import invitation_send
from tests.factories import MeasureFactory, MeasureValueFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-and-unusual-passphrase"


def _html_lang(response) -> str:
    text = response.content.decode()
    return text[text.index("<html lang=\"") + 12:].split('"', 1)[0]


def test_the_switch_url_is_djangos_and_no_longer_404(client):
    assert reverse("set_language") == "/i18n/setlang/"
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert response.cookies["django_language"].value == "es"


def test_a_visitor_switches_the_sign_in_page_to_spanish(client):
    page = client.get("/accounts/login/")
    assert _html_lang(page) == "en"
    assert 'name="language" value="es" lang="es"' in page.text  # the switch, named in Spanish
    client.post("/i18n/setlang/", {"language": "es", "next": "/accounts/login/"})
    page = client.get("/accounts/login/")
    assert _html_lang(page) == "es"
    assert page["Content-Language"] == "es"
    assert "Iniciar sesión" in page.text
    assert "Sign in" not in page.text.replace('lang="en"', "")


def test_the_browser_language_is_followed_until_a_choice_is_made(client):
    page = client.get("/accounts/login/", headers={"accept-language": "es-MX,es;q=0.9"})
    assert _html_lang(page) == "es"


def test_a_choice_on_the_sign_in_page_is_saved_for_a_person_with_none(client, world):
    world.member_b.set_password(PASSWORD)
    world.member_b.save()
    client.post("/i18n/setlang/", {"language": "es", "next": "/accounts/login/"})
    client.post("/accounts/login/", {"username": world.member_b.email, "password": PASSWORD})
    assert NotificationPreferences.objects.get(user=world.member_b).language == "es"


def test_a_saved_language_wins_over_the_browser_from_sign_in_on(client, world):
    language_save(user=world.member_a, language="es")
    world.member_a.set_password(PASSWORD)
    world.member_a.save()
    response = client.post("/accounts/login/", {"username": world.member_a.username,
                                                "password": PASSWORD},
                           headers={"accept-language": "en-US"})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == "es"
    page = client.get(reverse("profile"), headers={"accept-language": "en-US"})
    assert _html_lang(page) == "es"
    assert "Perfil" in page.text


def test_the_switch_saves_the_choice_of_a_signed_in_person(client, world):
    client.force_login(world.member_a)
    client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    assert NotificationPreferences.objects.get(user=world.member_a).language == "es"
    session = client.cookies["sessionid"].value
    client.cookies.clear()  # no language cookie, same session: the saved choice decides
    client.cookies["sessionid"] = session
    assert _html_lang(client.get(reverse("profile"))) == "es"


def test_the_profile_saves_the_language_and_the_page_follows(client, world):
    client.force_login(world.member_a)
    data = {"first_name": "Ana", "last_name": "Flores", "email": world.member_a.email,
            "due_reminders": "on", "weekly_digest": "on", "language": "es"}
    response = client.post(reverse("profile"), data, follow=True)
    assert NotificationPreferences.objects.get(user=world.member_a).language == "es"
    assert _html_lang(response) == "es"
    assert "Su perfil está guardado." in response.text or "perfil" in response.text.lower()
    data["language"] = ""  # back to the browser's
    response = client.post(reverse("profile"), data, follow=True,
                           headers={"accept-language": "en"})
    assert NotificationPreferences.objects.get(user=world.member_a).language == ""
    assert _html_lang(response) == "en"


def test_an_unknown_language_is_refused_and_nothing_is_saved(client, world):
    client.force_login(world.member_a)
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert not NotificationPreferences.objects.filter(user=world.member_a, language="xx").exists()
    data = {"first_name": "Ana", "last_name": "Flores", "email": world.member_a.email,
            "language": "xx"}
    response = client.post(reverse("profile"), data)
    assert response.status_code == 200
    assert "not one of the available choices" in response.text


def test_emails_go_out_in_the_recipients_language(world):
    spanish = UserFactory(email="rosa@example.org")
    language_save(user=spanish, language="es")
    english = UserFactory(email="sam@example.org")
    with translation.override("es"):  # the sender's language does not matter
        invitation_send(user=english, inviter=world.advisor, place="Team A")
    invitation_send(user=spanish, inviter=world.advisor, place="Team A")
    to_english, to_spanish = mail.outbox
    assert "Sign in with" in to_english.body or "invited" in to_english.body
    assert to_spanish.subject != to_english.subject
    assert "contraseña" in to_spanish.body.lower() or "acceso" in to_spanish.body.lower()


def test_advisors_own_text_shows_in_spanish_where_they_wrote_it(client, world):
    measure = MeasureFactory(collaborative=world.collaborative, name="Positive family contacts",
                             name_es="Contactos positivos con las familias",
                             operational_definition="Calls and notes home.",
                             operational_definition_es="Llamadas y notas a casa.")
    untranslated = MeasureFactory(collaborative=world.collaborative, name="Staff turnover")
    idea = ChangeIdea.objects.create(collaborative=world.collaborative, title="Visual schedules",
                                     title_es="Horarios con imágenes")
    client.force_login(world.member_a)
    client.cookies["django_language"] = "es"
    page = client.get(measure.get_absolute_url()).text
    assert "Contactos positivos con las familias" in page
    assert "Llamadas y notas a casa." in page
    assert "Staff turnover" in client.get(untranslated.get_absolute_url()).text  # as written
    framework = client.get(reverse("collaboratives:framework", args=[world.collaborative.pk])).text
    assert "Horarios con imágenes" in framework
    client.cookies["django_language"] = "en"
    assert "Positive family contacts" in client.get(measure.get_absolute_url()).text
    with translation.override("es"):
        assert str(idea) == "Horarios con imágenes"
    with translation.override("en"):
        assert str(idea) == "Visual schedules"


def test_groups_of_a_stratified_measure_have_their_spanish_names(client, world):
    """The advisor gives each group its Spanish name, in the groups' order; a reader of
    Spanish sees them in the chart, its table and the comparison with the reference group."""
    client.force_login(world.advisor)
    data = {"name": "Exclusion rate", "type": "outcome", "operational_definition": "Events.",
            "numerator_definition": "Events", "denominator_definition": "Children",
            "unit": "rate", "rate_per": "100", "direction": "down", "chart_kind": "u",
            "stratification": "Child's race/ethnicity",
            "stratification_es": "Raza/etnia del niño o la niña",
            "strata": "Black\nWhite", "strata_es": "Negro o afroamericano\nBlanco",
            "reference": "White", "order": "0"}
    response = client.post(reverse("measures:create", args=[world.collaborative.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    measure = world.collaborative.measures.get(name="Exclusion rate")
    assert [(s.label, s.label_es) for s in measure.strata.order_by("order")] == [
        ("Black", "Negro o afroamericano"), ("White", "Blanco")]
    for stratum in measure.strata.all():
        for team in (world.team_a, world.team_b):
            MeasureValueFactory(team=team, measure=measure, stratum=stratum,
                                month=world.collaborative.start_date.replace(day=1),
                                numerator=2, denominator=10)
    client.cookies["django_language"] = "es"
    listing = client.get(reverse("measures:list", args=[world.collaborative.pk])).text
    assert "Raza/etnia del niño o la niña: Negro o afroamericano, Blanco (referencia)" in listing
    client.force_login(world.member_a)
    charts = client.get(reverse("reports:team-charts", args=[world.team_a.pk])).text
    assert "Negro o afroamericano" in charts
    assert "Black" not in charts


def test_more_spanish_group_names_than_groups_are_refused(client, world):
    client.force_login(world.advisor)
    data = {"name": "Rate", "type": "outcome", "operational_definition": "x",
            "numerator_definition": "a", "denominator_definition": "b", "unit": "rate",
            "rate_per": "100", "direction": "down", "chart_kind": "u", "stratification": "Race",
            "strata": "Black\nWhite", "strata_es": "Negro\nBlanco\nOtro", "order": "0"}
    response = client.post(reverse("measures:create", args=[world.collaborative.pk]), data)
    assert response.status_code == 200
    assert "more Spanish names than groups" in response.text
    assert not world.collaborative.measures.filter(name="Rate").exists()


def test_an_export_read_by_people_has_its_header_in_their_language(client, world):
    """The collaborative's figures (read in a spreadsheet, never imported back) name their
    columns in Spanish; the monthly-data export, the import's template, keeps its English."""
    measure = MeasureFactory(collaborative=world.collaborative)
    client.force_login(world.member_a)
    client.cookies["django_language"] = "es"
    figures = client.get(reverse("measures:figures-export", args=[measure.pk])).content.decode()
    assert figures.splitlines()[0] == "serie,mes,equipos_con_datos,valor,oculto"
    template = client.get(reverse("measures:team-data-export", args=[world.team_a.pk]))
    assert template.content.decode().splitlines()[0].startswith("month,measure,group")
