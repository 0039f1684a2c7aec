"""A family member on a 360 px phone, in Spanish: she switches the sign-in page to Español,
signs in with her email, carries a cycle from Plan to a decision with a photo, enters a month
of a stratified measure and reads (then explores) its chart. Then axe, at 360 px and at
desktop width, on the newer pages (events, phases, a cycle's files) as a member and as the
advisor. Every page is checked with axe and photographed (E2E_SCREENSHOTS, default /tmp, in
family-es/); the Spanish is taken from the catalog, so a string left in English fails."""

from __future__ import annotations

import datetime
import io
import os
import re
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from PIL import Image
from playwright.sync_api import Page, expect

from collaboratives.language import language_of, language_save
from collaboratives.models import ChangeIdea
from measures import events
from measures.models import Measure, MeasureEvent, MeasureValue
from measures.months import add_months, month_start
from measures.phase_services import phase_create
from pdsa import attachments, services
from pdsa.models import Cycle, CycleAttachment
from teams.models import MemberRole
from tests import factories
from tests.e2e.support import DESKTOP, NARROW, assert_accessible, field, log_in, visit

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "/tmp")) / "family-es"
EMAIL = "rosa.mendez@example.org"
TITLE = "Horario con dibujos a la llegada"
MEASURE = "Tasa de exclusiones"
GROUPS = ["Negro", "Hispano/Latino", "Blanco", "Asiático", "Multirracial u otro"]
NUMERATOR, DENOMINATOR = "Exclusiones", "Niños inscritos el día 15"
# Words that read the same in both languages: es() lets them through untranslated.
SAME_IN_SPANISH = frozenset({"Total"})


def es(text: str, **params: object) -> str:
    """``text`` as the Spanish catalog has it; fails if it is missing there."""
    with translation.override("es"):
        spanish = gettext(text)
    assert spanish != text or text in SAME_IN_SPANISH, f"not translated: {text!r}"
    return spanish % params if params else spanish


def es_date(day: datetime.date, fmt: str) -> str:
    """A date as a Spanish page shows it: ``fmt`` is a format name or a format string."""
    with translation.override("es"):
        return formats.date_format(day, fmt)


class Shots:
    """Numbered full-page screenshots of one test."""

    def __init__(self, name: str) -> None:
        self.folder, self.name, self.number = SHOTS, name, 0
        self.folder.mkdir(parents=True, exist_ok=True)

    def take(self, page: Page, step: str) -> None:
        self.number += 1
        page.screenshot(path=self.folder / f"{self.name}-{self.number:02d}-{step}.png",
                        full_page=True)


def fits(page: Page) -> None:
    """Nothing is cut off sideways at 360 px."""
    width = page.viewport_size["width"] if page.viewport_size else NARROW["width"]
    if page.evaluate("document.documentElement.scrollWidth") <= width:
        return
    wide = page.evaluate("""width => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > width + 1
                && ![...e.children].some(c => c.getBoundingClientRect().right > width + 1))
        .slice(0, 8).map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}`
                + ` (${Math.round(e.getBoundingClientRect().right)} px):`
                + ` ${(e.textContent || '').trim().slice(0, 60)}`)""", width)
    raise AssertionError(f"{page.url} is wider than {width} px:\n  " + "\n  ".join(wide))


def hidden_table_width(page: Page) -> int:
    """How many pixels of the widest table sit behind a sideways scroll."""
    return page.evaluate("""() => Math.max(0, ...[...document.querySelectorAll(".table-responsive")]
        .map(box => box.scrollWidth - box.clientWidth))""")


def spanish(page: Page) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "es")


def arrived(page: Page, shots: Shots, step: str) -> None:
    """After a navigation: Spanish, fits the phone, axe-clean, photographed."""
    page.wait_for_load_state("load")
    spanish(page)
    fits(page)
    assert_accessible(page)
    shots.take(page, step)


