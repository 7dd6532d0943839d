"""好差评 as people see it: the clerk's form on the decided application's page, the officials' admin list."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from services.ratings.models import Rating, Rectification
from services.ratings.workflow import close_rectification, rate_application
from tests.helpers import at, messages_of

pytestmark = pytest.mark.django_db

LABELS = ["5 · Very satisfied", "4 · Satisfied", "3 · Basically satisfied", "2 · Dissatisfied",
          "1 · Very dissatisfied"]


@pytest.fixture
def clerk_page(world) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(world["clerk"])
    return client


@pytest.fixture
def rectifier(world, as_official):
    """An official of the world signed in to the admin, allowed to see and close rectifications."""
    permissions = Permission.objects.filter(content_type__app_label="services",
                                            codename__in=["view_rectification", "change_rectification"])

    def login(name: str) -> Client:
        world["officials"][name].user_permissions.add(*permissions)
        return as_official(name, "en")

    return login


def page(client: Client, application) -> str:
    return client.get(f"/applications/{application.pk}/").content.decode()


def test_the_decided_application_offers_the_five_labels_and_takes_the_rating(world, decided, clerk_page):
    application = decided("approved")
    html = page(clerk_page, application)
    assert 'id="rating-form"' in html
    assert all(label in html for label in LABELS)

    with at(2026, 9, 21):
        response = clerk_page.post(reverse("application_rate", args=[application.pk]),
                                   {"score": "2", "comment": "消防审查意见前后不一。"}, follow=True)
    assert messages_of(response) == [
        "Thank you for your rating. The department will look into it and answer by 2026-10-19."]
    html = response.content.decode()
    assert "Your rating: 2 · Dissatisfied" in html and "消防审查意见前后不一。" in html
    assert "区消防救援支队 is rectifying after this rating and will answer by Oct. 19, 2026." in html
    assert 'id="rating-form"' not in html


def test_no_form_before_the_decision_and_a_refusal_is_told(world, decided, clerk_page):
    application = decided("accepted")
    assert 'id="rating"' not in page(clerk_page, application)
    response = clerk_page.post(reverse("application_rate", args=[application.pk]), {"score": "5"}, follow=True)
    assert messages_of(response) == [
        "An application can be rated once its decision is made (approved, rejected or not accepted)."]
    assert not Rating.objects.exists()


def test_a_missing_score_is_told_naming_the_field(world, decided, clerk_page):
    application = decided("rejected")
    response = clerk_page.post(reverse("application_rate", args=[application.pk]), {"comment": "没选"}, follow=True)
    assert messages_of(response) == ["Rating: Choose a rating from 1 (very dissatisfied) to 5 (very satisfied)."]
    assert not Rating.objects.exists()


def test_another_enterprise_cannot_post_a_rating(world, decided, make_enterprise, charlie):
    application = decided("approved")
    make_enterprise(charlie, uscc="91110106MA01FTCC3R")
    outsider = Client()
    outsider.force_login(charlie)
    assert outsider.post(reverse("application_rate", args=[application.pk]), {"score": "1"}).status_code == 404
    assert outsider.get(f"/applications/{application.pk}/").status_code == 404
    assert not Rating.objects.exists()


def test_the_outcome_shows_on_the_page_with_the_final_rating_form(world, decided, clerk_page):
    application = decided("approved")
    rate_application(world["clerk"], application, 1, "态度差")
    close_rectification(world["officials"]["xfj1"], Rectification.objects.get(), "已约谈窗口人员并回访企业。")

    html = page(clerk_page, application)
    assert "区消防救援支队 closed the rectification on" in html and "已约谈窗口人员并回访企业。" in html
    assert "Rate again after the rectification (this rating is final)" in html
    clerk_page.post(reverse("application_rate", args=[application.pk]), {"score": "4"})
    html = page(clerk_page, application)
    assert "Your final rating: 4 · Satisfied" in html and 'id="rating-form"' not in html


def test_the_admin_lists_the_departments_rectifications_soonest_due_first_overdue_marked(world, decided, rectifier):
    first, second, third = decided("approved"), decided("approved"), decided("rejected")
    with at(2026, 9, 21):
        rate_application(world["clerk"], second, 2)  # due 10-19
    with at(2026, 9, 1):
        rate_application(world["clerk"], first, 1)  # due 09-21
    rate_application(world["clerk"], third, 1)  # the window's (区住建委), not the fire brigade's

    with at(2026, 10, 9):
        html = rectifier("xfj1").get(reverse("admin:services_rectification_changelist")).content.decode()
    assert first.reference in html and second.reference in html and third.reference not in html
    assert html.index(first.reference) < html.index(second.reference)
    assert html.count('class="overdue-badge"') == 1
    assert html.index('class="overdue-badge"') < html.index(second.reference)


def test_the_official_closes_it_in_the_admin_and_another_department_cannot(world, decided, rectifier):
    application = decided("approved")
    rate_application(world["clerk"], application, 1, "态度差")
    rectification = Rectification.objects.get()
    change = reverse("admin:services_rectification_change", args=[rectification.pk])
    close = reverse("admin:services_rectification_close", args=[rectification.pk])

    window = rectifier("zjw1")
    hidden = window.get(change)  # the admin's answer for a row that does not exist: back to its index
    assert hidden.status_code == 302 and hidden.url == reverse("admin:index")
    assert window.post(close, {"outcome": "越权关闭"}).status_code == 404

    fire = rectifier("xfj1")
    html = fire.get(change).content.decode()
    assert 'id="close-rectification"' in html and "态度差" in html
    blank = fire.post(close, {"outcome": " "}, follow=True)
    assert messages_of(blank) == ["outcome: Write the outcome of the rectification; the applicant will read it."]
    done = fire.post(close, {"outcome": "已约谈窗口人员并回访企业。"}, follow=True)
    assert messages_of(done) == [
        f"The rectification of {application.reference} was closed; the applicant is told the outcome."]
    rectification.refresh_from_db()
    assert (rectification.status, rectification.outcome) == ("closed", "已约谈窗口人员并回访企业。")
    assert 'id="close-rectification"' not in fire.get(change).content.decode()
