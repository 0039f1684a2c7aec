"""The timeline's rules: inside the collaborative, no overlaps, in BSC order."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from collaboratives.models import Period
from collaboratives.services import collaborative_update, period_save
from tests.factories import CollaborativeFactory, PeriodFactory

D = datetime.date


@pytest.fixture
def collaborative(db):
    return CollaborativeFactory(start_date=D(2026, 1, 1), end_date=D(2026, 12, 31))


def save(collaborative, **fields):
    return period_save(period=Period(collaborative=collaborative), **fields)


def test_it_saves_a_learning_session_with_hours(collaborative):
    period = save(collaborative, kind="learning_session", number=1, start_date=D(2026, 2, 1),
                  end_date=D(2026, 2, 1), hours=6)
    assert period.pk is not None
    assert period.label == "Learning session 1"


def test_it_drops_the_number_of_prework_and_hours_of_action_periods(collaborative):
    prework = save(collaborative, kind="prework", number=4, start_date=D(2026, 1, 1),
                   end_date=D(2026, 1, 31))
    action = save(collaborative, kind="action_period", number=1, start_date=D(2026, 2, 2),
                  end_date=D(2026, 4, 30), hours=3)
    assert prework.number is None
    assert action.hours is None


def test_it_refuses_overlapping_periods(collaborative):
    save(collaborative, kind="learning_session", number=1, start_date=D(2026, 2, 1),
         end_date=D(2026, 2, 1))
    with pytest.raises(ValidationError) as error:
        save(collaborative, kind="action_period", number=1, start_date=D(2026, 2, 1),
             end_date=D(2026, 4, 30))
    assert error.value.error_dict["start_date"][0].code == "overlap"
    assert collaborative.periods.count() == 1


def test_it_refuses_periods_out_of_bsc_order(collaborative):
    save(collaborative, kind="learning_session", number=2, start_date=D(2026, 3, 1),
         end_date=D(2026, 3, 1))
    with pytest.raises(ValidationError) as error:
        save(collaborative, kind="learning_session", number=1, start_date=D(2026, 5, 1),
             end_date=D(2026, 5, 1))
    assert error.value.error_dict["start_date"][0].code == "out_of_order"
    assert "Learning session 2 must come after Learning session 1" in str(error.value)
    assert collaborative.periods.count() == 1


def test_it_refuses_a_period_outside_the_collaborative(collaborative):
    with pytest.raises(ValidationError) as error:
        save(collaborative, kind="closing", start_date=D(2026, 12, 1), end_date=D(2027, 1, 15))
    assert error.value.error_dict["start_date"][0].code == "outside_collaborative"


def test_it_refuses_a_second_learning_session_with_the_same_number(collaborative):
    save(collaborative, kind="learning_session", number=1, start_date=D(2026, 2, 1),
         end_date=D(2026, 2, 1))
    with pytest.raises(ValidationError):
        save(collaborative, kind="learning_session", number=1, start_date=D(2026, 6, 1),
             end_date=D(2026, 6, 1))
    assert collaborative.periods.count() == 1


def test_it_refuses_an_end_before_the_start(collaborative):
    with pytest.raises(ValidationError) as error:
        save(collaborative, kind="action_period", number=1, start_date=D(2026, 4, 1),
             end_date=D(2026, 3, 1))
    assert "end date must not be before the start date" in str(error.value)


def test_it_accepts_editing_a_period_in_place(collaborative):
    period = save(collaborative, kind="learning_session", number=1, start_date=D(2026, 2, 1),
                  end_date=D(2026, 2, 1))
    period_save(period=period, kind="learning_session", number=1, start_date=D(2026, 2, 3),
                end_date=D(2026, 2, 3), hours=5)
    period.refresh_from_db()
    assert period.start_date == D(2026, 2, 3)


def test_it_refuses_shortening_a_collaborative_past_its_periods(collaborative):
    PeriodFactory(collaborative=collaborative, kind="closing", number=None,
                  start_date=D(2026, 12, 1), end_date=D(2026, 12, 31))
    with pytest.raises(ValidationError):
        collaborative_update(collaborative=collaborative, end_date=D(2026, 11, 30))
    collaborative.refresh_from_db()
    assert collaborative.end_date == D(2026, 12, 31)


def test_it_orders_the_timeline_by_bsc_sequence():
    kinds = [
        Period(kind="closing"), Period(kind="action_period", number=1),
        Period(kind="learning_session", number=2), Period(kind="prework"),
        Period(kind="learning_session", number=1),
    ]
    ordered = sorted(kinds, key=lambda period: period.sequence_key)
    assert [p.label for p in ordered] == [
        "Pre-work", "Learning session 1", "Action period 1", "Learning session 2", "Closing",
    ]
