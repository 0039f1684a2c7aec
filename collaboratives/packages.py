"""Change packages a new collaborative can start from: an aim, a driver diagram, measures
and the shape of a timeline, as plain data.

The built-in package is the demo's social-emotional-learning framework (demo-framework.md),
with a description for every change idea so teams know what each one asks of them. The
copying itself lives in ``measures.packages``: measures sit in a higher layer, and that
module also turns another collaborative into a ``ChangePackage``, so both sources are
copied by the same code.

The content is data, entered in English and in Spanish like an advisor's own framework
(the ``*_es`` fields); only the package's name and summary, which the portal shows, are
marked for translation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

# Parts of a collaborative a package carries, in the order the page lists them.
AIM, FRAMEWORK, MEASURES, TIMELINE = "aim", "framework", "measures", "timeline"
PARTS = (AIM, FRAMEWORK, MEASURES, TIMELINE)


@dataclass(frozen=True)
class ChangePackage:
    """What is copied. Items are dicts of model field values; links between items name
    their parents by title (titles are unique within a collaborative). A period gives its
    start as days after the collaborative's start and its length in days, so the shape
    moves to the new collaborative's start date."""

    key: str
    name: str
    summary: str = ""
    aim_statement: str = ""
    aim_statement_es: str = ""
    # Days from the start to the aim's target date; None: the collaborative's end date.
    aim_target_offset_days: int | None = None
    primary_drivers: tuple[dict[str, Any], ...] = ()
    # Each also has "primary_drivers": [titles].
    secondary_drivers: tuple[dict[str, Any], ...] = ()
    # Each also has "secondary_drivers": [titles].
    change_ideas: tuple[dict[str, Any], ...] = ()
    # Each also has "strata": [{"label": …, "is_reference": …}].
    measures: tuple[dict[str, Any], ...] = ()
    # Each: kind, number, offset_days, duration_days and any other period fields (hours).
    periods: tuple[dict[str, Any], ...] = field(default=())


