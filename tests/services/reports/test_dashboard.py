"""The dashboard: every figure is what the database holds, for the official's departments only.

Each expected figure is counted here the plain way, application by application, and compared with
what the page computed with its aggregate queries.
"""

import datetime
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from services.calendar.working_days import working_days_between
from services.models import Application, CorrectionNotice, PostCheck
from tests.helpers import at

pytestmark = pytest.mark.django_db
DASHBOARD = "/admin/services/application/dashboard/"
MARCH = (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))


def led_by(codes: set[str]) -> list[Application]:
    return [a for a in Application.objects.select_related("service__lead_department")
            if a.received_on and a.service.lead_department.code in codes]


def monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def inside(day: datetime.date | None, period=MARCH) -> bool:
    return day is not None and period[0] <= day <= period[1]


def dashboard(client, **query):
    response = client.get(DASHBOARD, query, headers={"accept-language": "en"})
    assert response.status_code == 200, response.content[:500]
    return response


def test_an_officials_dashboard_counts_exactly_what_their_department_leads(world, month, as_official):
    with at(2026, 3, 31):
        response = dashboard(as_official("zjw1"))
    figures = response.context["figures"]
    mine = led_by({"ZJW"})
    received = [a for a in mine if inside(a.received_on)]
    decided = [a for a in mine if inside(a.decided_on)]

    # Applications per week and approval mode, the weeks of March from Monday 23 February.
    expected = Counter((monday(a.received_on), a.service.approval_mode) for a in received)
    assert {key: count for key, count in figures.weekly.counts.items()} == dict(expected)
    assert figures.weekly.total == len(received) == 5  # on time, late, corrected, parallel, waiting: no other's
    assert figures.weekly.weeks[0] == datetime.date(2026, 2, 23) and len(figures.weekly.weeks) == 6
    assert dict(expected)[(datetime.date(2026, 3, 2), "standard")] == 2

    # On time against the promised and the statutory limit: one of three decisions was late.
    (department,) = figures.on_time_by_department
    assert department.name == "区住建委"
    assert department.decided == len(decided) == 3
    assert department.within_promised == sum(a.decided_on <= a.decision_due for a in decided) == 2
    assert department.within_statutory == sum(a.decided_on <= a.statutory_due for a in decided) == 3
    assert department.promised_rate == round(100 * 2 / 3, 1)
    by_item = {row.name.split()[0]: row for row in figures.on_time_by_item}
    assert {code: row.decided for code, row in by_item.items()} == dict(Counter(a.service.code for a in decided))
    assert (by_item["STD"].within_promised, by_item["DEF"].within_promised) == (1, 1)

    # Working days from receipt to decision, on average.
    days = [working_days_between(a.received_on, a.decided_on) for a in decided]
    assert figures.durations[0].average == round(sum(days) / len(days), 1)
    assert figures.durations[-1].decided == len(decided)

    # Corrections per application received.
    notices = CorrectionNotice.objects.filter(application__in=[a.pk for a in received]).count()
    assert (figures.corrections[0].applications, figures.corrections[0].corrections) == (len(received), notices)
    assert notices == 1 and figures.corrections[0].per_application == 0.2

    # The commitment item is another department's: no post-check, no talent policy here.
    assert figures.post_checks[0].drawn == 0
    html = response.content.decode()
    assert "talent-usage" not in html and month["commitment_checked"].reference not in html
    assert [str(d) for d in response.context["form"].fields["department"].queryset] == ["区住建委"]


def test_the_district_view_sees_every_department_and_narrows_to_one(world, month, superuser, client):
    client.force_login(superuser)
    with at(2026, 4, 10):
        whole = dashboard(client, start="2026-03-01", end="2026-03-31")
        market = dashboard(client, start="2026-03-01", end="2026-03-31",
                           department=world["departments"]["SCJGJ"].pk)
    figures = whole.context["figures"]
    every = led_by({"ZJW", "SCJGJ", "RCJ", "XFJ"})
    assert figures.weekly.total == sum(inside(a.received_on) for a in every) == 8
    assert figures.on_time_total.decided == sum(inside(a.decided_on) for a in every) == 6
    # Commitment approvals have no limits to meet: decided, but not rated.
    assert figures.on_time_total.promised == sum(inside(a.decided_on) and a.decision_due is not None for a in every)
    assert "The whole district" in whole.content.decode()

    checks = [row for row in market.context["figures"].post_checks if row.name == "区市场监管局"]
    assert (checks[0].drawn, checks[0].passed, checks[0].pending) == (2, 1, 1)
    # Seen on 10 April, the check drawn on 11 March (due 20 working days later) is overdue.
    assert checks[0].overdue == PostCheck.objects.filter(result="pending", due_date__lt=datetime.date(2026, 4, 10)).count() == 1
    assert market.context["figures"].weekly.total == 2

    # The talent policy's quota and budget, in the district view.
    (talent_section,) = [s for s in whole.context["sections"] if s.template.endswith("dashboard_usage.html")]
    rows = talent_section.context["rows"]
    assert [(row["policy"].code, row["quota"], row["granted"], row["quota_used"]) for row in rows] == [
        ("FC01", 4, 1, 25.0)]
    assert rows[0]["spent"] == 10000 and rows[0]["budget_used"] == 20.0


