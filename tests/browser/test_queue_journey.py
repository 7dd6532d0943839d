"""Journey 4: an official works the queue — accepts a standard application, returns it for
correction in review, the clerk replaces the file named, the official approves."""

from django.utils import translation

from services.models import Application, Document, State, Task
from tests.browser.pages import Clerk, Official
from tests.helpers import one_time_code


def test_an_official_works_the_queue_through_a_correction_to_the_approval(browser, browser_world):
    world = browser_world
    clerk = browser(Clerk, "clerk")
    clerk.sign_in("clerk")
    application = clerk.start_application("STD")
    clerk.attach_all({"form": world["pdf"]("申请表.pdf"), "lease": world["pdf"]("租赁合同-旧.pdf")})
    clerk.look("draft")
    clerk.submit()
    clerk.look("submitted")
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
    clerk.replace_file("lease", world["pdf"]("租赁合同-新.pdf"))
    clerk.look("file-replaced")
    assert Document.objects.filter(application_id=application, material__code="lease",
                                   original_name="租赁合同-新.pdf").exists()
    clerk.resubmit()
    clerk.look("resubmitted")

    official.open_queue()
    official.open_from_queue(application)
    assert "租赁合同-新.pdf" in official.page.inner_text("#content")
    official.decide_review("approve", "材料齐全，准予许可。")
    official.look("approved")
    assert Application.objects.get(pk=application).state == State.APPROVED
    assert not Task.objects.filter(application_id=application, status=Task.Status.OPEN).exists()

    clerk.open_application(application)
    clerk.look("approved")
    with translation.override("zh-hans"):  # the pages speak the portal's default language
        assert clerk.status() == str(State.APPROVED.label)
