"""Demo data for the second collaborative, "Family Engagement Collaborative" (Virginia):
a two-way family-engagement driver diagram, four measures with monthly values from six
months before the start, PDSA cycles on its change ideas and monthly reports, so its
dashboards have something to show.

The story: Magnolia Head Start's home-language welcome calls lift the share of families who
feel welcome well past its baseline limits (the signal); Tidewater's conference times chosen
by families lift its conferences; Arlington improves slowly; Shenandoah Family Child Care has
a cycle that has stalled. Family members lead cycles on two teams; Tidewater has not yet had a
family member in any cycle.

Idempotent and deterministic: rows are found by natural keys (collaborative and title or
name, team and month, team and title), links are set to exactly the ones below, and values
come from random generators seeded by names, so a second run leaves the same rows. Rows are
written directly, like the other demo seeds (no emails, no notices).
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from collaboratives.models import ChangeIdea, Collaborative, PrimaryDriver, SecondaryDriver
from measures import aggregates
from measures.models import Measure, MeasureValue
from measures.months import add_months, month_range
from measures.services import measure_save
from pdsa.models import Cycle, CycleComment, CycleParticipant
from reports.demo.cycles import _member, _next_step
from reports.models import MonthlyReport
from reports.snapshots import team_month_snapshot
from teams.models import MemberRole, Membership, Team

# --- driver diagram ------------------------------------------------------------------------

# Each box: (title, description). primary -> [(secondary, [change ideas])]
WELCOME_CALL = "Home-language welcome call in the first two weeks"
CHOSEN_TIMES = "Family conferences at times families choose"
INTERPRETER = "Interpreter or bilingual staff booked for every conference"
MESSAGE_APP = "Two-way message app in the home language"
QUESTION = "Question of the week that goes home and comes back"
CIRCLE = "Family advisory circle"
VISITS = "Parent-led classroom visits"
PROTECTED_TIME = "Protected time in the staff schedule for family contacts"

IDEAS = {
    WELCOME_CALL: "A staff member who speaks the family's language calls each new family in its "
                  "first two weeks, to ask about the child and the family, not to give rules.",
    CHOSEN_TIMES: "Families pick the day, time and way (in person, phone, video) of their "
                  "conference, including evenings and Saturdays.",
    INTERPRETER: "When a family enrols we note its language and book an interpreter or bilingual "
                 "colleague before the conference is set, not on the day.",
    MESSAGE_APP: "A message app families already use, in their language, where a reply from the "
                 "family is the point, not a one-way newsletter.",
    QUESTION: "A short question about the child goes home each week (“What makes her laugh at "
              "home?”); answers come back by note, voice message or at pick-up.",
    CIRCLE: "Families meet with the director monthly, with food and childcare, and their advice "
            "changes at least one program decision each season.",
    VISITS: "A parent or grandparent leads a short activity in the classroom: a song, a recipe, "
            "a story or a tradition from home.",
    PROTECTED_TIME: "Thirty minutes a week in each educator's schedule for calls and messages to "
                    "families, covered by a floater, so family contacts are not unpaid work.",
}
DIAGRAM: list[tuple[tuple[str, str], list[tuple[tuple[str, str], list[str]]]]] = [
    (("Welcoming relationships with every family",
      "Every family feels known and respected from its first day."), [
        (("Families are greeted and known from the first day",
          "Staff learn about each family before they ask anything of it."),
         [WELCOME_CALL, QUESTION]),
        (("Staff speak with families in their home language",
          "Conversations happen in the language the family chooses."),
         [WELCOME_CALL, INTERPRETER]),
    ]),
    (("Two-way communication on families' terms",
      "Information flows both ways, at times and in ways that work for families."), [
        (("Conferences at times and in ways families choose",
          "Families shape when and how we meet, and what we talk about."),
         [CHOSEN_TIMES, INTERPRETER]),
        (("Everyday messages that invite a reply",
          "Short, frequent exchanges rather than notices sent home."),
         [MESSAGE_APP, QUESTION]),
    ]),
    (("Families as partners and leaders",
      "Families help decide how the program runs and what children learn."), [
        (("Families shape program decisions",
          "Family advice is asked for, used and reported back."), [CIRCLE]),
        (("Families take part in classroom learning",
          "Families' knowledge and cultures are part of the curriculum."), [VISITS]),
        (("Staff have the time and confidence to partner with families",
          "Family engagement is part of the job, planned and supported."), [PROTECTED_TIME]),
    ]),
]
# The many-to-many the diagram is meant to show: a secondary driver serving two primaries.
ALSO_SERVES = {
    "Staff speak with families in their home language": ["Two-way communication on families' terms"],
    "Staff have the time and confidence to partner with families": [
        "Welcoming relationships with every family"],
}

# --- measures ------------------------------------------------------------------------------

M = Measure
WELCOME = "Families who feel welcome"
CONFERENCE = "Families with a two-way conference in their home language this season"
EXCHANGES = "Two-way exchanges per family"
STAFF_TIME = "Staff time on family contacts outside scheduled hours"
MEASURES = [
    dict(name=WELCOME, type=M.Type.OUTCOME, unit=M.Unit.PERCENT, direction=M.Direction.UP,
         chart_kind=M.ChartKind.P, goal=Decimal("90"), baseline_length=6,
         operational_definition="Each month, in its second week, every enrolled family gets the "
         "three-question family pulse in its home language (paper, text link or read aloud at "
         "pick-up). A family counts as feeling welcome when it answers “agree” or “strongly "
         "agree” to “Staff here make me and my family feel welcome.” One answer per family; "
         "answers received by the last day of the month count.",
         numerator_definition="Families answering “agree” or “strongly agree”",
         denominator_definition="Families who answered the question this month",
         numerator_label="Families who agree", denominator_label="Families who answered"),
    dict(name=CONFERENCE, type=M.Type.OUTCOME, unit=M.Unit.PERCENT, direction=M.Direction.UP,
         chart_kind=M.ChartKind.P, goal=Decimal("90"), baseline_length=6,
         operational_definition="Families who had a two-way conference in the past three months "
         "(a rolling season, so the value does not reset each quarter), held in the family's "
         "home language directly or with an interpreter. Two-way: the family's own questions "
         "and goals are on the record, not only the child's progress. In person, phone or "
         "video all count; a note sent home does not.",
         numerator_definition="Families with a two-way conference in their home language in "
         "the past three months",
         denominator_definition="Families enrolled on the last day of the month",
         numerator_label="Families with a conference", denominator_label="Families enrolled"),
    dict(name=EXCHANGES, type=M.Type.PROCESS, unit=M.Unit.MEAN, direction=M.Direction.UP,
         chart_kind=M.ChartKind.RUN, goal=Decimal("4"), baseline_length=6,
         operational_definition="Exchanges in the month in which both a family member and a "
         "staff member took part (a message answered, a call, a question of the week returned), "
         "from the message app's log and the staff contact log, per enrolled family. One-way "
         "newsletters and reminders do not count.",
         numerator_definition="Two-way exchanges with families in the month",
         denominator_definition="Families enrolled on the last day of the month",
         numerator_label="Two-way exchanges", denominator_label="Families enrolled"),
    dict(name=STAFF_TIME, type=M.Type.BALANCING, unit=M.Unit.MEAN, direction=M.Direction.DOWN,
         chart_kind=M.ChartKind.RUN,
         operational_definition="Hours teaching staff spent on calls, messages and visits with "
         "families outside their scheduled hours, from a weekly self-report, per educator per "
         "week. It watches that more family contact does not become unpaid evening work.",
         numerator_definition="Hours on family contacts outside scheduled hours, all educators",
         denominator_definition="Educator-weeks in the month",
         numerator_label="Hours outside scheduled time", denominator_label="Educator-weeks"),
]
# Per team (in FAMILY_PROGRAMS order): families enrolled (low, high), welcome share at
# baseline, conference share at baseline, exchanges per family at baseline.
PROFILES = [
    ((78, 90), 0.64, 0.42, 1.4),  # Magnolia Head Start: the clear signal on feeling welcome
    ((55, 64), 0.71, 0.35, 1.1),  # Tidewater: conferences at chosen times take off
    ((26, 32), 0.74, 0.55, 2.2),  # Shenandoah Family Child Care: small, steady, no signal
    ((40, 48), 0.61, 0.30, 1.2),  # Arlington: slow, steady improvement
]
BASELINE_MONTHS = 6

# --- PDSA cycles ---------------------------------------------------------------------------

C = Cycle
ADMIN, EDUCATOR, STAFF, FAMILY = (MemberRole.ADMINISTRATOR, MemberRole.EDUCATOR,
                                  MemberRole.OTHER_STAFF, MemberRole.FAMILY)
# Per team: ramps of (change idea, cycles); each cycle is (title, lead role, participant
# roles, scale, status, decision, shared, months after the start, linked measures,
# prediction, what happened). Months: 0 is the first month of the collaborative.
RAMPS: dict[int, list[tuple[str, list[tuple]]]] = {
    0: [
        (WELCOME_CALL, [
            ("Welcome calls to new families in the Sunflower room", EDUCATOR, [STAFF, FAMILY],
             C.Scale.ONE_CLASSROOM, C.Status.COMPLETE, C.Decision.ADAPT, True, 0, [WELCOME],
             "We will reach 8 of the 10 new families within two weeks of enrolment.",
             "We reached 6 of 10. Three Spanish-speaking families were called in English because "
             "no Spanish speaker was free; two of them did not pick up."),
            ("Welcome calls in Spanish and Arabic by the family-support worker", STAFF,
             [EDUCATOR, FAMILY], C.Scale.SEVERAL_CLASSROOMS, C.Status.COMPLETE, C.Decision.ADOPT,
             True, 1, [WELCOME, EXCHANGES],
             "Every new family in the three preschool rooms gets a call in its language within "
             "two weeks; more families will reply on the first message after the call.",
             "19 of 20 families reached in their language; 15 answered the first message from "
             "their teacher, against 7 of 20 last spring."),
        ]),
        (CIRCLE, [
            ("First family advisory circle over breakfast", FAMILY, [ADMIN, EDUCATOR],
             C.Scale.WHOLE_PROGRAM, C.Status.COMPLETE, C.Decision.ADAPT, True, 1, [WELCOME],
             "At least 8 families come and name one change they want this season.",
             "9 parents came. They asked for an evening time and for childcare for siblings, "
             "and chose the pick-up line as the first thing to change."),
            ("Evening circle with childcare for siblings", FAMILY, [ADMIN, STAFF],
             C.Scale.WHOLE_PROGRAM, C.Status.DO, "", False, 2, [WELCOME],
             "More fathers and working parents come than to the breakfast circle.", ""),
        ]),
    ],
    1: [
        (CHOSEN_TIMES, [
            ("Offer three conference times, one of them in the evening", EDUCATOR, [ADMIN],
             C.Scale.ONE_CLASSROOM, C.Status.COMPLETE, C.Decision.ADOPT, True, 0, [CONFERENCE],
             "At least 15 of the 18 families in Room 4 hold a conference this month.",
             "17 of 18 held one; 9 chose the evening, 3 asked for a phone call instead."),
            ("Families pick their conference time by text message", ADMIN, [EDUCATOR, EDUCATOR],
             C.Scale.WHOLE_PROGRAM, C.Status.STUDY, "", True, 1, [CONFERENCE, STAFF_TIME],
             "Nine in ten families book a time within a week, without extra evening hours for "
             "staff.",
             "52 of 60 families booked within a week; two educators worked late twice."),
            ("Saturday morning conferences once a season", ADMIN, [EDUCATOR],
             C.Scale.WHOLE_PROGRAM, C.Status.PLAN, "", False, 2, [CONFERENCE, STAFF_TIME],
             "The last families who could not come on weekdays hold their conference.", ""),
        ]),
        (MESSAGE_APP, [
            ("Message app with automatic translation in one room", EDUCATOR, [STAFF],
             C.Scale.ONE_CLASSROOM, C.Status.COMPLETE, C.Decision.ABANDON, False, 0, [EXCHANGES],
             "Families who speak Vietnamese or Haitian Creole will reply to at least one message "
             "a week.",
             "The translations were wrong often enough that two families stopped replying; one "
             "father said a message about a fever read as a message about a party."),
        ]),
    ],
    2: [
        (VISITS, [
            ("A parent shares a family tradition at circle time", FAMILY, [EDUCATOR],
             C.Scale.ONE_CLASSROOM, C.Status.COMPLETE, C.Decision.ADOPT, True, 1, [WELCOME],
             "Children will talk about the visit at home, and two more families will offer to "
             "come.",
             "Four families heard about it at home the same evening; three offered to come."),
            ("Parent-led visits in two more homes of the network", FAMILY, [ADMIN, EDUCATOR],
             C.Scale.SEVERAL_CLASSROOMS, C.Status.PLAN, "", False, 2, [WELCOME],
             "Each of the two providers hosts a parent-led visit before the winter break.", ""),
        ]),
        (MESSAGE_APP, [
            # The stalled one: started, then nobody touched it (see STALLED below).
            ("Weekly photo and question to families in the app", EDUCATOR, [STAFF],
             C.Scale.ONE_CLASSROOM, C.Status.DO, "", False, 0, [EXCHANGES],
             "Half of the families answer the weekly question in the app.", ""),
        ]),
    ],
    3: [
        (INTERPRETER, [
            ("Note each family's language at enrolment and book an interpreter", ADMIN,
             [STAFF, FAMILY], C.Scale.WHOLE_PROGRAM, C.Status.COMPLETE, C.Decision.ADAPT, True,
             0, [CONFERENCE],
             "Every family who asked for an interpreter has one booked before its conference.",
             "Booked for 11 of 14; the agency had no Dari interpreter for three weeks."),
            ("Ask each family's preferred language at conference sign-up", STAFF,
             [ADMIN, EDUCATOR], C.Scale.WHOLE_PROGRAM, C.Status.PLAN, "", False, 2, [CONFERENCE],
             "We find the families whose enrolment form lists a language they do not prefer.", ""),
        ]),
        (WELCOME_CALL, [
            ("Welcome call in the family's language by the Blue room teacher", EDUCATOR,
             [FAMILY], C.Scale.ONE_CLASSROOM, C.Status.COMPLETE, C.Decision.ADOPT, False, 1,
             [WELCOME],
             "The four new families say at the first pick-up that they feel welcome.",
             "All four did; one mother asked to help call the next new family in Amharic."),
        ]),
    ],
}
STALLED = (2, "Weekly photo and question to families in the app")
STALLED_DAYS = 38  # over five weeks: the dashboard flags four
ADVISOR_COMMENT = ("Great to see a family member leading this. Could the next circle report "
                   "back on the pick-up line, so families see their advice was used?")

# --- monthly reports -----------------------------------------------------------------------

# Per team: advisor's score in the first month, and months per half step up.
SCORE_START = [Decimal("2.0"), Decimal("1.5"), Decimal("1.5"), Decimal("2.0")]
SCORE_PACE = [1, 2, 3, 2]
OPTIMISTIC = 1  # Tidewater scores itself a full point above its advisor
# Per team, per month since the start: (successes, challenges, next steps, supports needed).
WORDS = [
    [("Welcome calls started in the Sunflower room.",
      "No Spanish speaker free for some calls.",
      "Move the calls to our family-support worker.",
      "Ideas for reaching families who do not answer unknown numbers."),
     ("Calls in Spanish and Arabic reached 19 of 20 new families; the first family circle met.",
      "Finding an evening time the staff can also make.",
      "Evening circle with childcare; spread the calls to all rooms.",
      "")],
    [("Room 4 held 17 of 18 conferences by offering an evening time.",
      "The translation app did more harm than good.",
      "Let families book their own times by text.",
      "A list of interpreters other teams use."),
     ("52 of 60 families booked their conference within a week.",
      "Two educators stayed late twice; we are watching staff time.",
      "Try a Saturday morning once a season.",
      "Advice on covering classrooms during conferences.")],
    [("A grandmother taught the children a song from home.",
      "Only two providers came to the team meeting.",
      "Invite parents into two more homes.",
      "A coach visit to restart our message test."),
     ("Three families offered to lead a visit.",
      "Our message test stopped when the provider was out sick.",
      "Decide whether to restart or drop the weekly photo.",
      "Help planning meetings that fit providers' hours.")],
    [("Interpreters booked for 11 of 14 families who asked.",
      "No Dari interpreter for three weeks.",
      "Ask families' preferred language at sign-up.",
      "Contacts for Dari and Amharic interpreters."),
     ("All four new families in the Blue room felt welcome after the call.",
      "The enrolment form's language question is confusing.",
      "Rewrite the question with families from the circle.",
      "")],
]
FEEDBACK = "Thank you. Bring the chart of families who feel welcome to the next coaching call."


def seed_family(collaborative: Collaborative, teams: list[Team], advisor: AbstractBaseUser, *,
                today: datetime.date) -> None:
    """The Family Engagement Collaborative's framework, measures and values, cycles and
    reports. ``teams`` in FAMILY_PROGRAMS order; ``advisor`` reviews the reports."""
    _seed_diagram(collaborative)
    measures = _seed_measures(collaborative)
    _seed_values(collaborative, teams, measures, today)
    ideas = {idea.title: idea for idea in ChangeIdea.objects.filter(collaborative=collaborative)}
    for index, team in enumerate(teams):
        _seed_team_cycles(team, index, ideas, measures, collaborative.start_date, today)
    _seed_comment(teams, advisor)
    _seed_reports(collaborative, teams, advisor, today)


def _seed_diagram(collaborative: Collaborative) -> None:
    primaries: dict[str, PrimaryDriver] = {}
    secondaries: dict[str, SecondaryDriver] = {}
    idea_parents: dict[str, list[SecondaryDriver]] = {}
    for (title, description), _rows in DIAGRAM:
        primaries[title] = _box(PrimaryDriver, collaborative, title, description, len(primaries))
    for (primary_title, _description), secondary_rows in DIAGRAM:
        for (title, description), ideas in secondary_rows:
            secondary = _box(SecondaryDriver, collaborative, title, description, len(secondaries))
            secondaries[title] = secondary
            parents = [primary_title, *ALSO_SERVES.get(title, [])]
            secondary.primary_drivers.set([primaries[parent] for parent in parents])
            for idea in ideas:
                idea_parents.setdefault(idea, []).append(secondary)
    for order, (title, parents) in enumerate(idea_parents.items()):
        idea = _box(ChangeIdea, collaborative, title, IDEAS[title], order)
        idea.secondary_drivers.set(parents)


def _box(model: type, collaborative: Collaborative, title: str, description: str,
         order: int) -> PrimaryDriver | SecondaryDriver | ChangeIdea:
    box, _created = model.objects.update_or_create(
        collaborative=collaborative, title=title,
        defaults={"description": description, "order": order})
    return box


def _seed_measures(collaborative: Collaborative) -> dict[str, Measure]:
    measures = {}
    for order, fields in enumerate(MEASURES):
        measure = Measure.objects.filter(collaborative=collaborative, name=fields["name"]).first()
        measures[fields["name"]] = measure_save(
            measure=measure or Measure(collaborative=collaborative), order=order, **fields)
    return measures


def _seed_values(collaborative: Collaborative, teams: list[Team], measures: dict[str, Measure],
                 today: datetime.date) -> None:
    """From six months before the start (pre-work baseline) through last month."""
    start = collaborative.start_date.replace(day=1)
    last = min(add_months(today.replace(day=1), -1), collaborative.end_date.replace(day=1))
    months = month_range(add_months(start, -BASELINE_MONTHS), last)
    wanted: dict[tuple[int, int, datetime.date], tuple[Decimal, Decimal]] = {}
    for index, team in enumerate(teams):
        profile = PROFILES[index % len(PROFILES)]
        for measure in measures.values():
            # Seeded by names, not ids: the same numbers whatever ids the database hands out.
            rng = random.Random(f"{team.name}-{measure.name}")
            for month in months:
                since = (month.year - start.year) * 12 + month.month - start.month  # <0: baseline
                wanted[(team.pk, measure.pk, month)] = _value(measure.name, index, profile,
                                                              month, since, rng)
    existing = {(v.team_id, v.measure_id, v.month): v for v in MeasureValue.objects.filter(
        team__in=teams, measure__in=measures.values(), stratum=None)}
    create, update = [], []
    for (team_id, measure_id, month), (numerator, denominator) in wanted.items():
        value = existing.get((team_id, measure_id, month))
        if value is None:
            create.append(MeasureValue(team_id=team_id, measure_id=measure_id, month=month,
                                       numerator=numerator, denominator=denominator))
        elif (value.numerator, value.denominator) != (numerator, denominator):
            value.numerator, value.denominator = numerator, denominator
            update.append(value)
    MeasureValue.objects.bulk_create(create, batch_size=1000)
    MeasureValue.objects.bulk_update(update, ["numerator", "denominator"], batch_size=1000)
    # Bulk writes send no signals: forget the cached figures by hand.
    aggregates.forget_collaborative(collaborative.pk)


def _value(name: str, index: int, profile: tuple, month: datetime.date, since: int,
           rng: random.Random) -> tuple[Decimal, Decimal]:
    """One month's numerator and denominator, shaped by the team's part in the story."""
    (low, high), welcome, conference, exchanges = profile
    enrolled = rng.randint(low, high)
    summer = month.month in (7, 8)  # fewer families around, fewer conferences
    if name == WELCOME:
        answered = round(enrolled * rng.uniform(0.6, 0.75))
        if since >= 0 and index == 0:
            welcome = min(0.93, welcome + 0.14 * (since + 1))  # welcome calls in every room
        elif since >= 0 and index == 3:
            welcome = min(0.85, welcome + 0.04 * (since + 1))
        return Decimal(_binomial(rng, answered, welcome)), Decimal(answered)
    if name == CONFERENCE:
        share = conference - (0.08 if summer else 0)
        if since >= 0 and index == 1:
            share = min(0.92, conference + 0.15 * (since + 1))  # times families choose
        elif since >= 0 and index in (0, 3):
            share = min(0.85, conference + 0.06 * (since + 1))
        return Decimal(_binomial(rng, enrolled, share)), Decimal(enrolled)
    if name == EXCHANGES:
        mean = exchanges - (0.3 if summer else 0)
        if since >= 0 and index in (0, 1, 3):
            mean += min(1.8, 0.4 * (since + 1))
        mean += rng.uniform(-0.25, 0.25)
        return Decimal(round(mean * enrolled)), Decimal(enrolled)
    educator_weeks = rng.randint(14, 22) if index != 2 else rng.randint(6, 9)
    hours = 0.6 + (0.15 if since >= 0 and index in (0, 1) else 0) + rng.uniform(-0.15, 0.15)
    return Decimal(str(round(hours * educator_weeks, 1))), Decimal(educator_weeks)


def _binomial(rng: random.Random, trials: int, share: float) -> int:
    return sum(rng.random() < share for _ in range(trials))


def _seed_team_cycles(team: Team, index: int, ideas: dict[str, ChangeIdea],
                      measures: dict[str, Measure], start: datetime.date,
                      today: datetime.date) -> None:
    members = list(team.memberships.select_related("user").order_by("pk"))
    for idea_title, cycles in RAMPS.get(index, []):
        previous = None
        for number, spec in enumerate(cycles, start=1):
            planned = add_months(start.replace(day=1), spec[7])
            if planned > today:
                break  # not yet: a demo run before the collaborative reaches this month
            previous = _cycle(team, members, ideas[idea_title], previous, number, spec,
                              measures, planned, today)
    stalled_team, stalled_title = STALLED
    if index == stalled_team:
        moment = timezone.now() - datetime.timedelta(days=STALLED_DAYS)
        Cycle.objects.filter(team=team, title=stalled_title, created_at__lte=moment).update(
            updated_at=moment)


def _cycle(team: Team, members: list[Membership], idea: ChangeIdea, previous: Cycle | None,
           number: int, spec: tuple, measures: dict[str, Measure], planned: datetime.date,
           today: datetime.date) -> Cycle:
    (title, role, with_roles, scale, status, decision, shared, _month, linked, prediction,
     result) = spec
    lead = _member(team, role)
    studied = status in (C.Status.STUDY, C.Status.ACT, C.Status.COMPLETE)
    # Done on the 21st: a month's tests then finish after an October learning session.
    done_on = min(planned + datetime.timedelta(days=20), today) if studied else None
    complete = status == C.Status.COMPLETE
    cycle, _created = Cycle.objects.update_or_create(team=team, title=title, defaults={
        "change_idea": idea, "follows": previous, "number": number, "scale": scale,
        "status": status, "decision": decision, "is_shared": shared,
        "objective": f"Test “{idea.title}” at the scale of {C.Scale(scale).label.lower()}.",
        "questions": "Will families take part? What does it cost staff in time?",
        "prediction": prediction, "plan_what": title,
        "plan_who": str(MemberRole(role).label), "plan_when": "Over two weeks",
        "planned_start": planned,
        "data_collection_plan": "A contact log kept by the lead, and the families' own words "
                                "written down the same day.",
        "do_what_happened": result if studied else "",
        "done_on": done_on,
        "study_summary": result if complete else "",
        "study_learned": result if complete else "",
        "next_step": _next_step(decision),
        "lead": lead.user if lead else None, "lead_role": lead.role if lead else "",
        "completed_at": _moment(done_on, 16) if complete else None,
        "created_by": lead.user if lead else None,
    })
    # Started when planned, whenever the seed ran: the dashboard counts cycles by start.
    Cycle.objects.filter(pk=cycle.pk).update(created_at=_moment(planned, 9))
    cycle.measures.set([measures[name] for name in linked])
    _set_participants(cycle, members, lead, with_roles)
    return cycle


def _set_participants(cycle: Cycle, members: list[Membership], lead: Membership | None,
                      roles: list[str]) -> None:
    """The first members of each wanted role (the lead apart), and nobody else."""
    chosen: list[Membership] = []
    for role in roles:
        match = next((m for m in members if m.role == role and m != lead and m not in chosen), None)
        if match is not None:
            chosen.append(match)
    CycleParticipant.objects.filter(cycle=cycle).exclude(
        user__in=[member.user for member in chosen]).delete()
    for member in chosen:
        CycleParticipant.objects.update_or_create(cycle=cycle, user=member.user,
                                                  defaults={"role": member.role})


def _seed_comment(teams: list[Team], advisor: AbstractBaseUser) -> None:
    circle = Cycle.objects.filter(team__in=teams[:1],
                                  title="First family advisory circle over breakfast").first()
    if circle is not None:
        CycleComment.objects.get_or_create(cycle=circle, author=advisor, body=ADVISOR_COMMENT,
                                           defaults={"notified_at": timezone.now()})


def _seed_reports(collaborative: Collaborative, teams: list[Team], advisor: AbstractBaseUser,
                  today: datetime.date) -> None:
    """Every month since the start through last month: reviewed, except last month's reports
    of every other team, which wait for the advisor."""
    start = collaborative.start_date.replace(day=1)
    last = min(add_months(today.replace(day=1), -1), collaborative.end_date.replace(day=1))
    months = month_range(start, last) if start <= last else []
    now = timezone.now()
    for index, team in enumerate(teams):
        submitter = team.memberships.order_by("-is_lead", "pk").first()
        for position, month in enumerate(months):
            advisor_score = min(SCORE_START[index % 4]
                                + Decimal("0.5") * (position // SCORE_PACE[index % 4]),
                                Decimal("4.5"))
            # Tidewater a point above its advisor; Magnolia half a point once it sees results.
            lift = (Decimal("1.0") if index == OPTIMISTIC
                    else Decimal("0.5") if index == 0 and position > 0 else Decimal("0"))
            self_score = min(advisor_score + lift, Decimal("5.0"))
            words = WORDS[index % 4][min(position, 1)]
            built = _moment(add_months(month, 1), 6)
            submitted = min(built + datetime.timedelta(days=4), now)
            waiting = position == len(months) - 1 and index % 2 == 1
            fields = {
                "successes": words[0], "challenges": words[1], "next_steps": words[2],
                "supports_needed": words[3], "self_score": self_score,
                "submitted_at": submitted, "submitted_by": submitter.user if submitter else None,
                "ready_notified_at": built, "built_at": built,
            }
            if waiting:
                fields |= {"status": MonthlyReport.Status.SUBMITTED, "advisor_score": None,
                           "feedback": "", "reviewed_at": None, "reviewed_by": None}
            else:
                fields |= {"status": MonthlyReport.Status.REVIEWED, "advisor_score": advisor_score,
                           "feedback": FEEDBACK, "reviewed_by": advisor,
                           "reviewed_at": min(submitted + datetime.timedelta(days=3), now)}
            report, _created = MonthlyReport.objects.update_or_create(team=team, month=month,
                                                                      defaults=fields)
            report.snapshot = team_month_snapshot(team, month)
            report.save(update_fields=["snapshot"])


def _moment(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
