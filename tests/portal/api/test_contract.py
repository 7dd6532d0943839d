"""The API's infrastructure contract: pagination and ordering, /me/, tokens."""

import datetime

import pytest
from rest_framework.test import APIClient

from services.applications import workflow
from services.models import Application, Task
from tests.helpers import token_client

pytestmark = pytest.mark.django_db



def walk(client: APIClient, url: str, params: dict | None = None) -> tuple[list[int], int]:
    """Follow `next` to the end: the ids seen, in order, and the number of pages."""
    seen: list[int] = []
    pages = 0
    response = client.get(url, params or {})
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"next", "previous", "results"}
        seen += [row["id"] for row in body["results"]]
        pages += 1
        if body["next"] is None:
            return seen, pages
        response = client.get(body["next"])


def walk_back(client: APIClient, url: str) -> list[int]:
    """From the last page back to the first through `previous`."""
    body = client.get(url).json()
    while body["next"]:
        body = client.get(body["next"]).json()
    seen = [row["id"] for row in body["results"]]
    while body["previous"]:
        body = client.get(body["previous"]).json()
        seen = [row["id"] for row in body["results"]] + seen
    return seen


# --- cursor pagination and ordering ------------------------------------------------------------


def test_cursor_pagination_walks_every_application_once(world, clerk_api):
    created = [workflow.create_application(world["clerk"], world["enterprise"], world["standard"]).pk
               for _ in range(7)]
    # Ties on the ordering field are broken by the id.
    Application.objects.filter(pk__in=created[2:5]).update(created_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    expected = list(Application.objects.order_by("-created_at", "-id").values_list("id", flat=True))

    seen, pages = walk(clerk_api, "/api/v1/applications/", {"page_size": 3})
    assert seen == expected and pages == 3
    assert walk_back(clerk_api, "/api/v1/applications/?page_size=3") == expected
    assert walk(clerk_api, "/api/v1/applications/")[0] == expected  # 50 by default: one page


def test_ordering_by_a_nullable_date_keeps_every_row(world, clerk_api):
    ids = [workflow.create_application(world["clerk"], world["enterprise"], world["standard"]).pk
           for _ in range(6)]
    for pk, due in zip(ids, [datetime.date(2026, 12, 3), None, datetime.date(2026, 12, 1), None,
                             datetime.date(2026, 12, 3), datetime.date(2026, 12, 2)], strict=True):
        Application.objects.filter(pk=pk).update(decision_due=due)

    ascending, _ = walk(clerk_api, "/api/v1/applications/", {"ordering": "decision_due", "page_size": 2})
    dues = dict(Application.objects.values_list("id", "decision_due"))
    assert sorted(ascending) == sorted(ids) and len(ascending) == len(set(ascending))
    assert [dues[pk] for pk in ascending] == [datetime.date(2026, 12, 1), datetime.date(2026, 12, 2),
                                              datetime.date(2026, 12, 3), datetime.date(2026, 12, 3), None, None]
    descending, _ = walk(clerk_api, "/api/v1/applications/", {"ordering": "-decision_due", "page_size": 2})
    assert [dues[pk] for pk in descending][:4] == [datetime.date(2026, 12, 3), datetime.date(2026, 12, 3),
                                                   datetime.date(2026, 12, 2), datetime.date(2026, 12, 1)]
    assert sorted(descending) == sorted(ids)
    assert walk_back(clerk_api, "/api/v1/applications/?ordering=decision_due&page_size=4") == ascending


@pytest.mark.parametrize(("params", "field"), [
    ({"ordering": "password"}, "ordering"),
    ({"ordering": "--created_at"}, "ordering"),
    ({"page_size": "0"}, "page_size"),
    ({"page_size": "201"}, "page_size"),
    ({"page_size": "lots"}, "page_size"),
    ({"cursor": "not-a-cursor"}, "cursor"),
    ({"cursor": "eyJvIjoiLWNyZWF0ZWRfYXQiLCJiIjowLCJ2IjpbIm5vdCBhIGRhdGUiLDFdfQ"}, "cursor"),
    ({"created_after": "yesterday"}, "created"),
])
def test_bad_list_parameters_are_400_naming_them(world, clerk_api, params, field):
    workflow.create_application(world["clerk"], world["enterprise"], world["standard"])
    response = clerk_api.get("/api/v1/applications/", params)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field and response.json()["code"] == "invalid"


def test_a_cursor_of_another_ordering_is_refused(world, clerk_api):
    for _ in range(3):
        workflow.create_application(world["clerk"], world["enterprise"], world["standard"])
    following = clerk_api.get("/api/v1/applications/", {"page_size": 1}).json()["next"]
    cursor = following.split("cursor=")[1].split("&")[0]
    response = clerk_api.get("/api/v1/applications/", {"cursor": cursor, "ordering": "reference"})
    assert response.status_code == 400 and response.json()["field"] == "cursor"


def test_application_filters_by_mode_and_dates(world, clerk_api, draft):
    standard = draft("standard")
    commitment = draft("commitment")
    Application.objects.filter(pk=standard.pk).update(created_at=datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC))

    def ids(**params) -> set[int]:
        return {row["id"] for row in clerk_api.get("/api/v1/applications/", params).json()["results"]}

    assert ids(mode="commitment") == {commitment.pk}
    assert ids(created_before="2026-03-31") == {standard.pk}
    assert ids(created_after="2026-04-01") == {commitment.pk}
    assert ids(enterprise=world["enterprise"].pk) == {standard.pk, commitment.pk}
    workflow.submit(world["clerk"], commitment.pk, commitment_accepted=True)
    decided_on = Application.objects.get(pk=commitment.pk).decided_on.isoformat()
    assert ids(decided_after=decided_on, decided_before=decided_on) == {commitment.pk}