def test_the_date_filter_and_the_default_month(world, month, as_official):
    with at(2026, 2, 26):
        february = dashboard(as_official("zjw1"))  # the current month by default
    with at(2026, 3, 31):
        client = as_official("zjw1")  # signed in anew: an official's idle session ends after 30 minutes
        chosen = dashboard(client, start="2026-02-01", end="2026-02-28")
        april_only = dashboard(client, start="2026-04-01", end="2026-04-30")
    for response in (february, chosen):
        figures = response.context["figures"]
        assert response.context["period"].start == datetime.date(2026, 2, 1)
        assert figures.weekly.total == 1
    assert chosen.context["figures"].on_time_total.decided == 1  # decided on 27 February
    assert april_only.context["figures"].weekly.total == 1


def test_a_stranger_department_or_a_bad_date_is_refused_with_the_field_named(world, month, as_official):
    client = as_official("zjw1")
    other = client.get(DASHBOARD, {"department": world["departments"]["SCJGJ"].pk}, headers={"accept-language": "en"})
    assert other.status_code == 400 and "figures" not in other.context
    assert "department" in other.context["form"].errors
    backwards = client.get(DASHBOARD, {"start": "2026-03-10", "end": "2026-03-01"}, headers={"accept-language": "en"})
    assert backwards.status_code == 400 and "end" in backwards.context["form"].errors
    assert client.get(DASHBOARD, {"start": "soon"}).status_code == 400


def test_the_dashboard_is_reached_from_the_admin_index_and_draws_svg_without_scripts(world, month, as_official):
    client = as_official("zjw1")
    index = client.get(reverse("admin:index"))
    assert DASHBOARD.encode() in index.content
    with at(2026, 3, 31):
        page = dashboard(client)
    html = page.content.decode()
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="report-chart"') == 3  # with the ratings
    assert "<script>" not in html.split('id="weekly"')[1]
    assert 'id="weekly-total">5<' in html  # the figure of the chart is in the table too


def test_the_number_of_queries_does_not_grow_with_the_applications(world, month, draft, superuser, client):
    from services.applications import workflow

    client.force_login(superuser)
    with at(2026, 3, 31):
        dashboard(client)  # caches warm (permissions, calendar)
    with at(2026, 3, 31), CaptureQueriesContext(connection) as before:
        dashboard(client)
    with at(2026, 3, 30):
        for _ in range(5):
            workflow.submit(world["clerk"], draft("standard").pk)
    with at(2026, 3, 31), CaptureQueriesContext(connection) as after:
        grown = dashboard(client)
    assert grown.context["figures"].weekly.total == 8 + 5
    assert len(after.captured_queries) == len(before.captured_queries)


def test_the_ratings_section_counts_each_score_and_the_rectifications_it_opened(world, month, superuser, client):
    from services.ratings.models import Rating, Rectification
    from services.ratings.workflow import rate_application

    with at(2026, 3, 26):
        rate_application(world["clerk"], month["on_time"], 5, "办理很快")
        rate_application(world["clerk"], month["late"], 2, "超过承诺时限")
        rate_application(world["clerk"], month["corrected"], 1)
    client.force_login(superuser)
    with at(2026, 3, 31):
        response = dashboard(client)
    (section,) = [s for s in response.context["sections"] if s.template.endswith("dashboard_ratings.html")]
    for row in section.context["rows"]:
        in_db = Rating.objects.filter(department=row.department)
        assert row.by_score == {score: in_db.filter(score=score).count() for score in (5, 4, 3, 2, 1)}
        assert row.rectifications_opened == Rectification.objects.filter(department=row.department).count()
    assert section.context["totals"] == {5: 1, 4: 0, 3: 0, 2: 1, 1: 1}
    assert sum(row.rectifications_opened for row in section.context["rows"]) == 2
    page = response.content.decode()
    assert 'id="ratings"' in page and 'id="chart-ratings"' in page
