"""Official notices: each transition of the workflow issues its PDF once, with a verification code
taken from its audit event, which anyone checks on /verify/<code>/.

The clerk files on Monday 2026-03-02; the 区住建委 takes it in and decides.
"""

import io
import re

import pytest
from django.test import Client
from pypdf import PdfReader

import services.applications.admin  # noqa: F401 - registers the admin classes
from portal.models import AuditEvent
from services.applications import workflow
from services.applications.notices import issuing
from services.applications.notices.tasks import issue_notice
from services.models import Notice
from tests.conftest import VALID_USCCS
from tests.helpers import approve_open_task, at, in_threads, shanghai, token_client

pytestmark = pytest.mark.django_db

LEGAL_BASIS = "《中华人民共和国消防法》第十一条"


@pytest.fixture
def world(world):
    world["standard"].legal_basis = LEGAL_BASIS
    world["standard"].save()
    return world


@pytest.fixture
def walk(django_capture_on_commit_callbacks):
    """Run workflow steps as the portal does: each one's queued tasks run once it commits."""

    def run(step, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return step(*args, **kwargs)

    return run


def text_of(notice: Notice) -> str:
    with notice.file.open("rb") as stored:
        reader = PdfReader(io.BytesIO(stored.read()))
    return "".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    """The PDF's text without the line breaks the layout put into sentences."""
    return re.sub(r"\s+", "", text)


def event_of(application, action: str) -> AuditEvent:
    return AuditEvent.objects.get(target_type="services.application", target_id=application.pk,
                                  action=f"application.{action}")


def submitted(world, draft, walk):
    with at(2026, 3, 2):
        application = draft("standard")
        walk(workflow.submit, world["clerk"], application.pk)
    return application


def accepted(world, draft, walk):
    application = submitted(world, draft, walk)
    with at(2026, 3, 2, 15):
        walk(workflow.accept, world["officials"]["zjw1"], application.pk)
    return application


def approved(world, draft, walk):
    application = accepted(world, draft, walk)
    with at(2026, 3, 5):
        walk(approve_open_task, world["officials"]["zjw1"], application)
        walk(approve_open_task, world["officials"]["xfj1"], application)
    application.refresh_from_db()
    assert application.state == "approved"
    return application


def test_acceptance_issues_one_notice_with_the_reference_dates_department_and_legal_basis(world, draft, walk):
    application = accepted(world, draft, walk)
    notice = Notice.objects.get(application=application)
    event = event_of(application, "accepted")
    assert (notice.kind, notice.title, notice.event) == ("acceptance", "受理通知书", event)
    # The code is the start of the transition's hash in the audit chain.
    assert notice.code == event.hash[:16].upper()
    assert re.fullmatch(r"[0-9A-F]{4}(-[0-9A-F]{4}){3}", notice.display_code)

    text = flat(text_of(notice))
    assert "受理通知书" in text and application.reference in text
    assert "区住建委" in text and flat(world["enterprise"].name) in text
    assert "2026年3月2日" in text  # received and accepted that day
    assert "2026年3月16日" in text  # the decision due: 10 working days
    assert LEGAL_BASIS in text
    assert notice.display_code in text

    # A retried task, a second run and the sweeper create nothing new.
    issue_notice(event.pk)
    issue_notice.apply(args=[event.pk])
    issuing.issue_missing(shanghai(2026, 3, 2, 16))
    assert Notice.objects.filter(application=application).count() == 1


def test_submitting_issues_no_notice_and_a_lost_task_is_issued_by_the_sweeper(world, draft, walk):
    application = submitted(world, draft, walk)
    assert not Notice.objects.exists()
    with at(2026, 3, 2, 15):
        workflow.accept(world["officials"]["zjw1"], application.pk)  # its task never ran
    assert not Notice.objects.exists()
    with at(2026, 3, 2, 16):
        assert issuing.issue_missing() == 1
        assert issuing.issue_missing() == 0
    assert Notice.objects.get().kind == "acceptance"


def test_a_correction_notice_lists_every_item_and_the_deadline(world, draft, walk):
    application = submitted(world, draft, walk)
    with at(2026, 3, 3):
        walk(workflow.request_correction, world["officials"]["zjw1"], application.pk,
             ["申请表缺少法定代表人签字", "租赁合同页码不全"])
    notice = Notice.objects.get(application=application)
    assert (notice.kind, notice.title) == ("correction", "补正材料告知书")
    text = flat(text_of(notice))
    assert application.reference in text and "区住建委" in text
    assert "1.申请表缺少法定代表人签字" in text and "2.租赁合同页码不全" in text
    assert "一次性告知" in text
    assert "2026年4月2日前" in text  # 30 days to correct


def test_a_refusal_gives_the_reason_and_the_remedies(world, draft, walk):
    application = submitted(world, draft, walk)
    with at(2026, 3, 3):
        walk(workflow.refuse, world["officials"]["zjw1"], application.pk, "申请事项不属于本机关职权范围。")
    notice = Notice.objects.get(application=application)
    assert (notice.kind, notice.title) == ("refusal", "不予受理决定书")
    text = flat(text_of(notice))
    assert application.reference in text and "2026年3月3日" in text and "区住建委" in text
    assert "申请事项不属于本机关职权范围" in text and "不予受理" in text
    assert "六十日内" in text and "行政复议" in text and "六个月内" in text and "行政诉讼" in text


def test_the_final_approval_issues_the_decision_to_grant_and_each_step_issues_nothing(world, draft, walk):
    application = accepted(world, draft, walk)
    with at(2026, 3, 5):
        walk(approve_open_task, world["officials"]["zjw1"], application)
    assert list(Notice.objects.values_list("kind", flat=True)) == ["acceptance"]
    with at(2026, 3, 6):
        walk(approve_open_task, world["officials"]["xfj1"], application)
    decision = Notice.objects.get(application=application, kind="approval")
    assert decision.title == "准予行政许可决定书"
    text = flat(text_of(decision))
    assert application.reference in text and "2026年3月6日" in text and "区住建委" in text
    assert "准予行政许可" in text and LEGAL_BASIS in text


def test_a_rejection_tells_the_right_to_administrative_review_and_litigation(world, draft, walk):
    application = accepted(world, draft, walk)
    with at(2026, 3, 5):
        walk(approve_open_task, world["officials"]["zjw1"], application)
        task = application.tasks.get(status="open")
        walk(workflow.decide, world["officials"]["xfj1"], task.pk, "reject", "消防通道宽度不符合规范。")
    notice = Notice.objects.get(application=application, kind="rejection")
    assert notice.title == "不予行政许可决定书"
    text = flat(text_of(notice))
    assert application.reference in text and "2026年3月5日" in text and "区住建委" in text
    assert "消防通道宽度不符合规范" in text
    assert "六十日内" in text and "申请行政复议" in text and "六个月内" in text and "提起行政诉讼" in text


def test_a_conditional_approval_names_the_deferred_material_and_completing_it_issues_nothing(world, draft, walk):
    clerk, zjw = world["clerk"], world["officials"]["zjw1"]
    with at(2026, 3, 2):
        application = draft("deferred", skip=("lease",))
        walk(workflow.submit, clerk, application.pk, deferred_materials=["lease"], commitment_accepted=True)
        walk(workflow.accept, zjw, application.pk)
        walk(approve_open_task, zjw, application)
    decision = Notice.objects.get(application=application, kind="approval")
    text = flat(text_of(decision))
    assert "租赁合同（2026年3月16日前）" in text and "容缺" in text
    from tests.conftest import licence_file

    with at(2026, 3, 4):
        walk(workflow.supply_deferred, clerk, application.pk, "lease", licence_file("lease.pdf"))
        walk(workflow.check_deferred, zjw, application.deferred.get().pk)
    application.refresh_from_db()
    assert application.state == "approved"
    assert Notice.objects.filter(application=application, kind="approval").count() == 1


def test_a_commitment_approval_cites_the_signed_commitment(world, draft, walk):
    with at(2026, 3, 2):
        application = draft("commitment")
        walk(workflow.submit, world["clerk"], application.pk, commitment_accepted=True)
    notice = Notice.objects.get(application=application)
    assert (notice.kind, notice.title) == ("commitment_approval", "准予行政许可决定书（告知承诺制）")
    text = flat(text_of(notice))
    assert application.reference in text and "2026年3月2日" in text and "区市场监管局" in text
    assert application.commitment.digest in text and "事后核查" in text


def test_the_verification_page_answers_genuine_then_revoked_and_a_forged_code_not_genuine(world, draft, walk):
    application = approved(world, draft, walk)
    decision = Notice.objects.get(application=application, kind="approval")
    visitor = Client(headers={"accept-language": "en"})

    page = visitor.get(f"/verify/{decision.display_code}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Genuine: this notice was issued through the portal and is in effect." in body
    for fact in (application.reference, "区住建委", "事项STD", world["enterprise"].name, "准予行政许可决定书"):
        assert fact in body
    assert world["enterprise"].uscc not in body and world["clerk"].username not in body  # no personal data
    # Typed in lower case and without dashes, it is the same code.
    assert visitor.get(f"/verify/{decision.code.lower()}/").status_code == 200
    assert visitor.get("/verify/", {"code": decision.code.lower()})["Location"] == f"/verify/{decision.display_code}/"

    forged = ("0" if decision.code[0] != "0" else "1") + decision.code[1:]
    for code in (forged, "not-a-code", "ABCD-EFGH"):
        answer = visitor.get(f"/verify/{code}/")
        assert answer.status_code == 404
        assert "Not genuine" in answer.content.decode()

    with at(2026, 4, 1):
        walk(workflow.revoke, application.pk, "以欺骗手段取得许可，依法撤销。", actor=world["officials"]["zjw1"])
    page = visitor.get(f"/verify/{decision.display_code}/")
    assert page.status_code == 200
    assert "Genuine, but the decision was revoked on" in page.content.decode()
    assert "April 1, 2026" in page.content.decode()
    # The acceptance notice of the same application is still what it was.
    acceptance = Notice.objects.get(application=application, kind="acceptance")
    assert "is in effect" in visitor.get(f"/verify/{acceptance.display_code}/").content.decode()


def test_an_acceptance_notice_lapses_when_the_applicant_withdraws(world, draft, walk):
    application = accepted(world, draft, walk)
    notice = Notice.objects.get(application=application)
    with at(2026, 3, 4):
        walk(workflow.withdraw, world["clerk"], application.pk, "项目选址调整。")
    page = Client(headers={"accept-language": "en"}).get(f"/verify/{notice.display_code}/")
    assert page.status_code == 200
    assert "Genuine, but the application was withdrawn on March 4, 2026" in page.content.decode()
    assert Notice.objects.filter(application=application).count() == 1  # a withdrawal issues no notice


def test_a_notice_whose_event_was_tampered_with_is_not_genuine(world, draft, walk):
    application = accepted(world, draft, walk)
    notice = Notice.objects.get(application=application)
    from django.db import connection

    with connection.cursor() as cursor:  # what someone writing to the database directly could do
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no table is altered while they are pending
        cursor.execute("ALTER TABLE services_auditevent DISABLE TRIGGER services_auditevent_append_only")
        cursor.execute("UPDATE services_auditevent SET reason = '材料齐全' WHERE id = %s", [notice.event_id])
        cursor.execute("ALTER TABLE services_auditevent ENABLE TRIGGER services_auditevent_append_only")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    assert Client().get(f"/verify/{notice.display_code}/").status_code == 404


def test_the_verification_page_is_limited_per_address(world, draft, walk, settings):
    application = accepted(world, draft, walk)
    notice = Notice.objects.get(application=application)
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "notice_verify": "3/min"}}
    visitor = Client(REMOTE_ADDR="203.0.113.9")
    answers = [visitor.get(f"/verify/{notice.display_code}/").status_code for _ in range(3)]
    assert answers == [200, 200, 200]
    throttled = visitor.get("/verify/0000000000000000/")
    assert throttled.status_code == 429 and int(throttled["Retry-After"]) > 0
    assert Client(REMOTE_ADDR="203.0.113.10").get(f"/verify/{notice.display_code}/").status_code == 200