def test_the_timeline_is_paginated_oldest_first(world, clerk_api, draft):
    application = draft("standard")
    workflow.submit(world["clerk"], application.pk)
    url = f"/api/v1/applications/{application.pk}/events/"
    first = clerk_api.get(url, {"page_size": 2}).json()
    assert [event["action"] for event in first["results"]] == ["application.created",
                                                                "application.document_attached"]
    second = clerk_api.get(first["next"]).json()
    assert [event["action"] for event in second["results"]] == ["application.document_attached",
                                                                 "application.submitted"]
    assert second["next"] is None and second["previous"]


def test_an_officials_task_list_filters_by_status_and_orders(world, draft):
    zjw1 = world["officials"]["zjw1"]
    standard, parallel = draft("standard"), draft("parallel")
    for application in (standard, parallel):
        workflow.submit(world["clerk"], application.pk)
        workflow.accept(zjw1, application.pk)
    window = token_client("zjw1")
    queue = window.get("/api/v1/tasks/").json()["results"]
    assert {task["reference"] for task in queue} == {standard.reference, parallel.reference}
    assert all(task["status"] == "open" for task in queue)

    decided = Task.objects.get(application=standard, status="open")
    workflow.decide(zjw1, decided.pk, "approve")
    # Both acceptance tasks were approved too: the review tasks are asked for by kind.
    approved = window.get("/api/v1/tasks/", {"status": "approved", "kind": "review"}).json()["results"]
    assert [t["id"] for t in approved] == [decided.pk]
    assert decided.pk not in [t["id"] for t in window.get("/api/v1/tasks/").json()["results"]]
    everything = window.get("/api/v1/tasks/", {"status": "any"}).json()["results"]
    assert decided.pk in [t["id"] for t in everything]
    assert {t["reference"] for t in window.get("/api/v1/tasks/", {"mode": "parallel"}).json()["results"]} == {
        parallel.reference}
    by_reference = window.get("/api/v1/tasks/", {"status": "any", "ordering": "-reference"}).json()["results"]
    references = [t["reference"] for t in by_reference]
    assert references == sorted(references, reverse=True)


def test_officials_tokens_act_within_their_departments_only(world, draft):
    application = draft("standard")
    workflow.submit(world["clerk"], application.pk)
    workflow.accept(world["officials"]["zjw1"], application.pk)
    task = Task.objects.get(application=application, status="open")
    market = token_client("scj1")  # an official of another department

    assert market.get("/api/v1/tasks/", {"status": "any"}).json()["results"] == []
    assert market.get("/api/v1/tasks/", {"reference": application.reference}).json()["results"] == []
    refused = market.post(f"/api/v1/tasks/{task.pk}/decide/", {"decision": "approve"}, format="json")
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"
    # An official is not a member of the enterprise: its applications are not theirs to read.
    assert market.get(f"/api/v1/applications/{application.pk}/").status_code == 404
    task.refresh_from_db()
    assert task.status == "open"

    window = token_client("zjw1")
    assert window.post(f"/api/v1/tasks/{task.pk}/decide/", {"decision": "approve"}, format="json").status_code == 200


# --- /me/ and tokens ---------------------------------------------------------------------------


def test_me_describes_a_clerk_and_an_official(world, clerk_api):
    world["clerk"].first_name, world["clerk"].phone = "三", "13800000000"
    world["clerk"].save()
    me = clerk_api.get("/api/v1/me/").json()
    assert me["username"] == "clerk" and me["name"] == "三" and me["phone"] == "13800000000"
    assert me["is_official"] is False and me["departments"] == []
    assert me["enterprises"] == [{"id": world["enterprise"].pk, "name": world["enterprise"].name,
                                  "uscc": world["enterprise"].uscc, "status": "verified", "role": "admin"}]

    official = token_client("zjw1").get("/api/v1/me/").json()
    assert official["is_official"] is True and official["enterprises"] == []
    assert [d["code"] for d in official["departments"]] == ["ZJW"]

    assert APIClient().get("/api/v1/me/").status_code == 401


def test_tokens_are_listed_without_the_secret_and_revocable(world):
    first, second = APIClient(), APIClient()
    tokens = []
    for client in (first, second):
        response = client.post("/api/v1/auth/token/", {"username": "clerk", "password": "pw-Secret-123"}, format="json")
        tokens.append(response.json()["token"])
        client.credentials(HTTP_AUTHORIZATION=f"Token {tokens[-1]}")

    listing = first.get("/api/v1/auth/tokens/").json()
    assert len(listing) == 2
    assert all(set(row) == {"token_key", "created", "expiry", "current"} for row in listing)
    assert {row["token_key"] for row in listing} == {token[:15] for token in tokens}
    assert not any(token in str(listing) for token in tokens)
    assert [row["current"] for row in listing if row["token_key"] == tokens[0][:15]] == [True]

    assert first.delete(f"/api/v1/auth/tokens/{tokens[1][:15]}/").status_code == 204
    revoked = second.get("/api/v1/me/")
    assert revoked.status_code == 401 and revoked.json()["code"] == "authentication_failed"
    assert first.delete(f"/api/v1/auth/tokens/{tokens[1][:15]}/").status_code == 404

    # Another user's token is not found, and stays valid.
    outsider = token_client("zjw1")
    outsider_key = outsider.get("/api/v1/auth/tokens/").json()[0]["token_key"]
    assert first.delete(f"/api/v1/auth/tokens/{outsider_key}/").status_code == 404
    assert outsider.get("/api/v1/me/").status_code == 200

    assert first.post("/api/v1/auth/logout/").status_code == 204
    assert first.get("/api/v1/me/").status_code == 401
