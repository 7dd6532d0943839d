"""The service manager's (服务管家) workbench: their own enterprises only, by admin and API; told when
an enterprise files, is late, is matched or rates badly; a daily digest, once a day; notes and the
thread with the enterprise, each message telling the other side."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.translation import override
from rest_framework.test import APIClient

from enterprises.managers.alerts import run_alert_scans
from enterprises.managers.digest import send_daily_digests
from enterprises.managers.extensions import Item, register_section, unregister_section
from enterprises.managers.models import ManagerNote, ThreadMessage
from notifications.models import Notification
from services.applications import workflow
from services.models import Application
from services.ratings.workflow import rate_application
from tests.conftest import licence_file

pytestmark = pytest.mark.django_db

WORKBENCH = "/admin/enterprises/managedenterprise/"


def told(user, kind: str, template_key: str | None = None) -> list[Notification]:
    rows = Notification.objects.filter(recipient=user, channel="inbox", kind=kind)
    if template_key:
        rows = rows.filter(template_key=template_key)
    return list(rows)


def filed(portfolio, mode: str = "standard") -> Application:
    clerk = portfolio["clerk"]
    application = workflow.create_application(clerk, portfolio["enterprise"], portfolio[mode])
    for material in portfolio[mode].materials.all():
        workflow.attach_document(clerk, application.pk, material.code, licence_file(f"{material.code}.pdf"))
    return workflow.submit(clerk, application.pk)


def signed_in(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def test_the_admin_lists_only_the_managers_own_enterprises(portfolio):
    mine, theirs = portfolio["enterprise"], portfolio["other"]
    listing = signed_in(portfolio["manager"]).get(WORKBENCH)
    assert listing.status_code == 200
    page = listing.content.decode()
    assert mine.name in page and theirs.name not in page
    client = signed_in(portfolio["manager"])
    own = client.get(f"{WORKBENCH}{mine.pk}/change/")
    assert own.status_code == 200 and "Open applications" in own.content.decode()
    assert client.get(f"{WORKBENCH}{theirs.pk}/change/").status_code == 404
    assert client.post(f"{WORKBENCH}{theirs.pk}/note/", {"text": "x"}).status_code == 404
    assert client.post(f"{WORKBENCH}{theirs.pk}/message/", {"text": "x"}).status_code == 404
    assert not ThreadMessage.objects.exists() and not ManagerNote.objects.exists()


def test_an_official_who_manages_nothing_sees_an_empty_workbench(portfolio):
    page = signed_in(portfolio["officials"]["xfj1"]).get(WORKBENCH).content.decode()
    assert portfolio["enterprise"].name not in page and portfolio["other"].name not in page


def test_the_api_lists_only_the_managers_own_enterprises(portfolio):
    filed(portfolio)
    api = APIClient()
    api.force_authenticate(portfolio["manager"])
    listing = api.get("/api/v1/managed-enterprises/").json()["results"]
    assert [row["id"] for row in listing] == [portfolio["enterprise"].pk]
    assert listing[0]["counts"]["open_applications"] == 1
    detail = api.get(f"/api/v1/managed-enterprises/{portfolio['enterprise'].pk}/").json()
    assert {section["code"] for section in detail["sections"]} >= {"open_applications", "warnings", "matches",
                                                                     "ratings"}
    assert api.get(f"/api/v1/managed-enterprises/{portfolio['other'].pk}/").status_code == 404
    api.force_authenticate(portfolio["clerk"])  # a clerk manages nothing, not even their own enterprise
    assert api.get("/api/v1/managed-enterprises/").json()["results"] == []
    assert api.get(f"/api/v1/managed-enterprises/{portfolio['enterprise'].pk}/").status_code == 404


def test_the_manager_is_told_when_an_enterprise_files(portfolio):
    application = filed(portfolio)
    [message] = told(portfolio["manager"], "manager.alert", "manager.alert")
    assert application.reference in message.subject
    assert message.link == f"{WORKBENCH}{portfolio['enterprise'].pk}/change/"
    assert told(portfolio["other_manager"], "manager.alert") == []


def test_the_manager_is_told_of_a_bad_rating_not_a_good_one(portfolio):
    official = portfolio["officials"]["zjw1"]
    refused = filed(portfolio)
    workflow.refuse(official, refused.pk, "不属于本部门职权。")
    rate_application(portfolio["clerk"], refused.pk, 1, "跑了三趟")
    other = filed(portfolio)
    workflow.refuse(official, other.pk, "不属于本部门职权。")
    rate_application(portfolio["clerk"], other.pk, 5, "")
    [bad] = told(portfolio["manager"], "manager.alert", "manager.alert:rated_badly")
    assert refused.reference in bad.subject and "跑了三趟" in bad.body


def test_the_manager_is_told_once_when_an_application_is_late(portfolio):
    application = filed(portfolio)
    Application.objects.filter(pk=application.pk).update(acceptance_due=timezone.localdate() - datetime.timedelta(days=1))
    run_alert_scans(timezone.localdate())
    run_alert_scans(timezone.localdate())
    [late] = told(portfolio["manager"], "manager.alert", "manager.alert:late")
    assert application.reference in late.subject


def test_the_manager_is_told_once_of_new_matches(portfolio, make_talent, make_policy):
    from talent.models import PolicyMatch

    policy = make_policy("FC01")
    talent = make_talent(portfolio["enterprise"])
    PolicyMatch.objects.create(policy=policy, talent=talent, enterprise=portfolio["enterprise"],
                               matched_on=timezone.localdate(), notified_at=timezone.now())
    run_alert_scans(timezone.localdate())
    run_alert_scans(timezone.localdate())
    [matched] = told(portfolio["manager"], "manager.alert", "manager.alert:matched")
    assert "政策FC01" in matched.body


def test_the_daily_digest_goes_once_a_day(portfolio):
    filed(portfolio)
    today = timezone.localdate()
    send_daily_digests(today)
    send_daily_digests(today)
    [digest] = told(portfolio["manager"], "manager.digest")
    with override("en"):
        assert today.isoformat() in digest.subject
    send_daily_digests(today + datetime.timedelta(days=1))
    assert len(told(portfolio["manager"], "manager.digest")) == 2
    assert len(told(portfolio["other_manager"], "manager.digest")) == 2  # their own portfolio's


def test_the_clerks_message_tells_the_manager_and_the_answer_tells_the_clerk(portfolio):
    enterprise = portfolio["enterprise"]
    clerk_page = signed_in(portfolio["clerk"])
    response = clerk_page.post(f"/enterprises/{enterprise.pk}/messages/", {"text": "请问人才补贴何时拨付？"})
    assert response.status_code == 302
    [to_manager] = told(portfolio["manager"], "thread.message")
    assert "请问人才补贴何时拨付" in to_manager.body
    assert told(portfolio["other_manager"], "thread.message") == []

    manager = signed_in(portfolio["manager"])
    assert manager.post(f"{WORKBENCH}{enterprise.pk}/message/", {"text": "本月底前拨付。"}).status_code == 302
    [to_clerk] = told(portfolio["clerk"], "thread.message")
    assert "本月底前拨付" in to_clerk.body and to_clerk.link == f"/enterprises/{enterprise.pk}/messages/"
    page = clerk_page.get(f"/enterprises/{enterprise.pk}/messages/").content.decode()
    assert "请问人才补贴何时拨付" in page and "本月底前拨付" in page
    # A stranger neither reads nor writes the thread.
    assert signed_in(portfolio["stranger"]).get(f"/enterprises/{enterprise.pk}/messages/").status_code == 404


def test_an_empty_message_is_refused_with_the_field_named(portfolio):
    response = signed_in(portfolio["clerk"]).post(f"/enterprises/{portfolio['enterprise'].pk}/messages/", {"text": " "})
    assert response.status_code == 400 and 'id="text-error"' in response.content.decode()
    api = APIClient()
    api.force_authenticate(portfolio["manager"])
    answer = api.post(f"/api/v1/managed-enterprises/{portfolio['enterprise'].pk}/messages/", {"text": ""}, format="json")
    assert answer.status_code == 400 and answer.json()["field"] == "text"


def test_notes_are_the_managers_own(portfolio):
    enterprise = portfolio["enterprise"]
    api = APIClient()
    api.force_authenticate(portfolio["manager"])
    created = api.post(f"/api/v1/managed-enterprises/{enterprise.pk}/notes/", {"text": "法人更换中，注意材料。"},
                       format="json")
    assert created.status_code == 201
    assert [note["text"] for note in api.get(f"/api/v1/managed-enterprises/{enterprise.pk}/notes/").json()] == [
        "法人更换中，注意材料。"]
    page = signed_in(portfolio["manager"]).get(f"{WORKBENCH}{enterprise.pk}/change/").content.decode()
    assert "法人更换中" in page
    # Nowhere on the enterprise's own pages, nor for another manager.
    clerk = signed_in(portfolio["clerk"])
    for url in (f"/enterprises/{enterprise.pk}/", f"/enterprises/{enterprise.pk}/package/",
                f"/enterprises/{enterprise.pk}/messages/"):
        assert "法人更换中" not in clerk.get(url).content.decode(), url
    api.force_authenticate(portfolio["other_manager"])
    assert api.get(f"/api/v1/managed-enterprises/{enterprise.pk}/notes/").status_code == 404


def test_a_section_registered_by_another_app_shows_on_the_workbench(portfolio):
    """The extension point the 免申即享 offers fill: here with a stand-in contributor."""
    enterprise = portfolio["enterprise"]

    def confirmations(enterprise_ids):
        return {enterprise.pk: [Item(title="人才住房补贴 · 待确认", level="warning")]} if enterprise.pk in enterprise_ids else {}

    register_section("confirmations", "Confirmations waiting", confirmations, order=40)
    try:
        api = APIClient()
        api.force_authenticate(portfolio["manager"])
        [row] = api.get("/api/v1/managed-enterprises/").json()["results"]
        assert row["counts"]["confirmations"] == 1 and row["counts"]["warnings_total"] == 1
        page = signed_in(portfolio["manager"]).get(f"{WORKBENCH}{enterprise.pk}/change/").content.decode()
        assert "Confirmations waiting" in page and "人才住房补贴 · 待确认" in page
    finally:
        unregister_section("confirmations")
