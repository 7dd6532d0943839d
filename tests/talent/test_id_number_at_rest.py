"""A talent's ID number is encrypted at rest, found by its digest, unique per employer, and never shown
whole except to an entitled official who asks for it, which the audit trail records."""

import datetime
import json
import logging

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError, connection, transaction
from django.test import Client

from notifications.delivery import deliver
from notifications.models import Notification
from portal.core.masking import mask_phone
from portal.models import AuditEvent
from services.applications import workflow
from talent import identity
from talent.applications import apply_for_policy
from talent.models import Talent
from talent.profiles import add_talent
from tests.conftest import VALID_USCCS, id_number
from tests.helpers import approve_open_task, token_client

pytestmark = pytest.mark.django_db

NUMBER = "11010519491231002X"
PHONE = "13800138000"
PROFILE = {"name": "张三", "education": "doctorate", "title": "研究员", "field": "人工智能", "tier": "A",
           "returnee": False, "started_on": datetime.date(2024, 1, 1)}


def raw_talent_row(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM talent_talent WHERE id = %s", [pk])
        return " ".join(str(value) for value in cursor.fetchone())


@pytest.fixture
def reviewer(talent_department):
    """The talent office's official, with the permissions seed_demo gives officials on applications."""
    official = talent_department["official"]
    official.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="services", codename__in=["view_application", "change_application", "view_task"]))
    return official


