"""The clerk reads where an application stands in words: no code of the workflow on the page, the
steps of its approval mode, who has it now, the decision with its date and reason, what to do next,
and, after a refusal, where to contest it."""

import re
from html import unescape
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils.formats import date_format
from django.utils.translation import override

from portal.models import AuditEvent
from services.applications import workflow
from services.applications.wording import EVENT_LABELS
from services.models import Application, State, Task
from tests.conftest import licence_file
from tests.helpers import approve_open_task

pytestmark = pytest.mark.django_db

# Every code the workflow writes: audit actions (with and without their prefix), states, task statuses.
ACTIONS = set(EVENT_LABELS)
SUFFIXES = {action.removeprefix("application.") for action in ACTIONS}
CODES = ACTIONS | SUFFIXES | set(State.values) | set(Task.Status.values)
COMPOUND = {code for code in CODES if "_" in code or "." in code}
# The elements that say a status or an event: none of them may read as a code.
LABELS = ("status", "event-action", "event-states", "step-label", "step-status", "task-status", "decision-outcome")


class VisibleText(HTMLParser):
    """The text a reader sees, and the text of each element whose class is one of LABELS."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.labels: list[tuple[str, str]] = []
        self.open: list[tuple[str, str, list[str]]] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden += 1
        if tag in ("br", "input", "meta", "link", "img"):
            return
        classes = (dict(attrs).get("class") or "").split()
        self.open.append((tag, next((c for c in classes if c in LABELS), ""), []))

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden -= 1
        while self.open:
            open_tag, label, texts = self.open.pop()
            if label == "event-states":  # "from → to"
                self.labels.extend(("event-state", state.strip()) for state in "".join(texts).split("→"))
            elif label:
                self.labels.append((label, "".join(texts).strip()))
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self.hidden:
            return
        self.text.append(data)
        for _tag, label, texts in self.open:
            if label:
                texts.append(data)


def read(html: str) -> VisibleText:
    parser = VisibleText()
    parser.feed(html)
    return parser


def compound_codes_in(text: str) -> set[str]:
    """Codes like `application.document_attached` or `in_review`, also with their underscores as spaces."""
    words = set(re.findall(r"[a-z]+(?:[._][a-z]+)+", text))
    return (words & COMPOUND) | {code for code in COMPOUND if "_" in code and code.replace("_", " ") in text}


def reads_as_code(label: str) -> bool:
    return label in CODES or label.replace(" ", "_") in CODES or label.lower() in ACTIONS


def client_in(user, language: str) -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


@pytest.fixture
def in_state(world, draft):
    """in_state(name): an application of the world's enterprise in that state, reached by the real steps."""
    clerk, o = world["clerk"], world["officials"]
    zjw, xfj, scj = o["zjw1"], o["xfj1"], o["scj1"]
    deferral = {"deferred_materials": ["lease"], "commitment_accepted": True}

    def submitted(mode="standard", **submit):
        application = draft(mode, skip=("lease",) if submit.get("deferred_materials") else ())
        workflow.submit(clerk, application.pk, **submit)
        return application

    def accepted(mode="standard", **submit):
        application = submitted(mode, **submit)
        workflow.accept(zjw, application.pk)
        return application

    def approved():
        application = accepted()
        approve_open_task(zjw, application)
        approve_open_task(xfj, application)
        return application

    def then(application, step):
        step(application)
        return application

    def open_task(application, department="XFJ"):
        return Task.objects.get(application=application, status="open", department__code=department).pk

    def post_check_passed():
        application = submitted("commitment", commitment_accepted=True)
        check = workflow.sample_post_check(application.pk)
        workflow.run_post_check(scj, check.pk, passed=True, note="核查无误")
        return application

    def pending_documents():
        return then(accepted("deferred", **deferral), lambda a: approve_open_task(zjw, a))

    steps = {
        "draft": lambda: draft("standard"),
        "submitted": submitted,
        "correction at intake": lambda: then(submitted(), lambda a: workflow.request_correction(
            zjw, a.pk, ["申请表缺少盖章"])),
        "correction in review": lambda: then(accepted(), lambda a: workflow.request_correction(
            zjw, a.pk, ["租赁合同页码不全"])),
        "not accepted": lambda: then(submitted(), lambda a: workflow.refuse(zjw, a.pk, "不属于本部门职权范围")),
        "accepted": accepted,
        "in review": lambda: then(accepted(), lambda a: approve_open_task(zjw, a)),
        "approved": approved,
        "completed": lambda: then(approved(), lambda a: workflow.complete(zjw, a.pk)),
        "rejected": lambda: then(then(accepted(), lambda a: approve_open_task(zjw, a)), lambda a: workflow.decide(
            xfj, open_task(a), "reject", "消防通道不符合规范")),
        "withdrawn": lambda: then(submitted(), lambda a: workflow.withdraw(clerk, a.pk, "重复提交")),
        "pending documents": pending_documents,
        "suspended": lambda: then(pending_documents(), lambda a: workflow.suspend(
            a.pk, "容缺材料逾期未补", actor=zjw)),
        "parallel in review": lambda: then(accepted("parallel"), lambda a: workflow.decide(
            scj, open_task(a, "SCJGJ"), "approve")),
        "commitment approved": lambda: submitted("commitment", commitment_accepted=True),
        "post-check passed": post_check_passed,
        # A revocation puts the enterprise on the credit list, which bars the commitment mode: ask for it last.
        "revoked": lambda: then(approved(), lambda a: workflow.revoke(a.pk, "经营条件发生变化，不再符合许可条件", actor=zjw)),
    }

    def make(name: str) -> Application:
        application = steps[name]()
        application.refresh_from_db()
        return application

    make.names = list(steps)
    return make


