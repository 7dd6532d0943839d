"""Journey 2: 容缺受理 — started from the service guide's 在线办理, filed through the guided filing
(the item's structured form, then several files in one go), the lease deferred; approved pending
documents; the deferred material supplied and checked; approved; rated."""

from services.models import Application, DeferredMaterial, Document, Rating, State
from tests.browser.pages import Clerk, Official
from tests.helpers import one_time_code


def test_a_deferred_material_is_supplied_after_the_approval_and_the_service_rated(browser, browser_world):
    world = browser_world
    clerk = browser(Clerk, "clerk")
    clerk.sign_in("clerk")
    application = clerk.apply_online("DEF")
    assert clerk.task_states()["details"] != "done"
    clerk.fill_details({"floor_area": "12"})
    answers = Application.objects.get(pk=application).form
    assert answers["operator_name"] == "北京先丰科技有限公司"  # prefilled from the registered data
    assert float(answers["floor_area"]) == 12

    clerk.look("materials")
    clerk.upload("form", [world["pdf"]("申请表.pdf"), world["pdf"]("申请表-附页.pdf")])  # both in one go
    clerk.look("materials-uploaded")
    assert sorted(clerk.files_of("form")) == ["申请表-附页.pdf", "申请表.pdf"]
    assert clerk.files_of("lease") == []  # deferrable: deferred when submitted without it
    assert Document.objects.filter(application_id=application, material__code="form").count() == 2

    clerk.check_answers()
    clerk.look("check-your-answers")
    assert clerk.missing() == []
    assert clerk.page.locator("#rehearsal li").count() == 1  # the lease, to supply later, with its due date
    clerk.submit_filing(sign_commitment=True)
    clerk.look("confirmation")
    submitted = Application.objects.get(pk=application)
    assert submitted.state == State.SUBMITTED
    assert clerk.reference() == submitted.reference
    assert list(submitted.deferred.values_list("material__code", flat=True)) == ["lease"]

    scj = world["officials"]["scj"]
    official = browser(Official, "scj")
    official.sign_in("scj", lambda: one_time_code(scj))
    official.open_queue()
    official.open_from_queue(application)
    official.accept()
    official.open_queue()
    official.open_from_queue(application)
    official.decide_review("approve", "同意容缺受理，请按期补齐租赁合同。")
    official.look("approved-pending-documents")
    assert Application.objects.get(pk=application).state == State.APPROVED_PENDING_DOCUMENTS

    clerk.open_application(application)
    clerk.look("approved-pending-documents")
    clerk.supply_deferred("lease", world["pdf"]("租赁合同.pdf"))
    clerk.look("deferred-supplied")
    assert DeferredMaterial.objects.get(application_id=application).supplied_at is not None

    official.open_application(application)
    official.look("deferred-to-check")
    official.check_deferred()
    official.look("deferred-checked")
    assert Application.objects.get(pk=application).state == State.APPROVED

    clerk.open_application(application)
    clerk.look("approved")
    clerk.rate(5, "容缺受理省了一周时间。")
    clerk.look("rated")
    assert Rating.objects.get(application_id=application).score == 5