def signed_in(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def test_the_database_row_holds_no_plain_id_number_and_the_profile_reads_it_back(alice, alices_enterprise):
    talent = add_talent(alice, alices_enterprise, {**PROFILE, "id_number": "11010519491231002x"})
    row = raw_talent_row(talent.pk)
    assert NUMBER not in row and NUMBER.lower() not in row and "19491231" not in row.split("1949-12-31")[0]
    assert "sm4gcm:" in row
    stored = Talent.objects.get(pk=talent.pk)
    assert (stored.id_number, stored.birth_date, stored.gender) == (NUMBER, datetime.date(1949, 12, 31), "female")


def test_a_talent_is_found_by_the_id_number_through_its_digest(alice, alices_enterprise):
    talent = add_talent(alice, alices_enterprise, {**PROFILE, "id_number": NUMBER})
    add_talent(alice, alices_enterprise, {**PROFILE, "name": "李四", "id_number": id_number(datetime.date(1990, 1, 1))})
    assert identity.same_person(alices_enterprise, "11010519491231002x").get().pk == talent.pk
    assert talent.id_number_lookup == identity.lookup(NUMBER) != ""
    assert not identity.same_person(alices_enterprise, id_number(datetime.date(1991, 1, 1))).exists()


def test_the_same_person_is_once_per_employer_even_past_the_domain_rule(alice, alices_enterprise, charlie,
                                                                        make_enterprise):
    add_talent(alice, alices_enterprise, {**PROFILE, "id_number": NUMBER})
    with pytest.raises(IntegrityError), transaction.atomic():  # the database constraint, on the digest
        Talent.objects.create(enterprise=alices_enterprise, id_number=NUMBER.lower(), **PROFILE)
    other = make_enterprise(charlie, uscc=VALID_USCCS[1])
    assert add_talent(charlie, other, {**PROFILE, "id_number": NUMBER}).enterprise == other  # another employer may


def test_a_changed_id_number_changes_its_digest(alice, alices_enterprise):
    from talent.profiles import update_talent

    talent = add_talent(alice, alices_enterprise, {**PROFILE, "id_number": NUMBER})
    other = id_number(datetime.date(1980, 6, 1))
    update_talent(alice, talent, {"id_number": other})
    assert identity.same_person(alices_enterprise, other).get().pk == talent.pk
    assert not identity.same_person(alices_enterprise, NUMBER).exists()


# --- the whole story, with every log line watched ---------------------------------------------------


def test_from_registration_to_approval_no_plain_id_number_or_phone_reaches_a_log_page_or_answer(
    caplog, mailoutbox, alice, alices_enterprise, make_policy, reviewer, registration_official, superuser
):
    caplog.set_level(logging.DEBUG)
    alice.phone, alice.sms_quiet_from, alice.sms_quiet_until = PHONE, datetime.time(0), datetime.time(0)
    alice.save()
    seen: list[str] = []  # every page and answer of the story

    clerk_api = token_client("alice")
    created = clerk_api.post("/api/v1/talents/", {**PROFILE, "started_on": "2024-01-01", "id_number": NUMBER,
                                                  "enterprise": alices_enterprise.pk}, format="json")
    assert created.status_code == 201, created.content
    talent = Talent.objects.get(pk=created.json()["id"])
    policy = make_policy()
    application = apply_for_policy(alice, talent, policy)
    workflow.submit(alice, application.pk)
    workflow.accept(reviewer, application.pk)
    official = signed_in(reviewer)
    panel = official.get(f"/admin/services/application/{application.pk}/change/")
    assert panel.status_code == 200 and identity.mask(NUMBER) in panel.content.decode()
    seen.append(panel.content.decode())
    approve_open_task(reviewer, application)
    application.refresh_from_db()
    assert application.state == "approved"
    for sms in Notification.objects.filter(channel=Notification.Channel.SMS):
        deliver(sms.pk)
    assert any(mask_phone(PHONE) in record.getMessage() for record in caplog.records)  # the SMS went out

    clerk = signed_in(alice)
    for url in ("/talent/", f"/talent/{talent.pk}/", f"/applications/{application.pk}/", "/inbox/"):
        page = clerk.get(url)
        assert page.status_code == 200, url
        seen.append(page.content.decode())
    for url in (f"/api/v1/talents/{talent.pk}/", "/api/v1/talents/", f"/api/v1/applications/{application.pk}/",
                f"/api/v1/applications/{application.pk}/events/"):
        answer = clerk_api.get(url)
        assert answer.status_code == 200, url
        seen.append(json.dumps(answer.json(), ensure_ascii=False))
    # Officials read personal data masked: the enterprise's contact, the user's phone, the talent list.
    registrar = signed_in(registration_official)
    page = registrar.get(f"/admin/enterprises/enterprise/{alices_enterprise.pk}/change/")
    assert page.status_code == 200 and mask_phone(alices_enterprise.contact_phone) in page.content.decode()
    seen.append(page.content.decode())
    root = signed_in(superuser)
    for url in ("/admin/talent/talent/", f"/admin/talent/talent/{talent.pk}/change/"):
        page = root.get(url)
        assert page.status_code == 200, url
        seen.append(page.content.decode())
    seen += [m.body + m.subject for m in mailoutbox]
    seen += [" ".join(map(str, AuditEvent.objects.values_list("data", "reason")))]

    logged = "\n".join(record.getMessage() for record in caplog.records) + caplog.text
    for everything in (logged, *seen):
        assert NUMBER not in everything and PHONE not in everything
        assert alices_enterprise.contact_phone not in everything


# --- asking to see the whole number --------------------------------------------------------------


@pytest.fixture
def in_review(alice, alices_enterprise, make_talent, make_policy, reviewer):
    talent = make_talent(alices_enterprise, "王五", id_number=NUMBER)
    application = apply_for_policy(alice, talent, make_policy())
    workflow.submit(alice, application.pk)
    workflow.accept(reviewer, application.pk)
    return talent, application


def viewed(talent) -> list:
    return list(AuditEvent.objects.filter(action="talent.id_number_viewed", target_id=talent.pk)
                .values_list("actor__username", flat=True))


def test_the_reviewing_official_asks_to_see_the_whole_number_and_the_trail_records_it(in_review, reviewer):
    talent, application = in_review
    official = signed_in(reviewer)
    panel = official.get(f"/admin/services/application/{application.pk}/change/").content.decode()
    url = f"/admin/talent/talent/{talent.pk}/id-number/"
    assert NUMBER not in panel and identity.mask(NUMBER) in panel and url in panel

    asking = official.get(url, {"next": f"/admin/services/application/{application.pk}/change/"})
    assert asking.status_code == 200 and NUMBER not in asking.content.decode() and viewed(talent) == []
    assert "recorded in the audit trail" in asking.content.decode()

    shown = official.post(url, {"next": f"/admin/services/application/{application.pk}/change/"})
    assert shown.status_code == 200 and NUMBER in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    assert f'href="/admin/services/application/{application.pk}/change/"' in shown.content.decode()
    assert viewed(talent) == [reviewer.username]


def test_no_one_else_may_ask_and_asking_records_nothing(in_review, alice, make_official, departments):
    talent, _ = in_review
    url = f"/admin/talent/talent/{talent.pk}/id-number/"
    outsider = make_official("zwfw2", departments["ZWFW"])  # an official of another department
    assert signed_in(outsider).post(url).status_code == 403
    assert signed_in(alice).post(url).status_code == 302  # no admin at all: to the admin's sign-in
    assert viewed(talent) == []
    with pytest.raises(PermissionError):
        identity.reveal_id_number(outsider, talent)


def test_before_acceptance_the_department_sees_the_number_masked_only(alice, alices_enterprise, make_talent,
                                                                      make_policy, reviewer):
    talent = make_talent(alices_enterprise, "王五", id_number=NUMBER)
    application = apply_for_policy(alice, talent, make_policy())
    workflow.submit(alice, application.pk)
    official = signed_in(reviewer)
    panel = official.get(f"/admin/services/application/{application.pk}/change/").content.decode()
    assert NUMBER not in panel and f"/admin/talent/talent/{talent.pk}/id-number/" not in panel
    assert official.post(f"/admin/talent/talent/{talent.pk}/id-number/").status_code == 403


def test_a_superuser_sees_talent_masked_in_the_admin_and_asks_like_anyone(in_review, superuser):
    talent, _ = in_review
    root = signed_in(superuser)
    page = root.get(f"/admin/talent/talent/{talent.pk}/change/").content.decode()
    assert NUMBER not in page and identity.mask(NUMBER) in page and 'name="id_number"' not in page
    assert NUMBER in root.post(f"/admin/talent/talent/{talent.pk}/id-number/").content.decode()
    assert viewed(talent) == [superuser.username]