def test_no_page_of_an_application_in_any_state_shows_a_code_of_the_workflow(world, in_state):
    every_state = {name: in_state(name) for name in in_state.names}
    assert {a.state for a in every_state.values()} == set(State.values)
    written = set(AuditEvent.objects.filter(target_type="services.application").values_list("action", flat=True))
    assert written - set(EVENT_LABELS) == set()

    for language in ("zh-hans", "en"):
        client = client_in(world["clerk"], language)
        listing = read(client.get("/applications/").content.decode())
        assert compound_codes_in("".join(listing.text)) == set(), language
        assert [label for _kind, label in listing.labels if reads_as_code(label)] == [], language
        for name, application in every_state.items():
            html = client.get(f"/applications/{application.pk}/").content.decode()
            page = read(html)
            assert compound_codes_in("".join(page.text)) == set(), (language, name)
            kinds = {kind for kind, _label in page.labels}
            assert {"status", "event-action", "step-label", "step-status"} <= kinds, (language, name)
            assert [(kind, label) for kind, label in page.labels if not label or reads_as_code(label)] == [], (
                language, name)
            # Every application says what comes next, in words.
            assert re.search(r'<p id="next-step" class="next-step"><strong>[^<]+</strong>: \S', html), name


def test_in_chinese_the_status_and_the_timeline_s_states_read_in_chinese(world, in_state):
    client = client_in(world["clerk"], "zh-hans")
    page = read(client.get(f"/applications/{in_state('rejected').pk}/").content.decode())
    labels = dict(page.labels)
    assert labels["status"] == "不予许可"
    states = [label for kind, label in page.labels if kind == "event-state"]
    assert {"草稿", "已提交", "已受理", "审查中", "不予许可"} <= set(states)
    assert [label for kind, label in page.labels if kind == "event-action"][-1] == "不予许可"


def steps_of(html: str) -> list[tuple[str, str]]:
    """(label, status class) of each step of the stepper, in order."""
    return re.findall(r'<li class="step step-(\w+)"[^>]*>\s*<span class="step-label">([^<]+)</span>', html)


def page_of(world, application, language="en") -> str:
    return client_in(world["clerk"], language).get(f"/applications/{application.pk}/").content.decode()


def test_each_approval_mode_has_its_own_steps_and_shows_where_the_application_is(world, in_state):
    standard = steps_of(page_of(world, in_state("in review")))
    assert standard == [("done", "Submission"), ("done", "Acceptance"), ("current", "Review"),
                        ("todo", "Decision"), ("todo", "Completion")]
    parallel = page_of(world, in_state("parallel in review"))
    assert [label for _status, label in steps_of(parallel)] == [
        "Submission", "Acceptance", "Review by every department at once", "Decision", "Completion"]
    assert "1 of 3 departments agreed" in parallel
    deferred = steps_of(page_of(world, in_state("pending documents")))
    assert deferred[-2:] == [("current", "Deferred materials"), ("todo", "Completion")]
    assert steps_of(page_of(world, in_state("commitment approved"))) == [
        ("done", "Commitment signed and submitted"), ("done", "Approval on the spot"), ("current", "Completion")]
    assert steps_of(page_of(world, in_state("completed")))[-1] == ("done", "Completion")
    assert steps_of(page_of(world, in_state("rejected")))[3] == ("failed", "Decision")
    assert steps_of(page_of(world, in_state("not accepted")))[1] == ("failed", "Acceptance")
    # A withdrawal and a suspension stop the application where they found it.
    assert steps_of(page_of(world, in_state("withdrawn")))[1] == ("stopped", "Acceptance")
    assert steps_of(page_of(world, in_state("suspended")))[4] == ("stopped", "Deferred materials")
    # A correction asked for during review keeps it at the review.
    assert steps_of(page_of(world, in_state("correction in review")))[2] == ("current", "Review")
    assert steps_of(page_of(world, in_state("correction at intake")))[1] == ("current", "Acceptance")


