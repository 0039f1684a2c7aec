"""Writes that carry the collaboratives' business rules."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Max, ProtectedError, QuerySet
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.formats import date_format
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from collaboratives.emails import send_templated_email
from collaboratives.language import email_language
from collaboratives.models import (
    ChangeIdea,
    Collaborative,
    CollaborativeRole,
    Period,
    PrimaryDriver,
    SecondaryDriver,
)
from collaboratives.outbox import outbox_enqueue

UserModel = get_user_model()

COLLABORATIVE_FIELDS = (
    "name", "topic", "state", "start_date", "end_date", "status", "aim_statement",
    "aim_statement_es", "aim_target_date", "data_due_day", "report_due_day",
)
PERIOD_FIELDS = ("kind", "number", "start_date", "end_date", "hours", "location", "agenda", "notes")


@transaction.atomic
def collaborative_create(*, created_by: AbstractBaseUser, **fields: Any) -> Collaborative:
    """Create a collaborative; whoever starts it becomes its improvement advisor."""
    collaborative = Collaborative(**_only(fields, COLLABORATIVE_FIELDS))
    collaborative.full_clean()
    collaborative.save()
    CollaborativeRole.objects.create(
        user=created_by, collaborative=collaborative, role=CollaborativeRole.Role.ADVISOR
    )
    return collaborative


@transaction.atomic
def collaborative_update(*, collaborative: Collaborative, **fields: Any) -> Collaborative:
    for name, value in _only(fields, COLLABORATIVE_FIELDS).items():
        setattr(collaborative, name, value)
    collaborative.full_clean()
    # Shortening the collaborative must not strand periods outside it.
    timeline_validate(collaborative, list(collaborative.periods.all()))
    collaborative.save()
    return collaborative


@transaction.atomic
def period_save(*, period: Period, **fields: Any) -> Period:
    """Create or update one period of the timeline, keeping the timeline in order."""
    for name, value in _only(fields, PERIOD_FIELDS).items():
        setattr(period, name, value)
    if period.kind in (Period.Kind.PREWORK, Period.Kind.CLOSING):
        period.number = None
    if period.kind != Period.Kind.LEARNING_SESSION:
        period.hours = None
    period.full_clean()
    others = list(period.collaborative.periods.select_for_update().exclude(pk=period.pk))
    timeline_validate(period.collaborative, [*others, period], changed=period)
    period.save()
    return period


@transaction.atomic
def period_delete(*, period: Period) -> None:
    period.delete()


def timeline_validate(
    collaborative: Collaborative, periods: list[Period], *, changed: Period | None = None
) -> None:
    """Periods lie within the collaborative, do not overlap, and follow the BSC order:
    pre-work, LS1, AP1, LS2, AP2, …, closing."""
    start_field = "start_date" if changed is not None else NON_FIELD_ERRORS
    for period in periods:
        if period.start_date < collaborative.start_date or period.end_date > collaborative.end_date:
            raise ValidationError({start_field: ValidationError(
                _(
                    "%(period)s (%(start)s – %(end)s) falls outside the collaborative's dates "
                    "(%(cstart)s – %(cend)s)."
                ) % {
                    "period": period.label, "start": _date(period.start_date),
                    "end": _date(period.end_date), "cstart": _date(collaborative.start_date),
                    "cend": _date(collaborative.end_date),
                },
                code="outside_collaborative",
            )})
    by_sequence = sorted(periods, key=lambda period: period.sequence_key)
    for earlier, later in itertools.pairwise(by_sequence):
        if later.start_date <= earlier.end_date:
            code = "overlap" if later.start_date >= earlier.start_date else "out_of_order"
            message = (
                _("%(later)s overlaps %(earlier)s, which ends %(end)s.")
                if code == "overlap"
                else _("%(later)s must come after %(earlier)s, which ends %(end)s.")
            )
            raise ValidationError({start_field: ValidationError(
                message % {
                    "later": later.label, "earlier": earlier.label, "end": _date(earlier.end_date),
                },
                code=code,
            )})


@transaction.atomic
def collaborative_role_assign(
    *, collaborative: Collaborative, user: AbstractBaseUser, role: str
) -> CollaborativeRole:
    assignment = CollaborativeRole(collaborative=collaborative, user=user, role=role)
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def collaborative_role_remove(*, assignment: CollaborativeRole) -> None:
    remaining_advisors = assignment.collaborative.roles.filter(
        role=CollaborativeRole.Role.ADVISOR
    ).exclude(pk=assignment.pk)
    if assignment.role == CollaborativeRole.Role.ADVISOR and not remaining_advisors.exists():
        raise ValidationError(
            _("A collaborative needs at least one improvement advisor."), code="last_advisor"
        )
    assignment.delete()


@transaction.atomic
def user_find_or_invite(
    *, email: str, first_name: str, last_name: str, invited_by: AbstractBaseUser, place: str,
    notify: bool = True,
) -> tuple[AbstractBaseUser, bool]:
    """The account with this email, or a new one that sets its password through an
    emailed invitation. Either way the person is told by email where they were added —
    here, once the transaction commits, unless ``notify`` is false because the caller
    sends (and keeps track of) that email itself."""
    email = UserModel.objects.normalize_email(email).strip()
    user = UserModel.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = UserModel(
            username=_free_username(email), email=email,
            first_name=first_name.strip(), last_name=last_name.strip(),
        )
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
    if notify:
        # Through the outbox: saved with the account, relayed when the broker can take it;
        # the task retries mail-server errors.
        outbox_enqueue("collaboratives.tasks.send_invitation_email", user_id=user.pk,
                       invited_by_id=invited_by.pk, place=place)
    return user, created


def invitation_send(*, user: AbstractBaseUser, inviter: AbstractBaseUser | None, place: str) -> bool:
    """Tell someone where they were added. A person with no password yet gets a link to
    set one (Django's password-reset token: it expires, and stops working once used).
    Returns False, sending nothing, for a person who is inactive or has no email; mail
    errors are raised for the caller's retry."""
    if not user.is_active or not user.email:
        return False
    if user.has_usable_password():
        link = settings.SITE_URL + reverse("login")
    else:
        link = settings.SITE_URL + reverse(
            "invitation-accept",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    context = {
        "user": user, "inviter": inviter, "place": place, "link": link,
        "needs_password": not user.has_usable_password(),
        "valid_days": settings.PASSWORD_RESET_TIMEOUT // 86400,
    }
    # The subject template is not HTML-escaped, so "&" stays "&".
    send_templated_email(template="emails/invitation", context=context, to=user.email,
                         language=email_language(user))
    return True


def _free_username(email: str) -> str:
    base = email.split("@")[0][:140] or "member"
    candidate, suffix = base, 1
    while UserModel.objects.filter(username__iexact=candidate).exists():
        suffix += 1
        candidate = f"{base}{suffix}"
    return candidate


def _only(fields: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unexpected fields: {', '.join(sorted(unknown))}")
    return fields


def _date(value: datetime.date) -> str:
    return date_format(value)


ADVISOR_GROUP = "Improvement advisors"


def advisor_group_ensure() -> Group:
    """The group whose members may start collaboratives (give it to advisors in the admin)."""
    group, _created = Group.objects.get_or_create(name=ADVISOR_GROUP)
    permission = Permission.objects.filter(
        content_type__app_label="collaboratives", codename="add_collaborative"
    ).first()
    if permission is not None:
        group.permissions.add(permission)
    return group


# --- Change framework: the driver diagram ---------------------------------------------

MAX_PRIMARY_DRIVERS = 5
# How many dependents a refusal names before it says "and N more".
_NAMED_DEPENDENTS = 5

FrameworkItem = PrimaryDriver | SecondaryDriver | ChangeIdea


@transaction.atomic
def primary_driver_create(
    *, collaborative: Collaborative, title: str, description: str = "",
    title_es: str = "", description_es: str = "",
) -> PrimaryDriver:
    # Lock the collaborative so two advisors adding at once cannot both be the fifth.
    Collaborative.objects.select_for_update().filter(pk=collaborative.pk).first()
    if collaborative.primary_drivers.count() >= MAX_PRIMARY_DRIVERS:
        raise ValidationError(
            _("A driver diagram has at most %(max)s primary drivers. Merge two, or remove one "
              "first.") % {"max": MAX_PRIMARY_DRIVERS},
            code="too_many_primary_drivers",
        )
    driver = PrimaryDriver(collaborative=collaborative, title=title, description=description,
                           title_es=title_es, description_es=description_es,
                           order=_next_order(collaborative.primary_drivers))
    _validate_item(driver)
    driver.save()
    return driver


@transaction.atomic
def primary_driver_update(
    *, primary_driver: PrimaryDriver, title: str, description: str = "",
    title_es: str = "", description_es: str = "",
) -> PrimaryDriver:
    primary_driver.title, primary_driver.description = title, description
    primary_driver.title_es, primary_driver.description_es = title_es, description_es
    _validate_item(primary_driver)
    primary_driver.save()
    return primary_driver


@transaction.atomic
def primary_driver_delete(*, primary_driver: PrimaryDriver) -> None:
    """Refused while any secondary driver serves it, even one that also serves another
    primary driver: links are removed by editing the secondary driver, so every change
    to a link is an explicit edit recorded in its history, never a side effect."""
    _refuse_if_depended_on(
        list(primary_driver.secondary_drivers.order_by("order", "pk")),
        singular=_("%(n)s secondary driver serves this primary driver: %(titles)s. "
                   "Unlink it first."),
        plural=_("%(n)s secondary drivers serve this primary driver: %(titles)s. "
                 "Unlink them first."),
        code="has_secondary_drivers",
    )
    _delete(primary_driver)


@transaction.atomic
def secondary_driver_create(
    *, collaborative: Collaborative, title: str, primary_drivers: Iterable[PrimaryDriver],
    description: str = "", title_es: str = "", description_es: str = "",
) -> SecondaryDriver:
    driver = SecondaryDriver(collaborative=collaborative, title=title, description=description,
                             title_es=title_es, description_es=description_es,
                             order=_next_order(collaborative.secondary_drivers))
    return _save_linked(driver, "primary_drivers", primary_drivers, _SECONDARY_NEEDS_PRIMARY)


@transaction.atomic
def secondary_driver_update(
    *, secondary_driver: SecondaryDriver, title: str, description: str = "",
    title_es: str = "", description_es: str = "",
    primary_drivers: Iterable[PrimaryDriver] | None = None,
) -> SecondaryDriver:
    """Change the text and, when given, the primary drivers it serves (None keeps them)."""
    secondary_driver.title, secondary_driver.description = title, description
    secondary_driver.title_es, secondary_driver.description_es = title_es, description_es
    return _save_linked(secondary_driver, "primary_drivers", primary_drivers,
                        _SECONDARY_NEEDS_PRIMARY)


@transaction.atomic
def secondary_driver_delete(*, secondary_driver: SecondaryDriver) -> None:
    """Refused while any change idea serves it (see ``primary_driver_delete``)."""
    _refuse_if_depended_on(
        list(secondary_driver.change_ideas.order_by("order", "pk")),
        singular=_("%(n)s change idea serves this secondary driver: %(titles)s. "
                   "Unlink it first."),
        plural=_("%(n)s change ideas serve this secondary driver: %(titles)s. "
                 "Unlink them first."),
        code="has_change_ideas",
    )
    _delete(secondary_driver)


@transaction.atomic
def change_idea_create(
    *, collaborative: Collaborative, title: str, secondary_drivers: Iterable[SecondaryDriver],
    description: str = "", title_es: str = "", description_es: str = "",
) -> ChangeIdea:
    idea = ChangeIdea(collaborative=collaborative, title=title, description=description,
                      title_es=title_es, description_es=description_es,
                      order=_next_order(collaborative.change_ideas))
    return _save_linked(idea, "secondary_drivers", secondary_drivers, _IDEA_NEEDS_SECONDARY)


@transaction.atomic
def change_idea_update(
    *, change_idea: ChangeIdea, title: str, description: str = "",
    title_es: str = "", description_es: str = "",
    secondary_drivers: Iterable[SecondaryDriver] | None = None,
) -> ChangeIdea:
    """Change the text and, when given, the secondary drivers it serves (None keeps them)."""
    change_idea.title, change_idea.description = title, description
    change_idea.title_es, change_idea.description_es = title_es, description_es
    return _save_linked(change_idea, "secondary_drivers", secondary_drivers, _IDEA_NEEDS_SECONDARY)


@transaction.atomic
def change_idea_delete(*, change_idea: ChangeIdea) -> None:
    """Refused while PDSA cycles test it. The cycles live in a higher layer (pdsa), which
    protects its foreign key; the refusal arrives here as a ProtectedError."""
    try:
        change_idea.delete()
    except ProtectedError as exc:
        cycles = sorted(exc.protected_objects, key=str)
        raise ValidationError(
            ngettext("%(n)s PDSA cycle tests this change idea: %(titles)s",
                     "%(n)s PDSA cycles test this change idea: %(titles)s", len(cycles)) % {
                "n": len(cycles), "titles": _titles(cycles),
            },
            code="has_pdsa_cycles",
        ) from exc


@transaction.atomic
def framework_item_move(*, item: FrameworkItem, direction: str) -> None:
    """Swap the item with its neighbour above or below in its column. Only ``order``
    changes, so every link stays as it was."""
    if direction not in ("up", "down"):
        raise ValidationError(_("Move an item up or down."), code="bad_direction")
    siblings = list(type(item).objects.select_for_update()
                    .filter(collaborative_id=item.collaborative_id).order_by("order", "pk"))
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(siblings):
        return  # already first (or last): nothing to do
    siblings[index], siblings[other] = siblings[other], siblings[index]
    # Renumber the column: items created before ordering existed may share an order.
    for position, sibling in enumerate(siblings):
        if sibling.order != position:
            sibling.order = position
            sibling.save(update_fields=["order"])


def _next_order(siblings: QuerySet) -> int:
    highest = siblings.aggregate(highest=Max("order"))["highest"]
    return 0 if highest is None else highest + 1


def _validate_item(item: FrameworkItem) -> None:
    # The database constraint is exact; people read "Visual schedules" and "visual
    # schedules" as the same item, so the check ignores case, and names the field.
    duplicate = (type(item).objects.filter(collaborative_id=item.collaborative_id,
                                           title__iexact=item.title.strip())
                 .exclude(pk=item.pk).exists())
    if duplicate:
        raise ValidationError({"title": ValidationError(
            _("This collaborative already has a %(kind)s called “%(title)s”.") % {
                "kind": item._meta.verbose_name, "title": item.title.strip(),
            },
            code="duplicate_title",
        )})
    item.title = item.title.strip()
    item.full_clean()


def _links(
    collaborative: Collaborative, items: Iterable[FrameworkItem], *, field: str, missing: str
) -> list[FrameworkItem]:
    links = list(items)
    if not links:
        raise ValidationError({field: ValidationError(missing, code="link_required")})
    foreign = [item for item in links if item.collaborative_id != collaborative.pk]
    if foreign:
        raise ValidationError({field: ValidationError(
            _("Links stay within one collaborative; %(titles)s belongs to another.") % {
                "titles": _titles(foreign),
            },
            code="other_collaborative",
        )})
    return links


def _refuse_if_depended_on(
    dependents: list[FrameworkItem], *, singular: str, plural: str, code: str
) -> None:
    if dependents:
        message = singular if len(dependents) == 1 else plural
        raise ValidationError(
            message % {"n": len(dependents), "titles": _titles(dependents)}, code=code
        )


def _delete(item: FrameworkItem) -> None:
    try:
        item.delete()
    except ProtectedError as exc:
        # Nothing protects drivers today; a higher layer might one day.
        raise ValidationError(
            _("Other records depend on %(item)s: %(titles)s") % {
                "item": item, "titles": _titles(list(exc.protected_objects)),
            },
            code="protected",
        ) from exc


def _titles(items: list) -> str:
    named = ", ".join(f"“{item}”" for item in items[:_NAMED_DEPENDENTS])
    if len(items) > _NAMED_DEPENDENTS:
        named += " " + _("and %(n)s more") % {"n": len(items) - _NAMED_DEPENDENTS}
    return named


_SECONDARY_NEEDS_PRIMARY = gettext_lazy("Link the secondary driver to at least one primary driver.")
_IDEA_NEEDS_SECONDARY = gettext_lazy("Link the change idea to at least one secondary driver.")


def _save_linked(item: SecondaryDriver | ChangeIdea, field: str,
                 parents: Iterable | None, missing: str) -> SecondaryDriver | ChangeIdea:
    """Validate and save a secondary driver or change idea with the items it serves; parents
    of None keep its links as they are (an edit of the text only)."""
    links = None if parents is None else _links(item.collaborative, parents, field=field,
                                                 missing=str(missing))
    _validate_item(item)
    item.save()
    if links is not None:
        getattr(item, field).set(links)
    return item
