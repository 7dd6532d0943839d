"""The credit list bars every signed commitment — the commitment mode and deferred materials — until
an official of the registering department records a credit repair."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from enterprises.credit import repair_credit
from enterprises.models import CreditRecord
from portal.core.errors import IllegalTransition
from portal.models import AuditEvent
from services.applications import workflow
from services.models import State
from tests.conftest import licence_file
from tests.helpers import messages_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(world):
    """The world's enterprise, listed a month ago for a failed post-check, until next year."""
    enterprise = world["enterprise"]
    today = datetime.date.today()
    CreditRecord.objects.create(enterprise=enterprise, reason="事后核查不通过。", listed_on=today,
                                listed_until=today + datetime.timedelta(days=365))
    enterprise.credit_listed_until = today + datetime.timedelta(days=365)
    enterprise.save()
    return enterprise


def test_a_listed_enterprise_may_not_defer_materials_but_may_attach_them_all(world, draft, listed):
    application = draft("deferred", skip=("lease",))
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        workflow.submit(world["clerk"], application.pk, deferred_materials=["lease"], commitment_accepted=True)
    assert "credit list" in " ".join(refused.value.message_dict["deferred_materials"])
    application.refresh_from_db()
    assert application.state == State.DRAFT

    workflow.attach_document(world["clerk"], application.pk, "lease", licence_file("lease.pdf"))
    workflow.submit(world["clerk"], application.pk)
    application.refresh_from_db()
    assert application.state == State.SUBMITTED


def test_the_registration_official_records_a_credit_repair_and_the_bar_lifts(
    client, world, draft, listed, registration_official
):
    client.force_login(registration_official)
    changelist = client.get("/admin/enterprises/enterprise/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Record a credit repair" in changelist
    url = f"/admin/enterprises/enterprise/{listed.pk}/repair-credit/"
    assert client.post(url, {"reason": ""}).status_code == 200  # the reason is required

    response = client.post(url, {"reason": "已整改并通过复查。", "evidence": licence_file("整改报告.pdf")},
                           HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302
    assert messages_of(response) == [f"Credit repair recorded: {listed.name} may use commitments again."]
    listed.refresh_from_db()
    assert not listed.on_credit_list()
    record = CreditRecord.objects.get(enterprise=listed)
    assert record.repaired_by == registration_official and record.repair_reason == "已整改并通过复查。"
    assert record.repair_evidence.name
    event = AuditEvent.objects.get(action="enterprise.credit_repaired", target_id=listed.pk)
    assert event.actor == registration_official and event.reason == "已整改并通过复查。"
    # The commitment mode is open again.
    application = draft("commitment")
    workflow.submit(world["clerk"], application.pk, commitment_accepted=True)
    application.refresh_from_db()
    assert application.state == State.APPROVED


def test_only_the_registering_department_repairs_credit_and_only_a_listed_enterprise(world, listed,
                                                                                   registration_official):
    with pytest.raises(PermissionError):
        repair_credit(world["officials"]["zjw1"], listed.pk, "理由")
    repair_credit(registration_official, listed.pk, "理由")
    with pytest.raises(IllegalTransition):
        repair_credit(registration_official, listed.pk, "再次修复")
    assert AuditEvent.objects.filter(action="enterprise.credit_repaired").count() == 1
