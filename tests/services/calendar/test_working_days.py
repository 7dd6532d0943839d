"""The working-day calendar: weekends, public holidays, 调休, entered days and unknown years."""

import copy
import uuid
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone, translation
from django.utils.html import escape

import services.calendar.admin  # noqa: F401  (registers the calendar admin, as services/admin.py will)
from services.calendar import working_days as calendar
from services.calendar.working_days import (
    DueDate,
    add_working_days,
    is_provisional_year,
    is_working_day,
    missing_years,
    working_days_between,
)
from services.models import CalendarDay, CalendarYear

HOLIDAY, WORKDAY = CalendarDay.Kind.HOLIDAY, CalendarDay.Kind.WORKDAY
CONTEXT_PROCESSOR = "services.calendar.working_days.admin_calendar_warning"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    # Rolling back a test's transaction sends no signal: start every test from an empty cache.
    calendar.clear_cache()
    yield
    calendar.clear_cache()


def enter_2027(*holidays: date, workdays: tuple[date, ...] = ()) -> None:
    CalendarYear.objects.create(year=2027, note="国办发明电〔2026〕X号")
    for day in holidays:
        CalendarDay.objects.create(date=day, kind=HOLIDAY, name="test holiday")
    for day in workdays:
        CalendarDay.objects.create(date=day, kind=WORKDAY, name="test make-up day")


# --- the package's years --------------------------------------------------------------------


def test_weekends_are_not_working_days():
    assert is_working_day(date(2026, 3, 6))  # Friday
    assert not is_working_day(date(2026, 3, 7))  # Saturday
    assert not is_working_day(date(2026, 3, 8))  # Sunday
    assert add_working_days(date(2026, 3, 6), 1) == DueDate(date(2026, 3, 9), provisional=False)
    assert add_working_days(date(2026, 3, 7), 1).date == date(2026, 3, 9)  # filed on a Saturday


def test_spring_festival_2026_with_its_make_up_saturdays():
    # 2026: off Sun 15 – Mon 23 February; Saturdays 14 and 28 February are working days (调休).
    friday = date(2026, 2, 13)
    assert is_working_day(date(2026, 2, 14))
    assert not is_working_day(date(2026, 2, 16))  # a Monday inside the holiday
    assert not is_working_day(date(2026, 2, 23))
    assert add_working_days(friday, 1) == DueDate(date(2026, 2, 14), provisional=False)
    assert add_working_days(friday, 2).date == date(2026, 2, 24)  # first day back
    assert add_working_days(friday, 6).date == date(2026, 2, 28)  # the second make-up Saturday
    assert add_working_days(friday, 7).date == date(2026, 3, 2)


def test_national_day_2026():
    # Off 1–7 October; Sunday 20 September and Saturday 10 October are working days.
    assert is_working_day(date(2026, 9, 20))
    assert add_working_days(date(2026, 9, 18), 1).date == date(2026, 9, 20)
    assert not any(is_working_day(date(2026, 10, day)) for day in range(1, 8))
    wednesday = date(2026, 9, 30)
    assert add_working_days(wednesday, 1).date == date(2026, 10, 8)
    assert add_working_days(wednesday, 3).date == date(2026, 10, 10)
    assert add_working_days(wednesday, 4).date == date(2026, 10, 12)


def test_an_entered_day_beats_the_package_both_ways():
    CalendarDay.objects.create(date=date(2026, 2, 14), kind=HOLIDAY, name="no make-up day after all")
    CalendarDay.objects.create(date=date(2026, 2, 16), kind=WORKDAY, name="a Monday worked")
    assert not is_working_day(date(2026, 2, 14))
    assert is_working_day(date(2026, 2, 16))
    assert add_working_days(date(2026, 2, 13), 1).date == date(2026, 2, 16)
    assert add_working_days(date(2026, 2, 13), 2).date == date(2026, 2, 24)


def test_counting_backwards():
    assert add_working_days(date(2026, 2, 24), -1).date == date(2026, 2, 14)
    assert add_working_days(date(2026, 1, 5), -1).date == date(2026, 1, 4)  # a make-up Sunday
    assert add_working_days(date(2026, 1, 4), -1).date == date(2025, 12, 31)
    assert add_working_days(date(2026, 5, 6), 0) == DueDate(date(2026, 5, 6), provisional=False)