def test_the_form_to_type_a_code_in(world):
    page = Client(headers={"accept-language": "en"}).get("/verify/")
    assert page.status_code == 200 and 'name="code"' in page.content.decode()
    assert Client().get("/verify/", {"code": "zzz"}).status_code == 404


def test_members_and_entitled_officials_download_it_nobody_else(world, draft, walk, make_user, make_enterprise,
                                                                 as_official, make_official):
    application = accepted(world, draft, walk)
    notice = Notice.objects.get(application=application)
    path = f"/applications/{application.pk}/notices/{notice.pk}/"

    clerk = Client()
    clerk.force_login(world["clerk"])
    page = clerk.get(f"/applications/{application.pk}/")
    assert path in page.content.decode() and notice.display_code in page.content.decode()
    download = clerk.get(path)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")

    outsider = make_user("outsider")
    make_enterprise(outsider, uscc=VALID_USCCS[2])
    stranger = Client()
    stranger.force_login(outsider)
    assert stranger.get(path).status_code == 404
    assert Client().get(path).status_code == 302  # to the sign-in page

    admin_path = f"/admin/services/application/{application.pk}/notices/{notice.pk}/"
    official = as_official("zjw1")
    assert admin_path in official.get(f"/admin/services/application/{application.pk}/change/").content.decode()
    assert official.get(admin_path).status_code == 200
    from services.models import Department

    other = make_official("elsewhere", Department.objects.create(code="JW", name="区教委"))
    other.user_permissions.add(*world["officials"]["zjw1"].user_permissions.all())
    elsewhere = Client()
    elsewhere.force_login(other)
    assert elsewhere.get(admin_path).status_code == 404


