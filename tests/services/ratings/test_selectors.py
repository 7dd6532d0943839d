"""The figures of 好差评 per department and period, as a dashboard will read them."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from services.ratings.models import Rectification
from services.ratings.selectors import ratings_by_department
from services.ratings.workflow import close_rectification, rate_application
from tests.helpers import at

pytestmark = pytest.mark.django_db
SEPTEMBER = (datetime.date(2026, 9, 1), datetime.date(2026, 9, 30))


@pytest.fixture
def september(world, decided):
    """In September the fire brigade got a 5, a 4 and two 1s (one rectified), the window a 2; in August a 1."""
    clerk = world["clerk"]
    with at(2026, 8, 31, 23, 30):  # the evening before the period: not in it
        rate_application(clerk, decided("approved"), 1)
    with at(2026, 9, 1, 0, 10):
        rate_application(clerk, decided("approved"), 5)
    with at(2026, 9, 2):
        rate_application(clerk, decided("approved"), 4)
        rated_badly = rate_application(clerk, decided("approved"), 1, "态度差")
        rate_application(clerk, decided("approved"), 1, "拖延")
    with at(2026, 9, 30, 23, 50):
        rate_application(clerk, decided("rejected"), 2)  # the window's decision
    close_rectification(world["officials"]["xfj1"], Rectification.objects.get(rating=rated_badly), "已整改。")


def test_a_superuser_sees_every_department_in_the_period(world, september, superuser):
    figures = {row.department.code: row for row in
               ratings_by_department(superuser, *SEPTEMBER, today=datetime.date(2026, 10, 9))}
    assert set(figures) == {"ZJW", "XFJ", "SCJGJ"}

    fire = figures["XFJ"]
    assert fire.by_score == {5: 1, 4: 1, 3: 0, 2: 0, 1: 2}
    assert (fire.total, fire.average, fire.bad) == (4, 2.75, 2)
    # Opened 09-02, due 15 working days later (09-22): the open one is overdue on 10-09.
    assert (fire.rectifications_opened, fire.rectifications_open, fire.rectifications_overdue) == (2, 1, 1)

    window = figures["ZJW"]
    assert (window.by_score[2], window.total, window.average) == (1, 1, 2.0)
    assert (window.rectifications_opened, window.rectifications_open, window.rectifications_overdue) == (1, 1, 0)

    market = figures["SCJGJ"]
    assert (market.total, market.average, market.rectifications_opened) == (0, None, 0)


def test_an_official_sees_their_own_department_only(world, september):
    [fire] = ratings_by_department(world["officials"]["xfj1"], *SEPTEMBER, today=datetime.date(2026, 9, 10))
    assert fire.department.code == "XFJ" and fire.total == 4 and fire.rectifications_overdue == 0
    assert ratings_by_department(world["clerk"], *SEPTEMBER) == []


def test_august_holds_only_the_late_evening_rating(world, september, superuser):
    figures = {row.department.code: row for row in
               ratings_by_department(superuser, datetime.date(2026, 8, 1), datetime.date(2026, 8, 31))}
    assert figures["XFJ"].by_score[1] == 1 and figures["XFJ"].total == 1 and figures["ZJW"].total == 0


def test_the_figures_cost_three_queries_however_many_departments_and_ratings(world, september, superuser):
    with CaptureQueriesContext(connection) as captured:
        ratings_by_department(superuser, *SEPTEMBER)
    assert len(captured) == 3  # the departments, the ratings grouped, the rectifications grouped