def png(size: tuple[int, int] = (60, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (40, 120, 200)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def files(tmp_path: Path, monkeypatch) -> FileSystemStorage:
    """A storage of the test's own: nothing is written under var/."""
    private = FileSystemStorage(location=tmp_path / "files")
    monkeypatch.setattr(CycleAttachment._meta.get_field("file"), "storage", private)
    return private


@pytest.fixture
def family(world):
    """Rosa, a parent on Team A, signing in with her email; the collaborative runs around
    today, so this month is open for data."""
    this_month = month_start(timezone.localdate())
    collaborative = world.collaborative
    collaborative.start_date = add_months(this_month, -6)
    collaborative.end_date = add_months(this_month, 6) - datetime.timedelta(days=1)
    collaborative.save()
    rosa = factories.UserFactory(username="rosa", email=EMAIL, first_name="Rosa",
                                 last_name="Méndez")
    factories.MembershipFactory(team=world.team_a, user=rosa, role=MemberRole.FAMILY)
    return rosa


def sign_in_in_spanish(page: Page, server_url: str, shots: Shots, email: str = EMAIL) -> None:
    """Switch the sign-in page to Español, then sign in with the email, under its Spanish
    label (as the catalog has it: "Correo electrónico o nombre de usuario")."""
    visit(page, f"{server_url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    switch = page.locator("form.language-switch").first
    switch.get_by_role("button", name="Español").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Iniciar sesión")
    expect(switch.get_by_role("button", name="Español")).to_have_attribute("aria-pressed", "true")
    arrived(page, shots, "sign-in-es")
    field(page, "Correo electrónico o nombre de usuario").fill(email)
    field(page, "Contraseña").fill(factories.PASSWORD)
    page.get_by_role("button", name="Iniciar sesión", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    arrived(page, shots, "team")


# --- 1. Sign in and a cycle from Plan to a decision ----------------------------------------

def test_a_parent_signs_in_in_spanish_and_takes_a_cycle_to_a_decision_with_a_photo(
        narrow_page: Page, server_url, world, family, files):
    page, shots = narrow_page, Shots("cycle")
    ChangeIdea.objects.create(collaborative=world.collaborative, title="Horarios visuales")

    # The sign-in page switched to Español; her email under the Spanish label; she lands
    # on her team's page, in Spanish.
    sign_in_in_spanish(page, server_url, shots)
    expect(page).to_have_url(f"{server_url}{world.team_a.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Team A")
    assert language_of(family) == "es"  # what she chose at sign-in is kept for her emails

    # A new cycle, from the quick form.
    page.get_by_role("link", name=es("PDSA cycles"), exact=True).first.click()
    arrived(page, shots, "cycles")
    page.get_by_role("link", name=es("Log a new cycle"), exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrar un ciclo nuevo")
    arrived(page, shots, "quick-form")
    field(page, es("Name of the test")).fill(TITLE)
    field(page, es("change idea tested").capitalize()).select_option(label="Horarios visuales")
    field(page, es("What do you predict?")).fill("Menos niños preguntarán qué sigue.")
    field(page, es("What will you do?")).fill("Poner un horario con dibujos en la puerta.")
    page.get_by_role("button", name="Guardar el plan", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    arrived(page, shots, "plan")
    cycle = Cycle.objects.get(title=TITLE)
    assert (cycle.lead, cycle.status) == (family, Cycle.Status.PLAN)

    def stage(number: int, label: str) -> None:
        expect(page.get_by_role("heading", name=es("Stage %(number)s of 4: %(label)s",
                                                   number=number, label=es(label)))).to_be_visible()

    def move_on(to: str, step: str) -> None:
        page.get_by_role("button", name=es("Save and move on to %(next)s", next=es(to)),
                         exact=True).click()
        arrived(page, shots, step)

    # Plan → Do → Study → Act, each on its stage page.
    stage(1, "Plan")
    page.get_by_text(es("One child or family"), exact=True).click()
    move_on("Do", "do")
    stage(2, "Do")
    field(page, es("What happened?")).fill("Los niños miraron el horario casi todas las mañanas.")
    move_on("Study", "study")
    stage(3, "Study")
    field(page, es("How did the results compare with your prediction?")).fill("Mejor de lo previsto.")
    field(page, es("What did you learn?")).fill("Los dibujos funcionan mejor que las palabras.")
    move_on("Act", "act")
    stage(4, "Act")
    page.get_by_text("Dejarlo como está (adoptar)", exact=True).click()
    shots.take(page, "act-chosen")
    page.get_by_role("button", name="Guardar y terminar el ciclo", exact=True).click()
    arrived(page, shots, "finished")
    expect(page.get_by_role("status").first).to_contain_text(
        "Ciclo terminado. Su decisión: Dejarlo como está (adoptar).")
    cycle.refresh_from_db()
    assert (cycle.status, cycle.decision, cycle.scale) == (
        Cycle.Status.COMPLETE, Cycle.Decision.ADOPT, Cycle.Scale.ONE_CHILD)

    # A photo, added on the cycle page, then shown there.
    upload = page.get_by_role("region", name=es("Photos and files"))
    expect(upload.get_by_role("heading", name=es("Add a photo or file"))).to_be_visible()
    field(upload, es("Photo or file")).set_input_files(
        {"name": "horario.png", "mimeType": "image/png", "buffer": png()})
    field(upload, es("Caption (optional)")).fill("El horario en la puerta")
    upload.get_by_role("button", name=es("Add to the cycle"), exact=True).click()
    arrived(page, shots, "photo-added")
    expect(page.get_by_role("status").first).to_contain_text(es("Added to the cycle."))
    photo = page.get_by_role("img", name="El horario en la puerta")
    photo.scroll_into_view_if_needed()
    expect(photo).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth === 60", arg=photo.element_handle())
    shots.take(page, "photo-shown")
    assert CycleAttachment.objects.filter(cycle=cycle, uploaded_by=family).count() == 1


# --- 2. A month of a stratified measure, and its chart -------------------------------------

def test_a_parent_enters_a_stratified_month_and_reads_its_chart_in_spanish(
        narrow_page: Page, server_url, world, family):
    page, shots = narrow_page, Shots("data")
    this_month = month_start(timezone.localdate())
    measure = factories.MeasureFactory(
        collaborative=world.collaborative, name=MEASURE, order=0, unit=Measure.Unit.RATE,
        chart_kind=Measure.ChartKind.U, stratification="Raza/etnia del niño",
        numerator_label=NUMERATOR, denominator_label=DENOMINATOR)
    strata = [factories.StratumFactory(measure=measure, label=label, order=order)
              for order, label in enumerate(GROUPS)]
    for back in (3, 2, 1):  # three earlier months, so the chart already has a line
        month = add_months(this_month, -back)
        factories.MeasureValueFactory(team=world.team_a, measure=measure, month=month,
                                      numerator=3 + back, denominator=40)
        for stratum in strata:
            factories.MeasureValueFactory(team=world.team_a, measure=measure, month=month,
                                          stratum=stratum, numerator=1, denominator=8)
    sign_in_in_spanish(page, server_url, shots)

    page.get_by_role("link", name=es("Monthly data"), exact=True).first.click()
    arrived(page, shots, "monthly-data")
    page.get_by_role("link", name=es("Enter %(month)s", month=es_date(this_month, "F")),
                     exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(es_date(this_month, "YEAR_MONTH_FORMAT"), re.IGNORECASE))
    arrived(page, shots, "month-form")

    table = page.get_by_role("table", name=f"{MEASURE}: una línea por grupo")
    expect(table.get_by_role("columnheader")).to_have_text(
        ["Raza/etnia del niño", NUMERATOR, DENOMINATOR])
    for group, events_, enrolled in zip(GROUPS, ["1", "2", "0", "0", "0"],
                                        ["10", "12", "9", "7", "3"], strict=True):
        table.get_by_label(f"{group}: {NUMERATOR}").fill(events_)
        table.get_by_label(f"{group}: {DENOMINATOR}").fill(enrolled)
    shots.take(page, "month-filled")
    page.get_by_role("button", name=es("Save month"), exact=True).click()
    arrived(page, shots, "month-saved")
    expect(page.get_by_role("status").first).to_contain_text(
        re.compile(r"^Se guardaron los datos de .+ \(\d+ valores cambiados\)\.$"))
    assert MeasureValue.objects.filter(month=this_month, measure=measure,
                                       stratum__isnull=False).count() == 5

    # The run charts: the server's drawing, how to read it, then plotly's.
    page.get_by_role("link", name=es("Run charts"), exact=True).first.click()
    arrived(page, shots, "charts")
    section = page.locator(f"#chart-{measure.pk}-section")
    chart = section.locator(f"[data-figure='chart-{measure.pk}']")
    expect(chart.locator(".chart-svg-narrow")).to_be_visible()
    help_box = section.locator("details", has=page.locator("summary", has_text=es(
        "How to read this chart"))).first
    help_box.locator("summary").click()
    expect(help_box.get_by_text(es(
        "The solid grey line is the centre line (the mean). The dotted grey lines are the "
        "control limits: while nothing changes, nearly every point falls between them."))
    ).to_be_visible()
    shots.take(page, "chart-help")
    section.get_by_role("button", name="Explorar este gráfico").first.click()
    expect(chart.locator(".main-svg").first).to_be_visible()
    expect(chart.locator(".chart-svg")).to_have_count(0)
    fits(page)
    assert_accessible(page)
    shots.take(page, "chart-explored")


# --- 3. axe on the newer pages, at 360 px and on a desktop ----------------------------------

def _both_widths(page: Page, url: str, shots: Shots, step: str) -> None:
    """axe at 360 px, then at desktop width on the same page."""
    page.set_viewport_size(NARROW)
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, url
    spanish(page)
    fits(page)
    assert hidden_table_width(page) == 0, f"{url}: a table scrolls sideways at 360 px"
    assert_accessible(page)
    shots.take(page, f"{step}-360")
    page.set_viewport_size(DESKTOP)
    assert_accessible(page)
    shots.take(page, f"{step}-desktop")


XMR_VALUES = [1, 4, 2, 3, 1, 4, 2, 9, 9, 9, 30, 30, 30, 1, 30, 1]


def test_the_new_pages_pass_axe_for_a_member_and_the_advisor(
        narrow_page: Page, page: Page, server_url, world, family, files):
    member, advisor = narrow_page, page
    shots = Shots("axe")
    today = timezone.localdate()
    this_month = month_start(today)
    rare = factories.MeasureFactory(
        collaborative=world.collaborative, name="Expulsiones", order=0, unit=Measure.Unit.COUNT,
        chart_kind=Measure.ChartKind.G, denominator_definition="", numerator_definition="Expulsiones",
        direction=Measure.Direction.DOWN, records_events=True)
    for back in (150, 90, 40, 5):
        events.event_record(measure=rare, team=world.team_a, user=family,
                            date=today - datetime.timedelta(days=back), note="")
    event = MeasureEvent.objects.filter(measure=rare).latest("date")
    calm = factories.MeasureFactory(
        collaborative=world.collaborative, name="Llegadas tranquilas", order=1,
        unit=Measure.Unit.COUNT, chart_kind=Measure.ChartKind.XMR, denominator_definition="",
        goal=None)
    first = add_months(this_month, -len(XMR_VALUES))
    for team in (world.team_a, world.team_b):
        for index, value in enumerate(XMR_VALUES):
            factories.MeasureValueFactory(team=team, measure=calm, month=add_months(first, index),
                                          numerator=value, denominator=None)
    phase = phase_create(measure=calm, team=world.team_a, start_month=add_months(first, 10),
                         reason="Adoptamos la canción de bienvenida")
    idea = ChangeIdea.objects.create(collaborative=world.collaborative, title="Horarios visuales")
    cycle = services.cycle_create(team=world.team_a, created_by=family, change_idea=idea,
                                  title=TITLE, prediction="Mañanas más tranquilas")
    upload = SimpleUploadedFile("horario.png", png(), content_type="image/png")
    item = attachments.attachment_add(cycle=cycle, uploaded_by=family, upload=upload,
                                      caption="El horario en la puerta")
    # The advisor chose Spanish on her profile: her pages follow it once she signs in.
    language_save(user=world.advisor, language="es")

    sign_in_in_spanish(member, server_url, Shots("axe-member"))
    for step, url in (
        ("events", reverse("events:list", kwargs={"pk": world.team_a.pk, "measure_pk": rare.pk})),
        ("event-delete", reverse("events:delete", args=[event.pk])),
        ("phases-team", reverse("phases:team", kwargs={"team_pk": world.team_a.pk, "pk": calm.pk})),
        ("phase-delete", reverse("phases:delete", args=[phase.pk])),
        ("attachment-form", reverse("pdsa:attachment-create", args=[cycle.pk])),
        ("attachment-delete", reverse("pdsa:attachment-delete", args=[item.pk])),
    ):
        _both_widths(member, f"{server_url}{url}", shots, f"member-{step}")

    log_in(advisor, server_url, world.advisor.email)  # the sign-in page in English
    spanish(advisor)
    for step, url in (
        ("events", reverse("events:list", kwargs={"pk": world.team_a.pk, "measure_pk": rare.pk})),
        ("phases-team", reverse("phases:team", kwargs={"team_pk": world.team_a.pk, "pk": calm.pk})),
        ("phases-pooled", reverse("phases:pooled", args=[calm.pk])),
    ):
        _both_widths(advisor, f"{server_url}{url}", shots, f"advisor-{step}")
