"""一次性告知: everything to correct is named in the first notice; a later notice may name only
the materials the company replaced since."""

import pytest
from django.core.exceptions import ValidationError

from services.applications import workflow
from services.models import CorrectionNotice, State
from tests.conftest import licence_file
from tests.helpers import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def corrected(world, draft):
    """Returned at intake for the lease; the company replaced the lease and submitted again."""
    clerk, zjw = world["clerk"], world["officials"]["zjw1"]
    with at(2026, 3, 2):
        application = draft("standard")
        workflow.submit(clerk, application.pk)
        workflow.request_correction(zjw, application.pk, ["租赁合同缺少盖章页"])
    with at(2026, 3, 4):
        workflow.attach_document(clerk, application.pk, "lease", licence_file("lease-stamped.pdf"))
        workflow.resubmit(clerk, application.pk)
    return application


def test_a_second_notice_naming_an_unchanged_material_is_refused_and_changes_nothing(world, corrected):
    zjw = world["officials"]["zjw1"]
    with at(2026, 3, 5), pytest.raises(ValidationError) as refused:
        workflow.request_correction(zjw, corrected.pk, ["申请表未签字", "租赁合同日期有误"])

    message = refused.value.message_dict["items"][0]
    assert "申请表未签字" in message and "租赁合同" in message
    corrected.refresh_from_db()
    assert corrected.state == State.SUBMITTED
    assert CorrectionNotice.objects.filter(application=corrected).count() == 1


def test_a_second_notice_about_a_replaced_material_is_accepted(world, corrected):
    with at(2026, 3, 5):
        workflow.request_correction(world["officials"]["zjw1"], corrected.pk, ["租赁合同日期有误"])
    corrected.refresh_from_db()
    assert corrected.state == State.CORRECTION_REQUESTED
    assert CorrectionNotice.objects.filter(application=corrected).count() == 2


def test_a_return_in_review_follows_the_same_rule(world, corrected):
    zjw = world["officials"]["zjw1"]
    with at(2026, 3, 5):
        workflow.accept(zjw, corrected.pk)
        task = corrected.tasks.get(status="open")
        with pytest.raises(ValidationError) as refused:
            workflow.decide(zjw, task.pk, "return", "申请表未签字")
        assert "comment" in refused.value.message_dict
        workflow.decide(zjw, task.pk, "return", "租赁合同日期有误")
    corrected.refresh_from_db()
    assert corrected.state == State.CORRECTION_REQUESTED


def test_the_official_sees_what_was_replaced_since_the_notice(client, world, corrected, superuser):
    client.force_login(superuser)
    page = client.get(f"/admin/services/application/{corrected.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")
    content = page.content.decode()
    assert "Replaced since the last notice" in content
    assert "lease-stamped.pdf" in content