# --- an unknown year ------------------------------------------------------------------------


def test_2027_is_provisional_and_falls_back_to_weekends_and_fixed_holidays():
    assert not is_provisional_year(2026)
    assert is_provisional_year(2027)
    assert not is_working_day(date(2027, 1, 1))  # 元旦, a Friday
    assert not is_working_day(date(2027, 5, 1))
    assert not any(is_working_day(date(2027, 10, day)) for day in (1, 2, 3))
    assert is_working_day(date(2027, 10, 4))  # a Monday: no guessing of the rest of the week
    assert is_working_day(date(2027, 2, 8))  # Spring Festival is lunar: unknown, so a working day

    due = add_working_days(date(2026, 12, 15), 20)
    # 12 working days in December after the 15th, 1 January skipped, then 4–8 and 11–13 January.
    assert due == DueDate(date(2027, 1, 13), provisional=True)


def test_a_due_date_is_provisional_only_if_it_counts_into_an_unknown_year():
    assert add_working_days(date(2026, 12, 1), 5) == DueDate(date(2026, 12, 8), provisional=False)
    assert add_working_days(date(2026, 12, 31), 1).provisional
    assert add_working_days(date(2027, 1, 4), -3) == DueDate(date(2026, 12, 29), provisional=True)


def test_entering_2027_moves_the_due_date_and_makes_it_final():
    before = add_working_days(date(2026, 12, 15), 20)
    assert before == DueDate(date(2027, 1, 13), provisional=True)

    enter_2027(date(2027, 1, 1), date(2027, 1, 4))  # the signals clear the cached years

    assert not is_provisional_year(2027)
    assert not is_working_day(date(2027, 1, 4))
    assert add_working_days(date(2026, 12, 15), 20) == DueDate(date(2027, 1, 14), provisional=False)


def test_an_entered_year_is_its_entered_days_and_weekends_only():
    enter_2027(workdays=(date(2027, 2, 6),))
    assert is_working_day(date(2027, 1, 1))  # no fixed-date fallback once the year is entered
    assert is_working_day(date(2027, 2, 6))  # an entered make-up Saturday


def test_entered_days_of_a_year_not_entered_in_full_apply_but_stay_provisional():
    CalendarDay.objects.create(date=date(2028, 1, 3), kind=HOLIDAY, name="元旦 (observed)")
    assert not is_working_day(date(2028, 1, 3))
    assert not is_working_day(date(2028, 1, 1))  # fallback still applies
    assert is_provisional_year(2028)


def test_deleting_the_entered_year_makes_it_provisional_again():
    enter_2027(date(2027, 1, 4))
    assert not is_provisional_year(2027)
    CalendarYear.objects.filter(year=2027).delete()
    assert is_provisional_year(2027)
    assert add_working_days(date(2026, 12, 15), 20) == DueDate(date(2027, 1, 14), provisional=True)


def test_a_rolled_back_entry_leaves_no_trace_in_the_cache():
    with pytest.raises(RuntimeError), transaction.atomic():
        enter_2027(date(2027, 1, 1), date(2027, 1, 4))
        assert add_working_days(date(2026, 12, 15), 20) == DueDate(date(2027, 1, 14), provisional=False)
        raise RuntimeError("the admin's save failed later on")
    assert add_working_days(date(2026, 12, 15), 20) == DueDate(date(2027, 1, 13), provisional=True)


def test_a_change_made_by_another_process_is_picked_up_through_the_shared_version(monkeypatch):
    assert is_provisional_year(2027)
    # Another process saved it: no signal here, only the version stamp in the shared cache.
    CalendarYear.objects.bulk_create([CalendarYear(year=2027)])
    assert is_provisional_year(2027)  # still this process's cached answer
    from django.core.cache import cache

    cache.set(calendar.VERSION_CACHE_KEY, uuid.uuid4().hex, timeout=None)
    monkeypatch.setattr(calendar, "VERSION_CHECK_SECONDS", 0)
    assert not is_provisional_year(2027)


def test_far_years_never_raise():
    for year in (2003, 2030, 2099):
        assert is_provisional_year(year)
        assert not is_working_day(date(year, 1, 1))
    due = add_working_days(date(2030, 3, 1), 500)
    assert due.provisional
    assert working_days_between(date(2030, 3, 1), due.date) == 500


