"""Journey 4: an official works the queue — accepts a standard application filed from the guide's
在线办理, returns it for correction in review, the clerk replaces the file named on the materials
step and submits again, the official approves."""

from django.utils import translation

from services.applications.wording import event_label
from services.models import Application, Document, State, Task
from tests.browser.pages import Clerk, Official
from tests.helpers import one_time_code


def test_an_official_works_the_queue_through_a_correction_to_the_approval(browser, browser_world):
    world = browser_world
    clerk = browser(Clerk, "clerk")
    clerk.sign_in("clerk")
    application = clerk.apply_online("STD")
    clerk.open_materials()
    clerk.upload("form", [world["pdf"]("申请表.pdf")])
    clerk.upload("lease", [world["pdf"]("租赁合同-旧.pdf")])
    clerk.look("materials")
    clerk.check_answers()
    assert clerk.missing() == []
    clerk.submit_filing()
    clerk.look("confirmation")
    assert Application.objects.get(pk=application).state == State.SUBMITTED

    scj = world["officials"]["scj"]
    official = browser(Official, "scj")
    official.sign_in("scj", lambda: one_time_code(scj))
    official.open_queue()
    official.open_from_queue(application)
    official.accept()
    official.look("accepted")
    assert Application.objects.get(pk=application).state == State.ACCEPTED

    official.open_queue()
    official.open_from_queue(application)
    official.decide_review("return", "经营场所租赁合同已过期，请提供有效期内的合同。")
    official.look("returned")
    assert Application.objects.get(pk=application).state == State.CORRECTION_REQUESTED

    clerk.open_application(application)
    clerk.look("correction-requested")
    clerk.open_filing(application)
    clerk.look("task-list-under-correction")
    assert "经营场所租赁合同已过期" in clerk.page.inner_text("main")
    clerk.open_materials()
    clerk.look("materials-under-correction")
    clerk.replace("lease", "租赁合同-旧.pdf", world["pdf"]("租赁合同-新.pdf"))
    clerk.look("file-replaced")
    assert clerk.files_of("lease") == ["租赁合同-新.pdf"]  # the old file left the list
    assert list(Document.objects.filter(application_id=application, material__code="lease")
                .values_list("original_name", flat=True)) == ["租赁合同-新.pdf"]
    assert Document.all_objects.get(application_id=application, original_name="租赁合同-旧.pdf").removed_at
    clerk.check_answers()
    clerk.look("check-your-answers-under-correction")
    clerk.submit_filing()
    clerk.look("resubmitted")
    assert Application.objects.get(pk=application).state == State.ACCEPTED  # back in review where it stopped

    clerk.open_application(application)
    with translation.override("zh-hans"):  # the pages speak the portal's default language
        assert event_label("application.document_replaced") in clerk.timeline()

    official.open_queue()
    official.open_from_queue(application)
    content = official.page.inner_text("#content")
    assert "租赁合同-新.pdf" in content
    official.decide_review("approve", "材料齐全，准予许可。")
    official.look("approved")
    assert Application.objects.get(pk=application).state == State.APPROVED
    assert not Task.objects.filter(application_id=application, status=Task.Status.OPEN).exists()

    clerk.open_application(application)
    clerk.look("approved")
    with translation.override("zh-hans"):
        assert clerk.status() == str(State.APPROVED.label)
