"""Demo cycle of the Spanish-speaking family member (member-es): a goodbye song at home,
tested with her own child, written in Spanish as she would write it, and at the Study stage,
so her team page shows her own work in progress.

Idempotent: the cycle is found by its team and title and updated.
"""

from __future__ import annotations

import datetime

from collaboratives.models import ChangeIdea, Collaborative
from pdsa.models import Cycle
from teams.models import MemberRole, Team

C = Cycle
IDEA = "Transition warnings"  # a song that says "we leave soon" warns of the transition
TITLE = "Canción de despedida en casa"


def seed_spanish_cycle(collaborative: Collaborative, team: Team, member, *,
                       today: datetime.date) -> Cycle:
    """member-es's cycle on ``team``: Plan and Do written, Study begun."""
    idea, _created = ChangeIdea.objects.get_or_create(collaborative=collaborative, title=IDEA)
    done_on = today - datetime.timedelta(days=4)
    cycle, _created = Cycle.objects.update_or_create(team=team, title=TITLE, defaults={
        "change_idea": idea, "follows": None, "number": 1, "scale": C.Scale.ONE_CHILD,
        "status": C.Status.STUDY, "decision": "", "is_shared": False,
        "objective": "Que mi hija se despida de la casa con calma antes de ir al centro.",
        "questions": "¿Una canción corta en casa ayuda a que la llegada al centro sea más tranquila?",
        "prediction": "Si cantamos la misma canción cada mañana, llorará menos al llegar: "
                      "menos de 2 mañanas de 5.",
        "plan_who": "Yo (mamá) y mi hija, con la maestra de su salón.",
        "plan_what": "Cantar la canción de despedida al ponernos los zapatos, cada mañana.",
        "plan_when": "Cinco mañanas, de lunes a viernes.",
        "plan_where": "En casa, en la puerta, antes de salir.",
        "planned_start": done_on - datetime.timedelta(days=6),
        "data_collection_plan": "Una hoja en el refrigerador: marco cada mañana si lloró al "
                                "llegar; la maestra me lo dice a la entrada.",
        "do_what_happened": "Cantamos todas las mañanas. Lloró el lunes y el martes; el "
                            "miércoles ya cantaba ella sola y no lloró.",
        "do_problems": "El jueves salimos tarde y casi no hubo tiempo para la canción.",
        "do_unexpected": "Su hermano mayor también quiso cantar.",
        "done_on": done_on,
        "study_summary": "Lloró 2 mañanas de 5, como pensábamos: los dos primeros días.",
        "study_learned": "", "next_step": "", "completed_at": None,
        "lead": member, "lead_role": MemberRole.FAMILY, "created_by": member,
    })
    return cycle
