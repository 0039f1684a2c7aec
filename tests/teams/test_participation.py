"""Learning sessions: agenda, attendance on one screen, the CSV sign-in sheet, and who sees what."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from collaboratives.models import Period
from teams.models import MemberRole, SessionAttendance
from teams.participation import (
    AttendanceRow,
    ImportRejected,
    attendance_template_csv,
    session_attendance_import,
    session_attendance_save,
)
from tests.factories import MembershipFactory, PeriodFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

AGENDA = "9:00 Welcome and team time\n\n10:30 Pyramid Model: routines\n15:00 Storyboards"


@pytest.fixture
def session(world):
    return PeriodFactory(collaborative=world.collaborative, hours=Decimal(6), location="Raleigh",
                         agenda=AGENDA)


def add_team(collaborative, size: int, name: str | None = None):
    team = TeamFactory(collaborative=collaborative, **({"name": name} if name else {}))
    roles = [MemberRole.ADMINISTRATOR, MemberRole.EDUCATOR, MemberRole.EDUCATOR, MemberRole.FAMILY,
             MemberRole.OTHER_STAFF]
    for number in range(size):
        MembershipFactory(team=team, role=roles[number % len(roles)])
    return team


def recorded(period) -> dict[str, Decimal]:
    return {row.user.username: row.hours for row in period.attendance.select_related("user")}


def sheet(text: str) -> bytes:
    return text.encode("utf-8")


# --- The service ----------------------------------------------------------------------------

def test_it_records_ticked_people_with_the_sessions_hours_and_their_team_and_role(world, session):
    saved = session_attendance_save(period=session, recorded_by=world.advisor, rows=[
        AttendanceRow(world.member_a.pk), AttendanceRow(world.member_b.pk, hours=Decimal("4.5"))])
    assert (saved.created, saved.updated, saved.removed) == (2, 0, 0)
    row = SessionAttendance.objects.get(user=world.member_a)
    assert (row.hours, row.team, row.role, row.recorded_by) == (
        Decimal(6), world.team_a, MemberRole.EDUCATOR, world.advisor)
    assert recorded(session)["member-b"] == Decimal("4.5")


def test_it_updates_hours_removes_the_unticked_and_leaves_people_not_listed(world, session):
    session_attendance_save(period=session, recorded_by=world.advisor, rows=[
        AttendanceRow(world.member_a.pk), AttendanceRow(world.member_b.pk), AttendanceRow(world.lead_a.pk)])
    saved = session_attendance_save(period=session, recorded_by=world.advisor, rows=[
        AttendanceRow(world.member_a.pk, hours=Decimal(3)), AttendanceRow(world.member_b.pk, attended=False)])
    assert (saved.created, saved.updated, saved.removed) == (0, 1, 1)
    assert recorded(session) == {"member-a": Decimal(3), "lead-a": Decimal(6)}


def test_it_keeps_the_history_of_bulk_writes(world, session):
    session_attendance_save(period=session, recorded_by=world.advisor,
                            rows=[AttendanceRow(world.member_a.pk)])
    session_attendance_save(period=session, recorded_by=world.advisor,
                            rows=[AttendanceRow(world.member_a.pk, hours=Decimal(2))])
    session_attendance_save(period=session, recorded_by=world.advisor,
                            rows=[AttendanceRow(world.member_a.pk, attended=False)])
    history = SessionAttendance.history.filter(user=world.member_a).order_by("history_date", "history_id")
    assert [(h.history_type, h.hours, h.history_user) for h in history] == [
        ("+", Decimal(6), world.advisor), ("~", Decimal(2), world.advisor), ("-", Decimal(2), world.advisor)]


@pytest.mark.parametrize("hours", [Decimal("0.2"), Decimal(25), Decimal("2.25")])
def test_it_refuses_hours_out_of_range_and_saves_nobody(world, session, hours):
    with pytest.raises(ValidationError) as error:
        session_attendance_save(period=session, recorded_by=world.advisor, rows=[
            AttendanceRow(world.member_a.pk), AttendanceRow(world.member_b.pk, hours=hours)])
    assert world.member_b.get_full_name() in error.value.messages[0]
    assert not SessionAttendance.objects.exists()


def test_it_refuses_people_not_on_a_team_of_the_collaborative(world, session):
    outsider = world.other_team.memberships.get().user
    with pytest.raises(ValidationError) as error:
        session_attendance_save(period=session, recorded_by=world.advisor, rows=[
            AttendanceRow(world.member_a.pk), AttendanceRow(outsider.pk), AttendanceRow(world.stranger.pk)])
    assert len(error.value.messages) == 2
    assert "is not on a team of this collaborative" in error.value.messages[0]
    assert not SessionAttendance.objects.exists()


def test_it_asks_for_hours_when_the_session_has_no_length(world):
    period = PeriodFactory(collaborative=world.collaborative, hours=None)
    with pytest.raises(ValidationError) as error:
        session_attendance_save(period=period, recorded_by=world.advisor,
                                rows=[AttendanceRow(world.member_a.pk)])
    assert "Give the hours" in error.value.messages[0]


def test_it_records_attendance_for_learning_sessions_only(world):
    period = PeriodFactory(collaborative=world.collaborative, kind=Period.Kind.ACTION_PERIOD,
                           start_date=datetime.date(2026, 2, 2), end_date=datetime.date(2026, 4, 30))
    with pytest.raises(ValidationError):
        session_attendance_save(period=period, recorded_by=world.advisor,
                                rows=[AttendanceRow(world.member_a.pk)])


@pytest.mark.parametrize("teams", [2, 12])
def test_it_saves_any_number_of_people_in_the_same_number_of_queries(
        world, session, teams, django_assert_num_queries):
    for _ in range(teams):
        add_team(world.collaborative, 5)
    people = list(world.collaborative.teams.values_list("memberships__user", flat=True))
    first_half = [AttendanceRow(user_id) for user_id in people[: len(people) // 2]]
    session_attendance_save(period=session, recorded_by=world.advisor, rows=first_half)
    # Savepoint, memberships, existing rows, then each kind of write with its history
    # (create, update, remove): the same ten queries for 14 people or 64.
    rows = [AttendanceRow(user_id, attended=index % 3 != 0, hours=Decimal(5))
            for index, user_id in enumerate(people)]
    with django_assert_num_queries(10):
        session_attendance_save(period=session, recorded_by=world.advisor, rows=rows)


# --- The CSV sign-in sheet -------------------------------------------------------------------

def test_it_imports_a_sheet_by_email_or_username_with_the_sessions_hours_by_default(world, session):
    data = sheet(f"Email,Hours,Name\n{world.member_a.email.upper()},,Ana\n\n"
                 f",4,\n{world.member_b.email},\"5,5\",Bo\n")
    with pytest.raises(ImportRejected):  # a line with neither email nor username
        session_attendance_import(period=session, data=data, recorded_by=world.advisor)
    data = sheet("username,hours\nmember-a,\nmember-b,5.5\n\n")
    saved = session_attendance_import(period=session, data=data, recorded_by=world.advisor)
    assert saved.created == 2
    assert recorded(session) == {"member-a": Decimal(6), "member-b": Decimal("5.5")}


def test_it_accepts_a_byte_order_mark_a_decimal_comma_and_quoted_cells(world, session):
    data = f"\ufeffemail,hours\n\"{world.member_a.email}\",\"5,5\"\n".encode()
    session_attendance_import(period=session, data=data, recorded_by=world.advisor)
    assert recorded(session) == {"member-a": Decimal("5.5")}


def test_it_adds_to_earlier_attendance_and_removes_nobody(world, session):
    session_attendance_save(period=session, recorded_by=world.advisor, rows=[AttendanceRow(world.lead_a.pk)])
    session_attendance_import(period=session, data=sheet(f"email\n{world.member_a.email}\n"),
                              recorded_by=world.advisor)
    assert set(recorded(session)) == {"lead-a", "member-a"}


def test_it_lists_every_problem_by_line_and_saves_nothing(world, session):
    outsider = world.other_team.memberships.get().user
    data = sheet("\n".join([
        "email,hours",
        world.member_a.email + ",6",            # 2: fine
        "nobody@example.org,6",                 # 3: unknown
        outsider.email + ",6",                  # 4: has an account, not on a team here
        world.member_b.email + ",lots",         # 5: bad hours
        world.member_a.email.upper() + ",3",    # 6: same person as line 2
        world.lead_a.email + ",30",             # 7: out of range
        "x" * 300 + "@example.org,6",           # 8: over-long cell
    ]) + "\n")
    with pytest.raises(ImportRejected) as rejected:
        session_attendance_import(period=session, data=data, recorded_by=world.advisor)
    problems = {(p.line, p.column): p.message for p in rejected.value.problems}
    assert set(problems) == {(3, "email"), (4, "email"), (5, "hours"), (6, "email"), (7, "hours"),
                             (8, "email")}
    assert "Nobody with the email" in problems[(3, "email")]
    assert "not on a team of this collaborative" in problems[(4, "email")]
    assert "already on line 2" in problems[(6, "email")]
    assert not SessionAttendance.objects.exists()


def test_it_numbers_lines_after_a_quoted_cell_that_spans_two(world, session):
    data = sheet(f"email,hours,note\n{world.member_a.email},6,\"came\nlate\"\nnobody@example.org,6,\n")
    with pytest.raises(ImportRejected) as rejected:
        session_attendance_import(period=session, data=data, recorded_by=world.advisor)
    assert [p.line for p in rejected.value.problems] == [4]


@pytest.mark.parametrize(("data", "line", "words"), [
    (b"email,hours\nmember-a@example.org,6\nbad\x00line,6\n", 3, "NUL"),
    ("email,hours\nmember-a@example.org,6\nJos\u00e9,6\n".encode("latin-1"), 3, "not UTF-8"),
    (b"member-a@example.org,6\n", 1, "first line must name the columns"),
    (b"", 1, "first line must name the columns"),
])
def test_it_refuses_a_file_that_is_not_a_sign_in_sheet(world, session, data, line, words):
    with pytest.raises(ImportRejected) as rejected:
        session_attendance_import(period=session, data=data, recorded_by=world.advisor)
    [problem] = rejected.value.problems
    assert (problem.line, words in problem.message) == (line, True)


def test_its_template_lists_every_member_and_imports_as_it_is(world, session):
    text = attendance_template_csv(session)
    lines = text.splitlines()
    assert lines[0] == "email,username,hours,name,team"
    assert len(lines) == 1 + 3  # member A, lead A, member B
    assert any(line.startswith(f"{world.member_b.email},member-b,6,") for line in lines)
    session_attendance_import(period=session, data=text.encode(), recorded_by=world.advisor)
    assert len(recorded(session)) == 3


def test_its_template_defuses_spreadsheet_formulas(world, session):
    world.member_a.first_name = "=HYPERLINK(\"x\")"
    world.member_a.save()
    assert "'=HYPERLINK" in attendance_template_csv(session)


# --- Pages -----------------------------------------------------------------------------------

def session_url(world, period, name="participation:session"):
    return reverse(name, kwargs={"pk": world.collaborative.pk, "period_pk": period.pk})


def test_everyone_who_reads_the_collaborative_reads_the_agenda_as_a_list(client, world, session):
    for person in (world.member_a, world.state_viewer, world.advisor):
        client.force_login(person)
        response = client.get(session_url(world, session))
        assert response.status_code == 200
        assert response.context["agenda"] == ["9:00 Welcome and team time", "10:30 Pyramid Model: routines",
                                              "15:00 Storyboards"]
        assert "<li class=\"list-group-item\">15:00 Storyboards</li>" in response.content.decode()


def test_a_member_never_sees_who_else_attended(client, world, session):
    session_attendance_save(period=session, recorded_by=world.advisor, rows=[
        AttendanceRow(world.member_a.pk), AttendanceRow(world.lead_a.pk), AttendanceRow(world.member_b.pk)])
    client.force_login(world.member_a)
    page = client.get(session_url(world, session)).content.decode()
    assert world.lead_a.get_full_name() not in page
    assert world.member_b.get_full_name() not in page
    assert "You attended this session" in page
    client.force_login(world.state_viewer)
    page = client.get(session_url(world, session)).content.decode()
    assert world.member_a.get_full_name() not in page
    assert "Attendance" not in page


def test_a_leader_sees_attendance_by_team_and_role_with_names(client, world, session):
    session_attendance_save(period=session, recorded_by=world.advisor, rows=[
        AttendanceRow(world.member_a.pk, hours=Decimal(4)), AttendanceRow(world.member_b.pk)])
    client.force_login(world.coach)
    response = client.get(session_url(world, session))
    report = response.context["report"]
    assert [(t.team_name, t.attended, t.members, t.hours) for t in report.teams] == [
        ("Team A", 1, 2, Decimal(4)), ("Team B", 1, 1, Decimal(6))]
    roles = {r.role: (r.attended, r.members, r.hours) for r in report.roles}
    assert roles[MemberRole.EDUCATOR] == (1, 1, Decimal(4))
    assert roles[MemberRole.ADMINISTRATOR] == (0, 1, Decimal(0))
    assert world.member_a.get_full_name() in response.content.decode()
    assert session_url(world, session, "participation:attendance") in response.content.decode()


def test_it_knows_no_session_that_is_not_a_learning_session_of_the_collaborative(client, world, session):
    action = PeriodFactory(collaborative=world.collaborative, kind=Period.Kind.ACTION_PERIOD,
                           start_date=datetime.date(2026, 2, 2), end_date=datetime.date(2026, 4, 30))
    elsewhere = PeriodFactory(collaborative=world.other_collaborative)
    client.force_login(world.advisor)
    assert client.get(session_url(world, action)).status_code == 404
    assert client.get(session_url(world, elsewhere)).status_code == 404


def test_the_session_list_shows_attendance_counts_to_leaders_only(client, world, session):
    session_attendance_save(period=session, recorded_by=world.advisor,
                            rows=[AttendanceRow(world.member_a.pk)])
    url = reverse("participation:sessions", kwargs={"pk": world.collaborative.pk})
    client.force_login(world.advisor)
    assert "1 of 3" in client.get(url).content.decode()
    client.force_login(world.member_b)
    page = client.get(url).content.decode()
    assert "Learning session 1" in page
    assert "1 of 3" not in page


@pytest.mark.parametrize("persona", ["member_a", "state_viewer"])
def test_only_leaders_record_attendance(client, world, session, persona):
    client.force_login(getattr(world, persona))
    for name in ("participation:attendance", "participation:attendance-import",
                 "participation:attendance-template"):
        assert client.get(session_url(world, session, name)).status_code == 403
    assert client.post(session_url(world, session, "participation:attendance"),
                       {f"attended-{world.member_a.pk}": "on"}).status_code == 403
    assert not SessionAttendance.objects.exists()


def test_the_attendance_screen_lists_every_member_by_team_prefilled(client, world, session):
    session_attendance_save(period=session, recorded_by=world.advisor,
                            rows=[AttendanceRow(world.member_b.pk, hours=Decimal(2))])
    client.force_login(world.advisor)
    response = client.get(session_url(world, session, "participation:attendance"))
    teams = [(name, [(row.person.user_id, row.attended, row.hours) for row in rows])
             for _id, name, rows in response.context["teams"]]
    a_people = sorted([(world.member_a.pk, False, "6"), (world.lead_a.pk, False, "6")])
    assert teams[0][0] == "Team A"
    assert sorted(teams[0][1]) == a_people
    assert teams[1] == ("Team B", [(world.member_b.pk, True, "2")])


def test_the_attendance_screen_saves_in_one_submit(client, world, session):
    client.force_login(world.advisor)
    response = client.post(session_url(world, session, "participation:attendance"), {
        f"attended-{world.member_a.pk}": "on", f"hours-{world.member_a.pk}": "6",
        f"hours-{world.lead_a.pk}": "6",
        f"attended-{world.member_b.pk}": "on", f"hours-{world.member_b.pk}": "3.5"})
    assert response.status_code == 302
    assert recorded(session) == {"member-a": Decimal(6), "member-b": Decimal("3.5")}


def test_the_attendance_screen_names_the_row_with_bad_hours_and_saves_nothing(client, world, session):
    client.force_login(world.advisor)
    response = client.post(session_url(world, session, "participation:attendance"), {
        f"attended-{world.member_a.pk}": "on", f"hours-{world.member_a.pk}": "6",
        f"attended-{world.member_b.pk}": "on", f"hours-{world.member_b.pk}": "ten"})
    assert response.status_code == 200
    assert response.context["problems"] == 1
    page = response.content.decode()
    assert "“ten” is not a number of hours." in page
    assert f'aria-describedby="hours-{world.member_b.pk}-error"' in page
    assert not SessionAttendance.objects.exists()


def test_marking_a_whole_team_ticks_it_without_saving(client, world, session):
    client.force_login(world.advisor)
    response = client.post(session_url(world, session, "participation:attendance"), {
        "mark_team": str(world.team_a.pk), f"hours-{world.member_a.pk}": "",
        f"hours-{world.lead_a.pk}": "4"})
    rows = {row.person.user_id: (row.attended, row.hours) for _id, _n, rows in response.context["teams"]
            for row in rows}
    assert rows == {world.member_a.pk: (True, "6"), world.lead_a.pk: (True, "4"),
                    world.member_b.pk: (False, "")}
    assert "Everyone on Team A is ticked" in response.content.decode()
    assert not SessionAttendance.objects.exists()


def test_the_import_page_lists_problems_and_saves_on_a_clean_sheet(client, world, session):
    client.force_login(world.advisor)
    url = session_url(world, session, "participation:attendance-import")
    bad = SimpleUploadedFile("sheet.csv", b"email,hours\nnobody@example.org,6\n", content_type="text/csv")
    response = client.post(url, {"file": bad})
    assert response.status_code == 200
    assert "Nothing was saved" in response.content.decode()
    assert [p.line for p in response.context["problems"]] == [2]
    good = SimpleUploadedFile("sheet.csv", sheet(f"email\n{world.member_a.email}\n"), content_type="text/csv")
    assert client.post(url, {"file": good}).status_code == 302
    assert recorded(session) == {"member-a": Decimal(6)}


def test_the_template_downloads_as_csv(client, world, session):
    client.force_login(world.advisor)
    response = client.get(session_url(world, session, "participation:attendance-template"))
    assert response["Content-Type"].startswith("text/csv")
    assert world.member_a.email in response.content.decode()


@pytest.mark.parametrize("teams", [2, 15])
def test_the_attendance_screen_costs_the_same_queries_for_more_teams(
        client, world, session, teams, django_assert_num_queries):
    for _ in range(teams):
        add_team(world.collaborative, 6)
    client.force_login(world.advisor)
    client.get(session_url(world, session, "participation:attendance"))  # session, grants warm
    with django_assert_num_queries(10):
        client.get(session_url(world, session, "participation:attendance"))


@pytest.mark.parametrize("teams", [2, 15])
def test_the_session_page_costs_the_same_queries_for_more_teams(
        client, world, session, teams, django_assert_num_queries):
    for _ in range(teams):
        team = add_team(world.collaborative, 6)
        session_attendance_save(period=session, recorded_by=world.advisor,
                                rows=[AttendanceRow(m.user_id) for m in team.memberships.all()])
    client.force_login(world.advisor)
    with django_assert_num_queries(10):
        client.get(session_url(world, session))


def test_the_attendance_screen_pages_teams_for_a_large_collaborative(client, world, session):
    for number in range(26):
        add_team(world.collaborative, 1, name=f"Z team {number:02d}")
    client.force_login(world.advisor)
    response = client.get(session_url(world, session, "participation:attendance") + "?page=2")
    assert [name for _id, name, _rows in response.context["teams"]] == ["Z team 23", "Z team 24", "Z team 25"]
    assert 'action="' + session_url(world, session, "participation:attendance") + '?page=2"' in (
        response.content.decode())


# --- The timeline --------------------------------------------------------------------------

def test_the_timeline_form_saves_the_agenda_and_the_timeline_links_the_session(client, world, session):
    client.force_login(world.advisor)
    url = reverse("collaboratives:period-update",
                  kwargs={"pk": world.collaborative.pk, "period_pk": session.pk})
    response = client.post(url, {"kind": "learning_session", "number": 1, "start_date": "2026-02-01",
                                 "end_date": "2026-02-01", "hours": "6", "location": "Durham",
                                 "agenda": "9:00 Arrival\n9:30 Teams", "notes": ""})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.agenda == "9:00 Arrival\n9:30 Teams"
    client.force_login(world.member_a)
    page = client.get(world.collaborative.get_absolute_url()).content.decode()
    assert session_url(world, session) in page
    assert "9:00 Arrival<br>9:30 Teams" in page


# --- Demo data --------------------------------------------------------------------------------

def test_the_demo_records_attendance_and_groups_once_however_often_it_runs(world):
    from reports.demo.participation import seed_participation
    from teams.models import AffinityAttendance, AffinityGroup, AffinityMeeting

    for _ in range(4):
        add_team(world.collaborative, 6)
    PeriodFactory(collaborative=world.collaborative, hours=Decimal(6))
    PeriodFactory(collaborative=world.collaborative, number=2, hours=Decimal("5.5"),
                  start_date=datetime.date(2026, 5, 1), end_date=datetime.date(2026, 5, 1))
    today = datetime.date(2026, 11, 1)
    seed_participation(world.collaborative, today=today)
    counts = (SessionAttendance.objects.count(), AffinityGroup.objects.count(),
              AffinityMeeting.objects.count(), AffinityAttendance.objects.count())
    seed_participation(world.collaborative, today=today)
    assert counts == (SessionAttendance.objects.count(), AffinityGroup.objects.count(),
                      AffinityMeeting.objects.count(), AffinityAttendance.objects.count())
    assert counts[0] > 20
    assert counts[1] == 2
    assert counts[2] == 9
    assert counts[3] > 9
    assert AffinityGroup.objects.filter(coach=world.coach).exists()
    from teams.dosage import collaborative_dosage
    dosage = collaborative_dosage(world.collaborative, today=today)
    assert 1 <= sum(team.behind for team in dosage.teams.values()) < len(dosage.teams)


def test_the_demo_writes_no_attendance_before_anything_has_happened(world):
    from reports.demo.participation import seed_participation
    from teams.models import AffinityMeeting

    PeriodFactory(collaborative=world.collaborative, hours=Decimal(6))
    seed_participation(world.collaborative, today=datetime.date(2025, 12, 1))
    assert not SessionAttendance.objects.exists()
    assert not AffinityMeeting.objects.exists()


def test_a_person_not_in_the_world_is_refused_by_name(world, session):
    newcomer = UserFactory(first_name="Zed", last_name="Quill")
    with pytest.raises(ValidationError) as error:
        session_attendance_save(period=session, recorded_by=world.advisor, rows=[AttendanceRow(newcomer.pk)])
    assert error.value.messages == ["Zed Quill is not on a team of this collaborative."]


def test_an_empty_post_removes_nobody(client, world, session):
    session_attendance_save(period=session, recorded_by=world.advisor,
                            rows=[AttendanceRow(world.member_a.pk)])
    client.force_login(world.advisor)
    response = client.post(session_url(world, session, "participation:attendance"), {})
    assert response.status_code == 200
    assert "nothing was saved" in response.content.decode()
    assert recorded(session) == {"member-a": Decimal(6)}
