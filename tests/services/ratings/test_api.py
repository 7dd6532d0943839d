"""好差评 by the REST API: an integrating system rates the application; the department's token rectifies."""

import pytest

from services.ratings.models import Rating, Rectification
from tests.helpers import at, token_client

pytestmark = pytest.mark.django_db


def rating_url(application) -> str:
    return f"/api/v1/applications/{application.pk}/rating/"


def test_the_clerk_reads_and_gives_the_rating(world, decided, clerk_api):
    application = decided("approved")
    assert clerk_api.get(rating_url(application)).json() == {"may_rate": True, "ratings": []}

    with at(2026, 9, 21):
        response = clerk_api.post(rating_url(application), {"score": 2, "comment": "消防审查意见前后不一。"},
                                  format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["may_rate"] is False
    [rating] = body["ratings"]
    assert {key: rating[key] for key in ("round", "score", "label", "comment", "final", "rated_by")} == {
        "round": 1, "score": 2, "label": "Dissatisfied", "comment": "消防审查意见前后不一。", "final": False,
        "rated_by": "clerk"}
    assert rating["department"]["code"] == "XFJ"
    assert rating["rectification"]["status"] == "open" and rating["rectification"]["due_date"] == "2026-10-19"
    assert clerk_api.get(rating_url(application), HTTP_ACCEPT_LANGUAGE="en").json() == body


def test_a_second_rating_is_409_with_the_reason_and_a_bad_score_400_naming_it(world, decided, clerk_api):
    application = decided("rejected")
    refused = clerk_api.post(rating_url(application), {"score": 7}, format="json")
    assert refused.status_code == 400 and refused.json()["field"] == "score"
    too_long = clerk_api.post(rating_url(application), {"score": 3, "comment": "长" * 501}, format="json")
    assert too_long.status_code == 400 and too_long.json()["field"] == "comment"
    assert not Rating.objects.exists()

    assert clerk_api.post(rating_url(application), {"score": 4}, format="json").status_code == 201
    again = clerk_api.post(rating_url(application), {"score": 1}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 409
    assert again.json()["message"] == "This application has already been rated; each application is rated once."
    assert Rating.objects.get().score == 4


def test_before_the_decision_409_and_another_enterprise_404(world, decided, make_enterprise, make_user):
    clerk_api = token_client("clerk")
    in_review = decided("accepted")
    assert clerk_api.post(rating_url(in_review), {"score": 5}, format="json").status_code == 409
    assert clerk_api.get(rating_url(in_review)).json()["may_rate"] is False

    approved = decided("approved")
    make_enterprise(make_user("outsider"), uscc="91110106MA01FTCC3R")
    outsider = token_client("outsider")
    assert outsider.get(rating_url(approved)).status_code == 404
    assert outsider.post(rating_url(approved), {"score": 1}, format="json").status_code == 404
    assert not Rating.objects.exists()


def test_the_department_lists_retrieves_and_closes_its_rectifications(world, decided, clerk_api):
    late, soon = decided("approved"), decided("approved")
    with at(2026, 9, 1):
        clerk_api.post(rating_url(late), {"score": 1, "comment": "态度差"}, format="json")
    with at(2026, 9, 21):
        clerk_api.post(rating_url(soon), {"score": 2}, format="json")
    fire = token_client("xfj1")

    with at(2026, 10, 9):
        listed = fire.get("/api/v1/rectifications/").json()["results"]
        overdue = fire.get("/api/v1/rectifications/?overdue=true").json()["results"]
    assert [(row["reference"], row["due_date"], row["overdue"]) for row in listed] == [
        (late.reference, "2026-09-21", True),  # 15 working days from 09-01, Sunday 09-20 (调休) among them
        (soon.reference, "2026-10-19", False),
    ]
    assert [row["reference"] for row in overdue] == [late.reference]
    first = listed[0]
    assert first["rating"]["score"] == 1 and first["rating"]["comment"] == "态度差"
    assert first["enterprise"] == world["enterprise"].name and first["department"]["code"] == "XFJ"

    assert fire.get(f"/api/v1/rectifications/{first['id']}/").json()["status"] == "open"
    blank = fire.post(f"/api/v1/rectifications/{first['id']}/close/", {"outcome": ""}, format="json")
    assert blank.status_code == 400 and blank.json()["field"] == "outcome"
    closed = fire.post(f"/api/v1/rectifications/{first['id']}/close/", {"outcome": "已约谈窗口人员并回访企业。"},
                       format="json")
    assert closed.status_code == 200, closed.content
    assert (closed.json()["status"], closed.json()["closed_by"]) == ("closed", "xfj1")
    assert fire.post(f"/api/v1/rectifications/{first['id']}/close/", {"outcome": "再关一次"},
                     format="json").status_code == 409
    assert [row["reference"] for row in fire.get("/api/v1/rectifications/?status=open").json()["results"]] == [
        soon.reference]

    # The applicant reads the outcome and may rate once more; that rating is final.
    status = clerk_api.get(rating_url(late)).json()
    assert status["may_rate"] is True
    assert status["ratings"][0]["rectification"]["outcome"] == "已约谈窗口人员并回访企业。"
    final = clerk_api.post(rating_url(late), {"score": 4}, format="json").json()
    assert [r["final"] for r in final["ratings"]] == [False, True] and final["may_rate"] is False


def test_an_official_of_another_department_neither_sees_nor_closes_it(world, decided, clerk_api):
    clerk_api.post(rating_url(decided("approved")), {"score": 1}, format="json")
    rectification = Rectification.objects.get()
    for other in ("zjw1", "scj1", "clerk"):
        client = token_client(other)
        assert client.get("/api/v1/rectifications/").json()["results"] == []
        assert client.get(f"/api/v1/rectifications/{rectification.pk}/").status_code == 404
        assert client.post(f"/api/v1/rectifications/{rectification.pk}/close/", {"outcome": "越权关闭"},
                           format="json").status_code == 404
    rectification.refresh_from_db()
    assert rectification.status == "open"


def test_a_retried_rating_with_the_same_key_counts_once(world, decided, clerk_api):
    application = decided("approved")
    first = clerk_api.post(rating_url(application), {"score": 5}, format="json", HTTP_IDEMPOTENCY_KEY="rate-1")
    again = clerk_api.post(rating_url(application), {"score": 5}, format="json", HTTP_IDEMPOTENCY_KEY="rate-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true" and again.content == first.content
    assert Rating.objects.count() == 1
