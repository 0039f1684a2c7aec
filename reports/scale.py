"""The IHI assessment scale, as Life QI words it (design.md): a team scores itself each
month and its advisor scores it separately; the gap between the two is the point."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Level:
    score: Decimal
    name: Promise
    meaning: Promise


LEVELS = [
    Level(Decimal("0.5"), _("Intent to participate"), _("No charter or team yet.")),
    Level(Decimal("1.0"), _("Charter and team established"), _("The team is formed and has its charter.")),
    Level(Decimal("1.5"), _("Planning begun"), _("The team is planning its work.")),
    Level(Decimal("2.0"), _("Activity, but no changes"),
          _("Baseline data collected; processes studied; no changes tested yet.")),
    Level(Decimal("2.5"), _("Changes tested, but no improvement"),
          _("Changes tested; measures graphed with their targets; no improvement yet.")),
    Level(Decimal("3.0"), _("Modest improvement"),
          _("Successful tests; small-scale implementation; about 20% of the expected results.")),
    Level(Decimal("3.5"), _("Improvement"), _("Further improvement in the measures toward the goals.")),
    Level(Decimal("4.0"), _("Significant improvement"),
          _("Expected results achieved for major subsystems; implementation begun; goals at least "
            "half complete.")),
    Level(Decimal("4.5"), _("Sustainable improvement"), _("Key measures show the impact is sustained.")),
    Level(Decimal("5.0"), _("Outstanding sustainable results"),
          _("All goals met; organisational changes make the change permanent.")),
]
BY_SCORE = {level.score: level for level in LEVELS}
CHOICES = [(level.score, f"{level.score} — {level.name}") for level in LEVELS]
# Scores this far apart are a conversation to have (the digest and the review flag them).
GAP = Decimal("1.0")


def level_of(score: Decimal | None) -> Level | None:
    return None if score is None else BY_SCORE.get(Decimal(score).quantize(Decimal("0.1")))
