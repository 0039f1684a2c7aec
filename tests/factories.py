"""factory_boy factories for the domain models."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth import get_user_model

from collaboratives.models import Collaborative, CollaborativeRole, Period, StateViewerRole
from measures.models import Measure, MeasureValue, Stratum
from teams.models import MemberRole, Membership, Organization, Team

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class CollaborativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collaborative

    name = factory.Sequence(lambda n: f"Collaborative {n}")
    topic = "Social-emotional learning"
    state = "NC"
    start_date = datetime.date(2026, 1, 1)
    end_date = datetime.date(2027, 3, 31)
    status = Collaborative.Status.ACTIVE
    aim_statement = "By March 2027, 80% of classrooms use Pyramid Model practices."


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Period

    collaborative = factory.SubFactory(CollaborativeFactory)
    kind = Period.Kind.LEARNING_SESSION
    number = 1
    start_date = datetime.date(2026, 2, 1)
    end_date = datetime.date(2026, 2, 1)


class CollaborativeRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CollaborativeRole

    user = factory.SubFactory(UserFactory)
    collaborative = factory.SubFactory(CollaborativeFactory)
    role = CollaborativeRole.Role.ADVISOR


class StateViewerRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StateViewerRole

    user = factory.SubFactory(UserFactory)
    state = "NC"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Program {n}")
    kind = Organization.Kind.CHILD_CARE_CENTER
    city = "Raleigh"
    state = "NC"
    funding_streams = factory.LazyFunction(lambda: [Organization.FundingStream.CCDF])


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    collaborative = factory.SubFactory(CollaborativeFactory)
    organization = factory.SubFactory(OrganizationFactory)
    name = factory.LazyAttribute(lambda team: team.organization.name)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = MemberRole.EDUCATOR
    is_lead = False


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    collaborative = factory.SubFactory(CollaborativeFactory)
    name = factory.Sequence(lambda n: f"Measure {n}")
    type = Measure.Type.PROCESS
    operational_definition = "Classrooms observed this month scoring 80% or more."
    numerator_definition = "Classrooms scoring 80% or more"
    denominator_definition = "Classrooms observed"
    unit = Measure.Unit.PERCENT
    direction = Measure.Direction.UP
    chart_kind = Measure.ChartKind.P


class StratumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stratum

    measure = factory.SubFactory(MeasureFactory, stratification="Home language")
    label = factory.Sequence(lambda n: f"Group {n}")


class MeasureValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeasureValue

    team = factory.SubFactory(TeamFactory)
    measure = factory.SubFactory(MeasureFactory)
    month = datetime.date(2026, 3, 1)
    numerator = 3
    denominator = 6