def _ordered(items: list[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    return tuple({**item, "order": order} for order, item in enumerate(items))


# --- The social-emotional learning package (the demo's first collaborative) ----------------

# Every item carries its Spanish (``*_es``), shown to readers who use the portal in Spanish
# (collaboratives.bilingual): plain usted Spanish as in Head Start family materials, Pyramid
# Model terms as in its Spanish materials ("Modelo Pirámide"); "early pick-up" is "salida
# temprana" throughout. Links still name parents by their English title.

SEL_PRIMARY_DRIVERS = [
    {"title": "Nurturing, responsive relationships",
     "title_es": "Relaciones afectuosas y receptivas",
     "description": "Every child and family has warm, steady relationships with the adults "
                    "around them.",
     "description_es": "Cada niño y cada familia tienen relaciones cálidas y estables con los "
                       "adultos que los rodean."},
    {"title": "Supportive classroom environments",
     "title_es": "Ambientes de apoyo en el salón de clases",
     "description": "Days are predictable and expectations are taught, so children know what "
                    "comes next and what is expected.",
     "description_es": "Los días son predecibles y las expectativas se enseñan, para que los "
                       "niños sepan qué viene después y qué se espera de ellos."},
    {"title": "Targeted social-emotional supports",
     "title_es": "Apoyos socioemocionales específicos",
     "description": "Children learn to name feelings and solve problems, and a child who "
                    "needs more gets a plan, not a punishment.",
     "description_es": "Los niños aprenden a nombrar sus sentimientos y a resolver problemas, "
                       "y el niño que necesita más apoyo recibe un plan, no un castigo."},
    {"title": "Program-wide systems",
     "title_es": "Sistemas en todo el programa",
     "description": "Leaders use data and look after staff, so the practices last.",
     "description_es": "Los líderes usan datos y cuidan al personal, para que las prácticas "
                       "duren."},
    {"title": "Equity and cultural responsiveness",
     "title_es": "Equidad y sensibilidad cultural",
     "description": "No group of children is excluded or disciplined more than others, and "
                    "every child sees their family in the classroom.",
     "description_es": "Ningún grupo de niños es excluido ni disciplinado más que otros, y "
                       "cada niño ve a su familia reflejada en el salón."},
]

SEL_SECONDARY_DRIVERS = [
    {"title": "Adult–child relationships", "description": "",
     "title_es": "Relaciones entre adultos y niños", "description_es": "",
     "primary_drivers": ["Nurturing, responsive relationships"]},
    {"title": "Adult–adult relationships (staff–staff, staff–families)", "description": "",
     "title_es": "Relaciones entre adultos (dentro del personal, y entre el personal y las "
                 "familias)", "description_es": "",
     "primary_drivers": ["Nurturing, responsive relationships"]},
    {"title": "Predictable routines", "description": "",
     "title_es": "Rutinas predecibles", "description_es": "",
     "primary_drivers": ["Supportive classroom environments"]},
    {"title": "Explicit teaching of expectations", "description": "",
     "title_es": "Enseñanza directa de las expectativas", "description_es": "",
     "primary_drivers": ["Supportive classroom environments"]},
    {"title": "Teaching emotional literacy and problem solving", "description": "",
     "title_es": "Enseñar a nombrar las emociones y a resolver problemas", "description_es": "",
     "primary_drivers": ["Targeted social-emotional supports"]},
    {"title": "Individualized behavior support", "description": "",
     "title_es": "Apoyo individualizado para la conducta", "description_es": "",
     "primary_drivers": ["Targeted social-emotional supports"]},
    {"title": "Leadership team using data", "description": "",
     "title_es": "Equipo de liderazgo que usa datos", "description_es": "",
     "primary_drivers": ["Program-wide systems"]},
    # Serves two primary drivers: the many-to-many the diagram is meant to show.
    {"title": "Staff well-being", "description": "",
     "title_es": "Bienestar del personal", "description_es": "",
     "primary_drivers": ["Program-wide systems", "Nurturing, responsive relationships"]},
    {"title": "Equitable responses to behavior", "description": "",
     "title_es": "Respuestas equitativas a la conducta", "description_es": "",
     "primary_drivers": ["Equity and cultural responsiveness",
                         "Targeted social-emotional supports"]},
    {"title": "Positive identity", "description": "",
     "title_es": "Identidad positiva", "description_es": "",
     "primary_drivers": ["Equity and cultural responsiveness"]},
]

SEL_CHANGE_IDEAS = [
    {"title": "Daily one-to-one “connection time”",
     "title_es": "“Tiempo de conexión” diario a solas con cada niño",
     "description": "A few minutes a day with each child, one to one, following the child's "
                    "lead; start with the children who are hardest to reach.",
     "description_es": "Unos minutos al día con cada niño, a solas, dejando que el niño guíe; "
                       "empiece con los niños con quienes más cuesta conectar.",
     "secondary_drivers": ["Adult–child relationships"]},
    {"title": "Weekly positive note or call home",
     "title_es": "Una nota o llamada positiva a la casa cada semana",
     "description": "Every family hears something good about their child at least once a "
                    "week, by note, text or call, in the family's language.",
     "description_es": "Cada familia escucha algo bueno sobre su hijo al menos una vez por "
                       "semana, por nota, mensaje de texto o llamada, en el idioma de la "
                       "familia.",
     "secondary_drivers": ["Adult–child relationships",
                           "Adult–adult relationships (staff–staff, staff–families)"]},
    {"title": "Family welcome routine in the home language",
     "title_es": "Bienvenida a las familias en el idioma del hogar",
     "description": "New families are greeted in their home language, with a call or visit, "
                    "photos of the classroom and a question about what their child loves.",
     "description_es": "Las familias nuevas reciben la bienvenida en el idioma del hogar, "
                       "con una llamada o visita, fotos del salón y una pregunta sobre lo que "
                       "más le gusta a su hijo.",
     "secondary_drivers": ["Adult–adult relationships (staff–staff, staff–families)",
                           "Positive identity"]},
    {"title": "Visual schedules",
     "title_es": "Horarios visuales",
     "description": "A picture schedule of the day at children's eye level, gone over at "
                    "morning circle and pointed to at every change.",
     "description_es": "Un horario del día con imágenes, a la altura de los ojos de los "
                       "niños, que se repasa en el círculo de la mañana y se señala en cada "
                       "cambio de actividad.",
     "secondary_drivers": ["Predictable routines"]},
    {"title": "Transition warnings",
     "title_es": "Avisos antes de cada transición",
     "description": "A signal a few minutes before each transition (a song, a timer, a "
                    "picture card), so children know what comes next.",
     "description_es": "Una señal unos minutos antes de cada transición (una canción, un "
                       "temporizador, una tarjeta con imagen), para que los niños sepan qué "
                       "viene después.",
     "secondary_drivers": ["Predictable routines"]},
    {"title": "Teaching 3 classroom expectations with pictures",
     "title_es": "Enseñar 3 expectativas del salón con imágenes",
     "description": "Three expectations said in positive words (be safe, be kind, be a "
                    "helper), taught with pictures, practised, and noticed when children "
                    "follow them.",
     "description_es": "Tres expectativas dichas con palabras positivas (nos cuidamos, somos "
                       "amables, ayudamos), enseñadas con imágenes, practicadas y reconocidas "
                       "cuando los niños las cumplen.",
     "secondary_drivers": ["Explicit teaching of expectations"]},
    {"title": "Feelings check-in",
     "title_es": "¿Cómo me siento hoy? al llegar",
     "description": "Children point to a feelings face when they arrive; adults name feelings "
                    "through the day and check in with a child who arrives upset.",
     "description_es": "Al llegar, los niños señalan una carita que muestra cómo se sienten; "
                       "los adultos nombran los sentimientos durante el día y se acercan al "
                       "niño que llega molesto.",
     "secondary_drivers": ["Teaching emotional literacy and problem solving"]},
    {"title": "Solution kit",
     "title_es": "Caja de soluciones",
     "description": "Picture cards with solutions to everyday problems (take turns, use a "
                    "timer, ask for help), taught first and used when a conflict starts.",
     "description_es": "Tarjetas con imágenes de soluciones a problemas de todos los días "
                       "(tomar turnos, usar un temporizador, pedir ayuda), que se enseñan "
                       "primero y se usan cuando empieza un conflicto.",
     "secondary_drivers": ["Teaching emotional literacy and problem solving"]},
    {"title": "Team-based support plan after 3 incidents",
     "title_es": "Plan de apoyo en equipo después de 3 incidentes",
     "description": "After a child's third behavior incident in a month, the family and the "
                    "team meet and make a support plan from what the behavior is telling us.",
     "description_es": "Después del tercer incidente de conducta de un niño en un mes, la "
                       "familia y el equipo se reúnen y hacen un plan de apoyo a partir de lo "
                       "que la conducta nos quiere decir.",
     "secondary_drivers": ["Individualized behavior support"]},
    {"title": "Monthly behavior-incident review with an equity lens",
     "title_es": "Revisión mensual de los incidentes de conducta con enfoque de equidad",
     "description": "The leadership team looks at the month's incidents by classroom, time of "
                    "day and children's race/ethnicity, and picks one thing to act on.",
     "description_es": "El equipo de liderazgo revisa los incidentes del mes por salón, hora "
                       "del día y raza/etnia de los niños, y elige una cosa para mejorar.",
     "secondary_drivers": ["Leadership team using data", "Equitable responses to behavior"]},
    {"title": "Reflective supervision",
     "title_es": "Supervisión reflexiva",
     "description": "Each teaching staff member has a regular one-to-one session with a "
                    "supervisor or mentor about their work and how it feels.",
     "description_es": "Cada integrante del personal docente tiene reuniones regulares, a "
                       "solas, con un supervisor o mentor para hablar de su trabajo y de cómo "
                       "se siente.",
     "secondary_drivers": ["Staff well-being"]},
    {"title": "Staff recognition board",
     "title_es": "Tablero de reconocimiento al personal",
     "description": "A board where staff, families and children thank a colleague for "
                    "something they did; the notes are read out at staff meetings.",
     "description_es": "Un tablero donde el personal, las familias y los niños dan las "
                       "gracias a un compañero por algo que hizo; las notas se leen en voz alta "
                       "en las reuniones del personal.",
     "secondary_drivers": ["Staff well-being"]},
    {"title": "Wellness check-ins",
     "title_es": "Ver cómo está cada uno",
     "description": "A short check-in at the start of staff meetings and an easy way to ask "
                    "for a break, so stress is noticed early.",
     "description_es": "Una ronda breve al comienzo de las reuniones del personal para saber "
                       "cómo está cada uno, y una forma fácil de pedir un descanso, para notar "
                       "el estrés a tiempo.",
     "secondary_drivers": ["Staff well-being"]},
    {"title": "Pause-and-reflect protocol before any exclusion",
     "title_es": "Hacer una pausa y reflexionar antes de cualquier exclusión",
     "description": "Before any suspension, expulsion or early pick-up, the director and the "
                    "educator stop and go through a short list of other options and of "
                    "possible bias.",
     "description_es": "Antes de cualquier suspensión, expulsión o salida temprana, el "
                       "director y el educador se detienen y repasan una lista corta de otras "
                       "opciones y de posibles prejuicios.",
     "secondary_drivers": ["Equitable responses to behavior"]},
    {"title": "Family conference instead of early pick-up",
     "title_es": "Reunión con la familia en lugar de una salida temprana",
     "description": "After a hard day the family is invited to talk with the educator about "
                    "what helps, instead of being asked to take the child home.",
     "description_es": "Después de un día difícil, se invita a la familia a hablar con el "
                       "educador sobre lo que ayuda, en lugar de pedirle que se lleve al niño "
                       "a casa.",
     "secondary_drivers": ["Equitable responses to behavior"]},
    {"title": "Books and materials reflecting children’s families",
     "title_es": "Libros y materiales que reflejan a las familias de los niños",
     "description": "Books, dolls, pictures and music that show the languages, cultures and "
                    "families of the children in the room.",
     "description_es": "Libros, muñecas, imágenes y música que muestran los idiomas, las "
                       "culturas y las familias de los niños del salón.",
     "secondary_drivers": ["Positive identity"]},
]

SEL_GROUPS = ["Black", "Hispanic/Latino", "White", "Asian", "Multiracial or other"]
SEL_REFERENCE_GROUP = "White"
# The same groups in Spanish, in the same order (the names US Spanish-language forms use).
SEL_GROUPS_ES = ["Negro o afroamericano", "Hispano o latino", "Blanco", "Asiático",
                 "Multirracial u otro"]

SEL_MEASURES = [
    {"name": "Exclusionary discipline rate", "type": "outcome", "unit": "rate", "rate_per": 100,
     "direction": "down", "chart_kind": "u", "goal": Decimal("2.0"), "baseline_length": 6,
     "operational_definition": "Suspensions, expulsions and early pick-ups in the month, per "
     "100 enrolled children. Count each event once, whatever its length.",
     "numerator_label": "Exclusion events", "denominator_label": "Children enrolled on the 15th",
     "numerator_definition": "Exclusion events (suspensions + expulsions + early pick-ups)",
     "denominator_definition": "Children enrolled on the 15th of the month",
     "name_es": "Tasa de disciplina de exclusión",
     "operational_definition_es": "Suspensiones, expulsiones y salidas tempranas en el mes, "
     "por cada 100 niños inscritos. Cuente cada evento una vez, sin importar cuánto dure.",
     "numerator_label_es": "Eventos de exclusión",
     "denominator_label_es": "Niños inscritos el día 15",
     "numerator_definition_es": "Eventos de exclusión (suspensiones + expulsiones + salidas "
     "tempranas)",
     "denominator_definition_es": "Niños inscritos el día 15 del mes",
     "stratification": "Child's race/ethnicity",
     "stratification_es": "Raza/etnia del niño o la niña",
     "strata": [{"label": label, "label_es": label_es, "is_reference": label == SEL_REFERENCE_GROUP}
                for label, label_es in zip(SEL_GROUPS, SEL_GROUPS_ES, strict=True)]},
    {"name": "Classrooms implementing with fidelity", "type": "outcome", "unit": "percent",
     "direction": "up", "chart_kind": "p", "goal": Decimal("80"), "baseline_length": 6,
     "operational_definition": "Classrooms scoring 80% or more on the program's Pyramid Model "
     "practice observation this month.",
     "numerator_label": "Classrooms at 80% or more", "denominator_label": "Classrooms observed",
     "numerator_definition": "Classrooms scoring ≥ 80% on the practice observation",
     "denominator_definition": "Classrooms observed this month",
     "name_es": "Salones que aplican las prácticas con fidelidad",
     "operational_definition_es": "Salones con 80% o más en la observación de prácticas del "
     "Modelo Pirámide del programa este mes.",
     "numerator_label_es": "Salones con 80% o más", "denominator_label_es": "Salones observados",
     "numerator_definition_es": "Salones con ≥ 80% en la observación de prácticas",
     "denominator_definition_es": "Salones observados este mes"},
    {"name": "Behavior incidents reviewed within 7 days", "type": "process", "unit": "percent",
     "direction": "up", "chart_kind": "p", "goal": Decimal("90"), "baseline_length": 6,
     "operational_definition": "Behavior incidents the leadership team reviewed, with an "
     "equity lens, within 7 days of the incident.",
     "numerator_label": "Incidents reviewed within 7 days", "denominator_label": "Incidents recorded",
     "numerator_definition": "Incidents reviewed within 7 days",
     "denominator_definition": "Behavior incidents recorded",
     "name_es": "Incidentes de conducta revisados en 7 días o menos",
     "operational_definition_es": "Incidentes de conducta que el equipo de liderazgo revisó, "
     "con enfoque de equidad, en los 7 días siguientes al incidente.",
     "numerator_label_es": "Incidentes revisados en 7 días o menos",
     "denominator_label_es": "Incidentes registrados",
     "numerator_definition_es": "Incidentes revisados en 7 días o menos",
     "denominator_definition_es": "Incidentes de conducta registrados"},
    {"name": "Positive family contacts", "type": "process", "unit": "mean", "direction": "up",
     "chart_kind": "run", "goal": Decimal("5"), "baseline_length": 6,
     "operational_definition": "Positive notes or calls home per classroom per week, as a "
     "monthly mean.",
     "numerator_label": "Positive notes and calls home", "denominator_label": "Classroom-weeks",
     "numerator_definition": "Positive notes and calls home in the month",
     "denominator_definition": "Classroom-weeks in the month",
     "name_es": "Contactos positivos con las familias",
     "operational_definition_es": "Notas o llamadas positivas a la casa por salón y por "
     "semana, como promedio del mes.",
     "numerator_label_es": "Notas y llamadas positivas a la casa",
     "denominator_label_es": "Semanas por salón",
     "numerator_definition_es": "Notas y llamadas positivas a la casa en el mes",
     "denominator_definition_es": "Semanas por salón en el mes (salones × semanas)"},
    {"name": "Reflective supervision completed", "type": "process", "unit": "percent",
     "direction": "up", "chart_kind": "run", "goal": Decimal("75"),
     "operational_definition": "Teaching staff who had a reflective supervision session this "
     "month.",
     "numerator_label": "Staff who had a session", "denominator_label": "Teaching staff",
     "numerator_definition": "Teaching staff with a session this month",
     "denominator_definition": "Teaching staff employed",
     "name_es": "Supervisión reflexiva realizada",
     "operational_definition_es": "Personal docente que tuvo una sesión de supervisión "
     "reflexiva este mes.",
     "numerator_label_es": "Personal que tuvo una sesión",
     "denominator_label_es": "Personal docente",
     "numerator_definition_es": "Personal docente con una sesión este mes",
     "denominator_definition_es": "Personal docente empleado"},
    {"name": "Staff well-being", "type": "balancing", "unit": "mean", "direction": "up",
     "chart_kind": "run",
     "operational_definition": "Mean score of the 5-item monthly staff pulse survey (1–5).",
     "numerator_label": "Sum of survey scores", "denominator_label": "Survey items answered",
     "numerator_definition": "Sum of all survey scores",
     "denominator_definition": "Survey items answered",
     "name_es": "Bienestar del personal",
     "operational_definition_es": "Puntaje promedio de la encuesta breve mensual al personal, "
     "de 5 preguntas (1–5).",
     "numerator_label_es": "Suma de los puntajes de la encuesta",
     "denominator_label_es": "Preguntas de la encuesta contestadas",
     "numerator_definition_es": "Suma de todos los puntajes de la encuesta",
     "denominator_definition_es": "Preguntas de la encuesta contestadas"},
    {"name": "Staff turnover", "type": "balancing", "unit": "percent", "direction": "down",
     "chart_kind": "run",
     "operational_definition": "Staff who left this month, of all staff employed.",
     "numerator_definition": "Staff who left", "denominator_definition": "Staff employed",
     "numerator_label": "Staff who left", "denominator_label": "Staff employed",
     "name_es": "Rotación del personal",
     "operational_definition_es": "Personal que dejó el programa este mes, del total del "
     "personal empleado.",
     "numerator_definition_es": "Personal que se fue",
     "denominator_definition_es": "Personal empleado",
     "numerator_label_es": "Personal que se fue", "denominator_label_es": "Personal empleado"},
]

# A year in the proportions of a typical BSC (the demo's timeline): a month of pre-work,
# three day-long learning sessions each followed by an action period, and a closing. It
# fits any collaborative of 12 months or more; a longer one moves its later periods.
SEL_PERIODS = [
    {"kind": "prework", "number": None, "offset_days": 0, "duration_days": 36},
    {"kind": "learning_session", "number": 1, "offset_days": 37, "duration_days": 0,
     "hours": Decimal("6")},
    {"kind": "action_period", "number": 1, "offset_days": 38, "duration_days": 102},
    {"kind": "learning_session", "number": 2, "offset_days": 141, "duration_days": 0,
     "hours": Decimal("5.5")},
    {"kind": "action_period", "number": 2, "offset_days": 142, "duration_days": 102},
    {"kind": "learning_session", "number": 3, "offset_days": 245, "duration_days": 0,
     "hours": Decimal("6")},
    {"kind": "action_period", "number": 3, "offset_days": 246, "duration_days": 99},
    {"kind": "closing", "number": None, "offset_days": 346, "duration_days": 18},
]

SOCIAL_EMOTIONAL_LEARNING = ChangePackage(
    key="social-emotional-learning",
    name=_("Social-emotional learning (Pyramid Model), with racial justice"),
    summary=_("An aim on Pyramid Model practices and exclusionary discipline; 5 primary "
              "drivers, 10 secondary drivers and 16 change ideas; 7 measures, one stratified "
              "by child's race/ethnicity; a 12-month timeline with 3 learning sessions."),
    aim_statement=(
        "By the end of the collaborative, 80% of participating classrooms use Pyramid Model "
        "practices with fidelity, and exclusionary discipline (suspensions, expulsions, early "
        "pick-ups) falls by half, with no group of children excluded at a higher rate than "
        "others."
    ),
    aim_statement_es=(
        "Al final del colaborativo, el 80% de los salones participantes usan las prácticas del "
        "Modelo Pirámide con fidelidad, y la disciplina de exclusión (suspensiones, expulsiones "
        "y salidas tempranas) baja a la mitad, sin que ningún grupo de niños sea excluido más "
        "que otros."
    ),
    primary_drivers=_ordered(SEL_PRIMARY_DRIVERS),
    secondary_drivers=_ordered(SEL_SECONDARY_DRIVERS),
    change_ideas=_ordered(SEL_CHANGE_IDEAS),
    measures=_ordered(SEL_MEASURES),
    periods=tuple(SEL_PERIODS),
)

BUILT_IN_PACKAGES: dict[str, ChangePackage] = {
    package.key: package for package in (SOCIAL_EMOTIONAL_LEARNING,)
}
