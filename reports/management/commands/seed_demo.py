"""Demo data: two collaboratives in two states, cross-role teams and the demo logins.

Idempotent: every row is found by its natural key and updated, so running it twice leaves
the same data. ``--teams`` and ``--months`` scale it for benchmarks.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from collaboratives.language import language_save
from collaboratives.models import Collaborative, CollaborativeRole, Period, StateViewerRole
from collaboratives.packages import FRAMEWORK, MEASURES, SOCIAL_EMOTIONAL_LEARNING
from collaboratives.services import advisor_group_ensure
from measures.packages import collaborative_copy_from
from reports.demo.attachments import seed_attachments
from reports.demo.cycles import seed_cycles
from reports.demo.evaluations import seed_evaluations
from reports.demo.events import seed_events
from reports.demo.family import seed_family
from reports.demo.framework import seed_framework
from reports.demo.measures import seed_measures
from reports.demo.pareto import seed_pareto
from reports.demo.participation import seed_participation
from reports.demo.pd_offerings import seed_pd_offerings
from reports.demo.phases import seed_phases
from reports.demo.reports import seed_reports
from reports.demo.spanish import seed_spanish_cycle
from teams.models import MemberRole, Membership, Organization, Team

PASSWORD = "bsc-demo-2026"
START = datetime.date(2026, 3, 1)

SEL_AIM = (
    "By June 2027, 80% of participating classrooms use Pyramid Model practices with "
    "fidelity, and exclusionary discipline (suspensions, expulsions, early pick-ups) falls "
    "by half, with no group of children excluded at a higher rate than others."
)
SEL_AIM_ES = (
    "Para junio de 2027, el 80 % de los salones participantes aplica con fidelidad las "
    "prácticas del Modelo Pirámide, y la disciplina de exclusión (suspensiones, expulsiones, "
    "salidas tempranas) baja a la mitad, sin que ningún grupo de niños sea excluido más que "
    "otros."
)
FAMILY_AIM_ES = (
    "Para diciembre de 2027, cada programa participante tiene cada temporada una reunión de "
    "ida y vuelta con cada familia en el idioma de su hogar, y el 90 % de las familias dice "
    "que se siente bienvenida."
)
FAMILY_AIM = (
    "By December 2027, every participating program holds a two-way family conference each "
    "season in the family's home language, and 90% of families say they feel welcome."
)

K = Organization.Kind
F = Organization.FundingStream
SEL_PROGRAMS = [
    ("Sunrise Early Learning Center", K.CHILD_CARE_CENTER, "Raleigh", [F.CCDF, F.PRIVATE_TUITION]),
    ("Little Oaks Head Start", K.HEAD_START, "Durham", [F.HEAD_START, F.CACFP]),
    ("Cedar Street NC Pre-K", K.STATE_PRE_K, "Greensboro", [F.STATE_PRE_K]),
    ("Blue Ridge Family Child Care Network", K.FAMILY_CHILD_CARE, "Asheville", [F.CCDF, F.CACFP]),
    ("Riverside Children's Center", K.CHILD_CARE_CENTER, "Wilmington", [F.CCDF]),
    ("Piedmont Early Head Start", K.HEAD_START, "Winston-Salem", [F.HEAD_START, F.IDEA]),
    ("Harbor Kids Academy", K.CHILD_CARE_CENTER, "Charlotte", [F.PRIVATE_TUITION, F.CCDF]),
    ("Sandhills Learning Tree", K.CHILD_CARE_CENTER, "Fayetteville", [F.CCDF, F.CACFP]),
]
FAMILY_PROGRAMS = [
    ("Magnolia Head Start", K.HEAD_START, "Richmond", [F.HEAD_START]),
    ("Tidewater Pre-K Partnership", K.STATE_PRE_K, "Norfolk", [F.STATE_PRE_K]),
    ("Shenandoah Family Child Care", K.FAMILY_CHILD_CARE, "Harrisonburg", [F.CCDF]),
    ("Arlington Community Preschool", K.CHILD_CARE_CENTER, "Arlington", [F.PRIVATE_TUITION]),
]
FIRST = ["Maria", "James", "Aisha", "Wei", "Carmen", "Tyrone", "Priya", "Luis", "Grace",
         "Daniel", "Fatima", "Hannah", "Jorge", "Keisha", "Minh", "Rosa", "Samuel", "Yolanda"]
LAST = ["Garcia", "Johnson", "Nguyen", "Williams", "Brown", "Lopez", "Davis", "Patel",
        "Martinez", "Jackson", "Kim", "Thomas", "Hernandez", "Moore", "Lee", "Walker"]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    description: str


class Command(BaseCommand):
    help = "Load demo collaboratives, teams and logins (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--teams", type=int, default=8,
                            help="Teams in the first collaborative (at least 2; default 8).")
        parser.add_argument("--months", type=int, default=16,
                            help="Length of the first collaborative in months (6–60; default 16).")

    def handle(self, *args: object, teams: int, months: int, **options: object) -> None:
        if teams < 2:
            raise CommandError("--teams must be at least 2 (the demo needs team A and team B).")
        if not 6 <= months <= 60:
            raise CommandError("--months must be between 6 and 60.")
        self.password_hash = make_password(PASSWORD)  # hashed once: fast at --teams 100
        with transaction.atomic():
            logins = self.seed(teams=teams, months=months)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at /accounts/login/ with:"))
        for login in logins:
            self.stdout.write(f"  {login.username:<10} {PASSWORD}   {login.description}")

    def seed(self, *, teams: int, months: int) -> list[DemoLogin]:
        advisors = advisor_group_ensure()
        advisor = self.person("advisor", "Renee", "Alvarez", staff=False)
        advisor.groups.add(advisors)
        coach = self.person("coach", "Marcus", "Bell")
        state = self.person("state", "Olivia", "Chen")
        advisor_2 = self.person("advisor-2", "Samira", "Haddad")
        advisor_2.groups.add(advisors)
        self.person("admin", "Site", "Administrator", staff=True)

        sel = self.collaborative(
            name="Growing Together: Social-Emotional Learning Collaborative",
            topic="Children's social-emotional learning (Pyramid Model), with racial justice "
                  "and cultural responsiveness", state="NC", months=months, aim=SEL_AIM, aim_es=SEL_AIM_ES,
            # The collaborative ends in June 2027 whatever its length, so a longer one has
            # started earlier and has more months of data (what --months is for).
            start=_add_months(START, 16 - months),
        )
        self.role(sel, advisor, CollaborativeRole.Role.ADVISOR)
        self.role(sel, coach, CollaborativeRole.Role.COACH)
        StateViewerRole.objects.get_or_create(user=state, state="NC")
        family = self.collaborative(
            name="Family Engagement Collaborative", topic="Two-way family engagement",
            state="VA", months=15, aim=FAMILY_AIM, aim_es=FAMILY_AIM_ES, start=datetime.date(2026, 9, 1),
        )
        self.role(family, advisor_2, CollaborativeRole.Role.ADVISOR)

        member_a = self.person("member-a", "Ana", "Flores")
        member_b = self.person("member-b", "Brandon", "Okafor")
        # A Spanish-speaking family member: her pages and emails are in Spanish.
        member_es = self.person("member-es", "Lucía", "Ramírez")
        language_save(user=member_es, language="es")
        sel_teams = [self.team(sel, index, program)
                     for index, program in enumerate(self.programs(SEL_PROGRAMS, teams, "NC"))]
        for index, team in enumerate(sel_teams):
            # The fourth team has no family member yet, so the composition check shows.
            self.staff_team(team, index, with_family=index != 3)
        self.membership(sel_teams[0], member_a, MemberRole.EDUCATOR, lead=False)
        self.membership(sel_teams[1], member_b, MemberRole.FAMILY, lead=False)
        self.membership(sel_teams[2 % len(sel_teams)], member_es, MemberRole.FAMILY, lead=False)
        # Started from the built-in change package, as an advisor would (its history says
        # so); the seeds below keep the demo as its tests expect, and a second run copies
        # nothing.
        if not sel.change_ideas.exists() and not sel.measures.exists():
            collaborative_copy_from(target=sel, package=SOCIAL_EMOTIONAL_LEARNING,
                                    parts={FRAMEWORK, MEASURES}, copied_by=advisor)
        seed_framework(sel)
        seed_measures(sel, sel_teams, today=timezone.localdate())
        # Expulsions and suspensions, recorded with their dates (a g chart per team).
        seed_events(sel, sel_teams, today=timezone.localdate())
        # A new phase of team A's fidelity chart (and the pooled one) where its shift starts.
        seed_phases(sel, sel_teams)
        seed_cycles(sel, sel_teams, today=timezone.localdate())
        # A photo of the visual schedule and a PDF sign-in sheet on one of team A's cycles.
        seed_attachments(sel_teams)
        seed_spanish_cycle(sel, sel_teams[2 % len(sel_teams)], member_es,
                           today=timezone.localdate())
        seed_reports(sel, sel_teams, advisor, today=timezone.localdate())
        # One tally of reasons for early pick-ups per team, over the last full month.
        seed_pareto(sel_teams, end=timezone.localdate().replace(day=1) - datetime.timedelta(days=1))
        seed_participation(sel, today=timezone.localdate())
        seed_evaluations(sel, today=timezone.localdate())
        family_teams = [self.team(family, index, program)
                        for index, program in enumerate(FAMILY_PROGRAMS)]
        for index, team in enumerate(family_teams):
            self.staff_team(team, index + 100, with_family=True)
        seed_family(family, family_teams, advisor_2, today=timezone.localdate())
        seed_participation(family, today=timezone.localdate())
        seed_evaluations(family, today=timezone.localdate())
        seed_pd_offerings()
        return [
            DemoLogin("advisor", f"improvement advisor of “{sel.name}”"),
            DemoLogin("coach", "coach of the same collaborative"),
            DemoLogin("state", "state viewer for North Carolina (read-only)"),
            DemoLogin("member-a", f"educator on team A, {sel_teams[0].name}"),
            DemoLogin("member-b", f"family member on team B, {sel_teams[1].name}"),
            DemoLogin("member-es", f"family member in Spanish on {sel_teams[2 % len(sel_teams)].name}"),
            DemoLogin("advisor-2", f"improvement advisor of “{family.name}” (Virginia)"),
            DemoLogin("admin", "site administrator (Django admin at /admin/)"),
        ]

    # --- building blocks --------------------------------------------------------------

    def person(self, username: str, first: str, last: str, *, staff: bool = False):
        user, _created = get_user_model().objects.update_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "is_active": True,
                      "email": f"{username}@example.org", "is_staff": staff,
                      "is_superuser": staff},
            create_defaults={"first_name": first, "last_name": last, "is_active": True,
                             "email": f"{username}@example.org", "is_staff": staff,
                             "is_superuser": staff, "password": self.password_hash},
        )
        return user

    def role(self, collaborative: Collaborative, user, role: str) -> None:
        CollaborativeRole.objects.update_or_create(
            collaborative=collaborative, user=user, defaults={"role": role}
        )

    def collaborative(self, *, name: str, topic: str, state: str, months: int, aim: str,
                      aim_es: str = "", start: datetime.date = START) -> Collaborative:
        end = _add_months(start, months) - datetime.timedelta(days=1)
        collaborative, _created = Collaborative.objects.update_or_create(
            name=name,
            defaults={"topic": topic, "state": state, "start_date": start, "end_date": end,
                      "status": Collaborative.Status.ACTIVE, "aim_statement": aim,
                      "aim_statement_es": aim_es,
                      "aim_target_date": end},
        )
        kept = []
        for kind, number, first, last, hours in _timeline(start, end):
            period, _created = Period.objects.update_or_create(
                collaborative=collaborative, kind=kind, number=number,
                defaults={"start_date": first, "end_date": last, "hours": hours,
                          "location": "Virtual" if number == 2 else ""},
            )
            kept.append(period.pk)
        collaborative.periods.exclude(pk__in=kept).delete()
        return collaborative

    def programs(self, named: list[tuple], count: int, state: str) -> list[tuple]:
        kinds = [K.CHILD_CARE_CENTER, K.HEAD_START, K.STATE_PRE_K, K.FAMILY_CHILD_CARE]
        extra = [(f"Demo Program {n:03d}", kinds[n % 4], "Raleigh", [F.CCDF])
                 for n in range(len(named) + 1, count + 1)]
        return [(*program, state) for program in (named + extra)[:count]]

    def team(self, collaborative: Collaborative, index: int, program: tuple) -> Team:
        name, kind, city, funding, *state = program
        organization, _created = Organization.objects.update_or_create(
            name=name, city=city, state=state[0] if state else collaborative.state,
            defaults={"kind": kind, "funding_streams": list(funding)},
        )
        team, _created = Team.objects.update_or_create(
            collaborative=collaborative, organization=organization, defaults={"name": name}
        )
        return team

    def staff_team(self, team: Team, index: int, *, with_family: bool) -> None:
        roles = [MemberRole.ADMINISTRATOR, MemberRole.EDUCATOR, MemberRole.EDUCATOR,
                 MemberRole.OTHER_STAFF]
        if index % 2:
            roles.append(MemberRole.EDUCATOR)
        if with_family:
            roles.append(MemberRole.FAMILY)
        slug = slugify(team.name)[:24]
        for number, role in enumerate(roles):
            seed = index * 7 + number
            user = self.person(f"{slug}-{number + 1}", FIRST[seed % len(FIRST)],
                               LAST[(seed * 5 + index) % len(LAST)])
            self.membership(team, user, role, lead=number == 0)

    def membership(self, team: Team, user, role: str, *, lead: bool) -> None:
        Membership.objects.update_or_create(team=team, user=user,
                                            defaults={"role": role, "is_lead": lead})


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1, day=1)


def _timeline(start: datetime.date, end: datetime.date) -> list[tuple]:
    """Pre-work, three learning sessions each followed by an action period, closing:
    spread over the collaborative in the proportions of a typical BSC year."""
    span = (end - start).days
    prework_end = start + datetime.timedelta(days=span // 10)
    closing_start = end - datetime.timedelta(days=max(span // 20, 14))
    action_days = (closing_start - prework_end).days // 3
    rows = [(Period.Kind.PREWORK, None, start, prework_end, None)]
    day = prework_end + datetime.timedelta(days=1)
    for number in (1, 2, 3):
        rows.append((Period.Kind.LEARNING_SESSION, number, day, day, 6 if number != 2 else 5.5))
        action_end = (closing_start - datetime.timedelta(days=1) if number == 3
                      else day + datetime.timedelta(days=action_days))
        rows.append((Period.Kind.ACTION_PERIOD, number, day + datetime.timedelta(days=1),
                     action_end, None))
        day = action_end + datetime.timedelta(days=1)
    rows.append((Period.Kind.CLOSING, None, closing_start, end, None))
    return rows