def test_the_api_lists_the_notices_and_downloads_them(world, draft, walk, make_user, make_enterprise):
    application = approved(world, draft, walk)
    api = token_client("clerk")
    listed = api.get(f"/api/v1/applications/{application.pk}/notices/")
    assert listed.status_code == 200
    rows = listed.json()
    assert [row["kind"] for row in rows] == ["acceptance", "approval"]
    assert [row["title"] for row in rows] == ["受理通知书", "准予行政许可决定书"]
    decision = Notice.objects.get(kind="approval")
    assert rows[1]["verification_code"] == decision.display_code
    assert rows[1]["verification_url"].endswith(f"/verify/{decision.display_code}/")
    assert rows[1]["department"] == "区住建委" and rows[1]["issued_at"].startswith("2026-03-05")
    download = api.get(rows[1]["download_url"])
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")

    official = token_client("zjw1")
    assert [row["kind"] for row in official.get(f"/api/v1/applications/{application.pk}/notices/").json()] == \
        ["acceptance", "approval"]

    make_enterprise(make_user("outsider"), uscc=VALID_USCCS[2])
    stranger = token_client("outsider")
    assert stranger.get(f"/api/v1/applications/{application.pk}/notices/").status_code == 404
    assert stranger.get(rows[1]["download_url"]).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_issue_one_notice(world, draft):
    with at(2026, 3, 2):
        application = draft("standard")
        workflow.submit(world["clerk"], application.pk)
        workflow.accept(world["officials"]["zjw1"], application.pk)  # its task ran after the commit
    event = event_of(application, "accepted")
    Notice.objects.all().delete()  # as if the task had not run yet
    results = in_threads(3, lambda i: issuing.issue(event.pk))
    assert not any(isinstance(result, Exception) for result in results), results
    assert Notice.objects.filter(event=event).count() == 1
    assert len({result.pk for result in results}) == 1
