"""Demo professional-development offerings for the system assessment.

North Carolina has offerings in every quadrant but is thin in Q3 and Q4, as the brief
expects of most states: trainings and individual coaching abound; organizational
coaching is the BSC itself (added to the matrix automatically) and one in-service.
Virginia has a couple. Idempotent: each offering is found by its state and name.
"""

from __future__ import annotations

from collaboratives.models import PDOffering

# (state, name, provider, description, engages, purpose, programs, people)
OFFERINGS: list[tuple[str, str, str, str, int, int, int, int]] = [
    # Q1 Training: knowledge gain for individuals.
    ("NC", "CDA coursework at community colleges", "NC Community College System",
     "Credit-bearing Child Development Associate courses, evening and online.", 1, 1, 140, 320),
    ("NC", "Pyramid Model online modules", "NC Child Care Resource & Referral Council",
     "Self-paced modules on the Pyramid Model's universal practices, for continuing-education credit.",
     1, 2, 410, 1250),
    ("NC", "Health and safety training (CPR, first aid)", "NC Child Care Resource & Referral Council",
     "Required pre-service and annual health and safety training.", 1, 1, 620, 1900),
    ("NC", "Smart Start early educator workshops", "Smart Start local partnerships",
     "County workshops on curriculum, assessment and family engagement.", 2, 1, 260, 880),
    ("NC", "NC Foundations for Early Learning and Development training",
     "NC Division of Child Development and Early Education",
     "Day-long training on the state's early learning standards.", 2, 2, 180, 520),
    # Q2 Individual coaching: transfer to practice for individuals.
    ("NC", "Infant-toddler specialist coaching", "NC Infant Toddler Quality Enhancement Project",
     "On-site coaching of individual infant and toddler teachers.", 1, 4, 95, 140),
    ("NC", "Behavior specialist consultation", "NC Child Care Resource & Referral Council",
     "Consultation for a teacher about one child's challenging behavior.", 2, 3, 60, 85),
    ("NC", "Family child care peer learning community", "Smart Start local partnerships",
     "Monthly community of practice for family child care providers from different homes.",
     1, 3, 40, 45),
    # Q4 Collective organizational training: knowledge gain for whole programs.
    ("NC", "Program-wide in-service on NC Foundations", "NC Pre-K regional consultants",
     "An in-service day for all staff of an NC Pre-K site together.", 4, 2, 35, 420),
    # Virginia: a couple, for the second state viewer.
    ("VA", "Virginia CDA cohort", "Virginia Community College System",
     "Cohort-based Child Development Associate coursework.", 1, 1, 90, 210),
    ("VA", "VQB5 classroom coaching", "Virginia Early Childhood Foundation",
     "Coaching of individual teachers tied to classroom observations.", 2, 4, 120, 260),
]


def seed_pd_offerings() -> None:
    for state, name, provider, description, engages, purpose, programs, people in OFFERINGS:
        PDOffering.objects.update_or_create(state=state, name=name, defaults={
            "provider": provider, "description": description, "engages": engages,
            "purpose": purpose, "programs_reached": programs, "people_reached": people,
        })