def holder_of(html: str) -> str:
    match = re.search(r'<p id="holder">(.*?)</p>', html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)) if match else ""


def test_the_page_says_which_department_has_the_application_now(world, in_state):
    assert holder_of(page_of(world, in_state("submitted"))) == "Now with: 区住建委"
    assert holder_of(page_of(world, in_state("in review"))) == "Now with: 区消防救援支队"
    # The parallel item's departments that have not decided yet; the one that agreed is done.
    assert holder_of(page_of(world, in_state("parallel in review"))) == "Now with: 区住建委、区消防救援支队"
    assert holder_of(page_of(world, in_state("correction at intake"))) == "Your turn"
    assert holder_of(page_of(world, in_state("pending documents"))) == "Now with: 区住建委 · Your turn"
    assert holder_of(page_of(world, in_state("completed"))) == ""


def decision_of(html: str) -> str:
    match = re.search(r'<section id="decision".*?</section>', html, re.S)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0)))) if match else ""


def test_a_rejection_shows_its_date_reason_next_step_and_the_right_to_contest_it(world, in_state):
    application = in_state("rejected")
    html = page_of(world, application)
    decision = decision_of(html)
    assert "Decision: Rejected" in decision
    with override("en"):
        assert f"On {date_format(application.decided_on)}, by 区消防救援支队." in decision
    assert "消防通道不符合规范" in decision
    assert "administrative reconsideration (行政复议) within 60 days" in decision
    assert "administrative lawsuit (行政诉讼)" in decision and "within 6 months" in decision
    assert "the People's Government of Fengtai District, Beijing" in decision
    assert "file a new application" in re.search(r'<p id="next-step".*?</p>', html, re.S).group(0)


def test_a_refusal_to_take_in_names_the_body_set_for_reconsideration(world, in_state, settings):
    settings.RECONSIDERATION_BODY = "北京市丰台区人民政府"
    decision = decision_of(page_of(world, in_state("not accepted")))
    assert "Decision: Not accepted" in decision and "不属于本部门职权范围" in decision
    assert "apply to 北京市丰台区人民政府 for administrative reconsideration" in decision


@pytest.mark.parametrize("name", ["approved", "commitment approved", "pending documents", "completed"])
def test_a_grant_shows_its_decision_without_remedies(world, in_state, name):
    html = page_of(world, in_state(name))
    decision = decision_of(html)
    assert decision.startswith(" Decision: Approved"), decision
    assert "行政复议" not in html


def test_a_correction_says_by_when_to_submit_again(world, in_state):
    application = in_state("correction at intake")
    notice = application.corrections.get()
    with override("en"):
        assert f"submit the application again by {date_format(notice.respond_by)}" in page_of(world, application)


def test_the_api_timeline_gives_each_event_in_words(world, in_state, clerk_api):
    application = in_state("rejected")
    events = clerk_api.get(f"/api/v1/applications/{application.pk}/events/",
                           headers={"accept-language": "zh-hans"}).json()["results"]
    labels = {event["action"]: event["label"] for event in events}
    assert labels["application.rejected"] == "不予许可"
    assert all(label and label != action for action, label in labels.items())


def test_a_material_uploaded_after_a_correction_reads_as_such(world, in_state):
    application = in_state("correction at intake")
    workflow.attach_document(world["clerk"], application.pk, "form", licence_file("form-v2.pdf"))
    workflow.resubmit(world["clerk"], application.pk)
    assert Application.objects.get(pk=application.pk).state == "submitted"
    timeline = [label for kind, label in read(page_of(world, application)).labels if kind == "event-action"]
    assert "Submitted again after correction" in timeline and "Corrections requested, all at once" in timeline


def test_every_event_the_workflow_writes_on_an_application_has_its_own_words():
    """No event of an application's timeline reads as "Other change": each action the domain code
    records about an application (found in the source, as `record_event(…, "application.…", …)`) has
    its label."""
    from pathlib import Path

    from services.applications.wording import OTHER_CHANGE, event_label

    root = Path(__file__).resolve().parents[3]
    written = set()
    for folder in ("services", "talent", "enterprises", "portal"):
        for path in (root / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            written |= set(re.findall(r'record_event(?:_about)?\([^"]*"(application\.[a-z_]+)"', path.read_text()))
    assert {"application.form_saved", "application.document_reused", "application.document_replaced"} <= written
    with override("en"):
        unlabelled = sorted(action for action in written if event_label(action) == str(OTHER_CHANGE))
    assert unlabelled == []