# --- counting between dates -----------------------------------------------------------------


def test_working_days_between():
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2  # 14 Feb and 24 Feb
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 13)) == 0
    assert working_days_between(date(2026, 2, 24), date(2026, 2, 13)) == 0
    assert working_days_between(date(2026, 2, 14), date(2026, 2, 23)) == 0  # all holiday
    assert working_days_between(date(2026, 12, 15), date(2027, 1, 13)) == 20
    assert working_days_between(date(2024, 12, 31), date(2025, 12, 31)) == 248  # the whole of 2025
    assert working_days_between(date(2023, 12, 31), date(2024, 12, 31)) == 251  # the whole of 2024


@pytest.mark.parametrize("start", [date(2026, 1, 1), date(2026, 2, 13), date(2026, 9, 25), date(2026, 12, 20)])
def test_counting_between_undoes_adding(start):
    for days in range(1, 45):
        due = add_working_days(start, days).date
        assert working_days_between(start, due) == days
        assert is_working_day(due)
        assert add_working_days(due, -days).date <= start


def test_due_dates_do_not_query_per_day(django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # the entered days and the entered years, once
        for offset in range(1000):
            add_working_days(date.fromordinal(date(2026, 1, 1).toordinal() + offset % 400), 20)
    with django_assert_max_num_queries(0):
        working_days_between(date(2026, 1, 1), date(2027, 12, 31))
        missing_years(date(2026, 6, 1))


# --- the admin warning ----------------------------------------------------------------------


def test_missing_years():
    assert missing_years(date(2025, 6, 1)) == []
    assert missing_years(date(2026, 6, 1)) == [2027]
    assert missing_years(date(2027, 6, 1)) == [2027, 2028]
    enter_2027()
    assert missing_years(date(2026, 6, 1)) == []
    assert missing_years(date(2027, 6, 1)) == [2028]


@pytest.fixture
def in_2026(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2026, 11, 28))


@pytest.fixture
def with_warning(settings):
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["OPTIONS"]["context_processors"].append(CONTEXT_PROCESSOR)
    settings.TEMPLATES = templates


@pytest.fixture
def calendar_viewer(make_user):
    official = make_user("calendar_viewer", is_staff=True)
    official.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_calendarday", "view_calendaryear"])
    )
    return official


def test_the_context_processor_speaks_only_to_staff_on_admin_pages(in_2026, make_user, calendar_viewer):
    factory = RequestFactory()
    clerk = make_user("clerk")

    def context(path, user):
        request = factory.get(path)
        request.user = user
        return calendar.admin_calendar_warning(request)

    assert context("/admin/", calendar_viewer) == {"calendar_missing_years": [2027]}
    assert context("/inbox/", calendar_viewer) == {}
    assert context("/admin/", clerk) == {}


def test_the_admin_warns_until_the_missing_year_is_entered(in_2026, with_warning, client, calendar_viewer):
    from django.contrib import admin

    client.force_login(calendar_viewer)
    page = client.get("/admin/services/calendarday/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="calendar-warning"' in html
    assert "The official holiday schedule of 2027 has not been entered" in html
    with translation.override("en"):
        assert escape(str(admin.site.site_header)) in html  # the branding still shows

    enter_2027(date(2027, 1, 1))
    page = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert 'id="calendar-warning"' not in page.content.decode()


def test_no_warning_on_the_admin_login_page(in_2026, with_warning, client):
    page = client.get("/admin/login/")
    assert page.status_code == 200
    assert 'id="calendar-warning"' not in page.content.decode()


def test_only_superusers_change_the_calendar(client, calendar_viewer, make_user):
    client.force_login(calendar_viewer)
    assert client.get("/admin/services/calendarday/").status_code == 200
    assert client.get("/admin/services/calendaryear/").status_code == 200
    assert client.get("/admin/services/calendarday/add/").status_code == 403
    assert client.post(
        "/admin/services/calendaryear/add/", {"year": 2027, "note": "x"}
    ).status_code == 403
    assert not CalendarYear.objects.exists()

    root = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(root)
    response = client.post(
        "/admin/services/calendarday/add/", {"date": "2027-01-04", "kind": HOLIDAY, "name": "元旦"}
    )
    assert response.status_code == 302
    assert not is_working_day(date(2027, 1, 4))
