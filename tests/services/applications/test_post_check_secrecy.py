"""A commitment approval may be checked afterwards at random (事后核查): the applicant is never told
whether it was drawn — not on the page, not in the API's timeline, not by a message — so every
approval keeps the deterrent of the check. The check shows once it is carried out."""

import re

import pytest
from django.test import Client

from notifications.models import Notification
from portal.models import AuditEvent
from services.applications import workflow
from tests.helpers import token_client

pytestmark = pytest.mark.django_db


def timeline_of(client, application) -> list[str]:
    html = client.get(f"/applications/{application.pk}/").content.decode()
    return re.findall(r'<span class="event-action">([^<]+)</span>', html)


@pytest.fixture
def drawn_and_not(world, draft):
    """Two commitment approvals of the world's clerk: the draw picked the first and not the second."""
    service = world["commitment"]
    drawn, passed_over = draft("commitment"), draft("commitment")
    for application in (drawn, passed_over):
        workflow.submit(world["clerk"], application.pk, commitment_accepted=True)
    told_before = Notification.objects.count()
    assert workflow.sample_post_check(drawn.pk) is not None
    service.post_check_ratio = 0
    service.save()
    assert workflow.sample_post_check(passed_over.pk) is None
    # Both draws are in the audit trail, for the officials.
    assert set(AuditEvent.objects.filter(action__startswith="application.post_check").values_list(
        "action", flat=True)) == {"application.post_check_sampled", "application.post_check_not_sampled"}
    return drawn, passed_over, told_before


def test_the_clerk_s_page_reads_the_same_whether_the_approval_was_drawn_or_not(world, drawn_and_not):
    drawn, passed_over, _told = drawn_and_not
    client = Client(headers={"accept-language": "en"})
    client.force_login(world["clerk"])
    assert timeline_of(client, drawn) == timeline_of(client, passed_over)
    for application in (drawn, passed_over):
        html = client.get(f"/applications/{application.pk}/").content.decode()
        assert not re.search(r"(?i)drawn|sampl", html)
        # Every commitment approval is told the check may come.
        assert "may check afterwards, at random" in html


def test_the_api_timeline_leaves_the_draw_out(world, drawn_and_not):
    drawn, passed_over, _told = drawn_and_not
    api = token_client("clerk")

    def actions(application):
        return [e["action"] for e in api.get(f"/api/v1/applications/{application.pk}/events/").json()["results"]]

    assert actions(drawn) == actions(passed_over)
    assert not any("post_check" in action for action in actions(drawn))


def test_only_the_drawn_official_is_told_of_the_draw(world, drawn_and_not):
    _drawn, _passed_over, told_before = drawn_and_not
    new = list(Notification.objects.order_by("id"))[told_before:]
    assert {n.recipient for n in new} == {world["officials"]["scj1"]}
    assert {n.kind for n in new} == {"post_check.assigned"}


def test_a_check_carried_out_shows_in_the_clerk_s_timeline(world, drawn_and_not):
    drawn, _passed_over, _told = drawn_and_not
    workflow.run_post_check(world["officials"]["scj1"], drawn.post_check.pk, passed=True, note="核查无误")
    client = Client(headers={"accept-language": "en"})
    client.force_login(world["clerk"])
    assert timeline_of(client, drawn)[-1] == "Post-check passed"


def test_officials_read_the_draw_in_the_admin_timeline(world, drawn_and_not, as_official):
    drawn, passed_over, _told = drawn_and_not
    admin = as_official("scj1", "en")
    for application, words in ((drawn, "Drawn for a post-check"), (passed_over, "Not drawn for a post-check")):
        html = admin.get(f"/admin/services/application/{application.pk}/change/").content.decode()
        assert words in html
