"""Demo PDSA cycles: ramps of tests on the demo change ideas, led by people in every role
(educators, family members, other staff, directors), some shared with the collaborative,
some still private, some still running, plus a coach's comment.

Idempotent: each cycle is found by its team and title and updated, so running it twice
leaves the same cycles. Rows are written directly, like the other demo seeds, so a demo
someone has edited is put back as it was.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from collaboratives.models import ChangeIdea, Collaborative, CollaborativeRole
from measures.models import Measure
from pdsa.models import Cycle, CycleComment, CycleParticipant
from teams.models import MemberRole, Membership, Team

C = Cycle
ADMIN, EDUCATOR, STAFF, FAMILY = (MemberRole.ADMINISTRATOR, MemberRole.EDUCATOR,
                                  MemberRole.OTHER_STAFF, MemberRole.FAMILY)
FIDELITY = "Classrooms implementing with fidelity"
FAMILY_CONTACTS = "Positive family contacts"
EXCLUSIONS = "Exclusionary discipline rate"
WELL_BEING = "Staff well-being"

# A ramp: change idea, then its cycles in order as (title, lead role, scale, status,
# decision, shared, month done after the collaborative's start, linked measures, texts).
RAMPS: dict[int, list[tuple[str, list[tuple]]]] = {
    0: [
        ("Visual schedules", [
            ("Picture schedule for one child at arrival", EDUCATOR, C.Scale.ONE_CHILD,
             C.Status.COMPLETE, C.Decision.ADAPT, True, 2, [FIDELITY],
             "He will ask “when is mom coming?” fewer than 3 times a morning.",
             "Twice a morning by day 4; the pictures were too small to see from the rug."),
            ("Bigger pictures for the whole Butterflies room", EDUCATOR, C.Scale.ONE_CLASSROOM,
             C.Status.COMPLETE, C.Decision.ADAPT, True, 3, [FIDELITY, EXCLUSIONS],
             "Transitions to outdoor time take under 5 minutes on 4 of 5 days.",
             "4 of 5 days, but the afternoon schedule was never updated."),
            ("Schedules in every preschool room", ADMIN, C.Scale.SEVERAL_CLASSROOMS,
             C.Status.COMPLETE, C.Decision.ADOPT, True, 5, [FIDELITY, EXCLUSIONS],
             "All four rooms post and use a schedule; early pick-ups for transitions fall.",
             "All four rooms used it every day; no transition-related pick-ups in May."),
        ]),
        ("Weekly positive note or call home", [
            ("A positive note in the cubby on Fridays", FAMILY, C.Scale.ONE_CLASSROOM,
             C.Status.COMPLETE, C.Decision.ADOPT, False, 4, [FAMILY_CONTACTS],
             "Most families will mention the note at pick-up.",
             "11 of 14 families mentioned it; two asked for notes in Spanish."),
        ]),
        ("Feelings check-in", [
            ("Feelings chart at morning meeting", EDUCATOR, C.Scale.ONE_CLASSROOM,
             C.Status.DO, "", False, None, [],
             "Children will name a feeling with a picture on most mornings.", ""),
        ]),
    ],
    1: [
        ("Visual schedules", [
            ("Schedule cards at home and at school", FAMILY, C.Scale.ONE_CHILD,
             C.Status.COMPLETE, C.Decision.ABANDON, True, 3, [],
             "Bedtime and drop-off go more smoothly with the same cards in both places.",
             "The cards got lost at home in the first week; drop-off did not change."),
        ]),
        ("Family conference instead of early pick-up", [
            ("Call a family meeting before any early pick-up", STAFF, C.Scale.ONE_CLASSROOM,
             C.Status.COMPLETE, C.Decision.ADAPT, True, 4, [EXCLUSIONS],
             "No early pick-ups in the Toddler room this month.",
             "One early pick-up; meetings worked when held within two days."),
            ("Meet within two days, in the family's language", STAFF,
             C.Scale.SEVERAL_CLASSROOMS, C.Status.STUDY, "", False, 6, [EXCLUSIONS],
             "Meetings held within two days for every incident.",
             "Four meetings held, three within two days; an interpreter joined two."),
        ]),
    ],
    2: [
        ("Staff recognition board", [
            ("Shout-out board in the staff room", STAFF, C.Scale.WHOLE_PROGRAM,
             C.Status.COMPLETE, C.Decision.ADOPT, True, 3, [WELL_BEING],
             "At least 10 shout-outs a week; pulse-survey scores rise.",
             "14 a week on average; the pulse survey went from 3.1 to 3.5."),
        ]),
        ("Visual schedules", [
            ("Visual schedule in the Pre-K room", EDUCATOR, C.Scale.ONE_CLASSROOM,
             C.Status.COMPLETE, C.Decision.ADOPT, True, 4, [FIDELITY],
             "Fewer prompts needed at clean-up.", "Prompts at clean-up halved."),
        ]),
    ],
    3: [
        ("Daily one-to-one “connection time”", [
            ("Five minutes with one child each day", EDUCATOR, C.Scale.ONE_CHILD,
             C.Status.COMPLETE, C.Decision.ADAPT, False, 5, [EXCLUSIONS],
             "Fewer incidents for the child after two weeks.",
             "Incidents fell from 6 to 3; the time slot before nap did not work."),
            ("Connection time after breakfast for three children", ADMIN, C.Scale.ONE_CLASSROOM,
             C.Status.PLAN, "", False, None, [EXCLUSIONS],
             "Each of the three children has fewer incidents than last month.", ""),
        ]),
    ],
}
# Teams past the first four each adopt one change, so the spread counts look like a cohort.
OTHER_TEAMS = ("Feelings check-in", [
    ("Feelings check-in at arrival", EDUCATOR, C.Scale.ONE_CLASSROOM, C.Status.COMPLETE,
     C.Decision.ADOPT, True, 5, [],
     "Children will use the feelings chart without a prompt by week 3.",
     "Most children used it by week 2."),
])
COACH_COMMENT = ("Lovely adaptation. Could the afternoon schedule be updated by the aide at "
                 "nap time, so it is ready when children wake up?")


def seed_cycles(collaborative: Collaborative, teams: list[Team], today: datetime.date) -> None:
    measures = {m.name: m for m in Measure.objects.filter(collaborative=collaborative)}
    for index, team in enumerate(teams):
        for idea_title, cycles in RAMPS.get(index, [OTHER_TEAMS]):
            idea, _created = ChangeIdea.objects.get_or_create(collaborative=collaborative,
                                                              title=idea_title)
            previous = None
            for number, spec in enumerate(cycles, start=1):
                previous = _cycle(team, idea, previous, number, spec, measures,
                                  collaborative.start_date, today)
    coach = CollaborativeRole.objects.filter(collaborative=collaborative,
                                             role=CollaborativeRole.Role.COACH).first()
    commented = Cycle.objects.filter(team=teams[0],
                                     title=RAMPS[0][0][1][1][0]).first() if teams else None
    if coach is not None and commented is not None:
        CycleComment.objects.get_or_create(cycle=commented, author=coach.user, body=COACH_COMMENT,
                                           defaults={"notified_at": timezone.now()})


# What the team learned, by what they then decided: every cycle past Study says it, as the
# stage pages require.
LEARNED = {
    "adopt": "It worked as we predicted, and it fits our day: we keep it.",
    "adapt": "It helped, but not for everyone: we change it and test again.",
    "abandon": "It cost more than it gave here: we stop and try another idea.",
}


def _cycle(team: Team, idea: ChangeIdea, previous: Cycle | None, number: int, spec: tuple,
           measures: dict[str, Measure], start: datetime.date, today: datetime.date) -> Cycle:
    (title, role, scale, status, decision, shared, month, linked, prediction, result) = spec
    lead = _member(team, role)
    done_on = None
    if month is not None:
        done_on = min(_month(start, month) + datetime.timedelta(days=14), today)
    complete = status == C.Status.COMPLETE
    cycle, _created = Cycle.objects.update_or_create(team=team, title=title, defaults={
        "change_idea": idea, "follows": previous, "number": number, "scale": scale,
        "status": status, "decision": decision, "is_shared": shared,
        "objective": f"Test “{idea.title}” at the scale of {C.Scale(scale).label.lower()}.",
        "prediction": prediction, "plan_what": title,
        "plan_who": str(MemberRole(role).label), "planned_start":
            done_on - datetime.timedelta(days=14) if done_on else None,
        "data_collection_plan": "A tally sheet by the door, filled in each day.",
        "do_what_happened": result if status not in (C.Status.PLAN, C.Status.DO) else "",
        "done_on": done_on if status not in (C.Status.PLAN, C.Status.DO) else None,
        "study_summary": result if status in (C.Status.ACT, C.Status.COMPLETE) else "",
        "study_learned": LEARNED.get(decision, "") if status in (C.Status.ACT, C.Status.COMPLETE) else "",
        "next_step": _next_step(decision),
        "lead": lead.user if lead else None, "lead_role": lead.role if lead else "",
        "completed_at": (timezone.make_aware(datetime.datetime.combine(done_on, datetime.time(16)))
                         if complete and done_on else None),
        "created_by": lead.user if lead else None,
    })
    cycle.measures.set([measures[name] for name in linked if name in measures])
    if lead is not None:
        others = [m for m in team.memberships.all() if m.pk != lead.pk][:2]
        CycleParticipant.objects.filter(cycle=cycle).exclude(
            user__in=[m.user for m in others]).delete()
        for member in others:
            CycleParticipant.objects.get_or_create(cycle=cycle, user=member.user,
                                                   defaults={"role": member.role})
    return cycle


def _member(team: Team, role: str) -> Membership | None:
    members = list(team.memberships.select_related("user").order_by("pk"))
    return next((m for m in members if m.role == role), members[0] if members else None)


def _month(start: datetime.date, months: int) -> datetime.date:
    index = start.year * 12 + start.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _next_step(decision: str) -> str:
    return {
        C.Decision.ADOPT: "Make it part of the daily routine and train new staff on it.",
        C.Decision.ADAPT: "Change what did not work and test again at a larger scale.",
        C.Decision.ABANDON: "Stop this test; try another change idea for the same driver.",
    }.get(decision, "")
