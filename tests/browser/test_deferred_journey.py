"""Journey 2: 容缺受理 — filed through the item's structured form and the upload with one material
deferred; approved pending documents; the deferred material supplied and checked; approved; rated."""

from services.models import Application, DeferredMaterial, Rating, State
from tests.browser.pages import Clerk, Official
from tests.helpers import one_time_code


def test_a_deferred_material_is_supplied_after_the_approval_and_the_service_rated(browser, browser_world):
    world = browser_world
    clerk = browser(Clerk, "clerk")
    clerk.sign_in("clerk")
    application = clerk.start_application("DEF", answers={"floor_area": "12"})
    answers = Application.objects.get(pk=application).form
    assert answers["operator_name"] == "北京先丰科技有限公司"  # prefilled from the registered data
    assert float(answers["floor_area"]) == 12
    clerk.look("draft")
    clerk.attach("form", world["pdf"]("申请表.pdf"))
    clerk.submit(defer=("lease",), sign_commitment=True)
    clerk.look("submitted-with-a-deferral")
    assert Application.objects.get(pk=application).state == State.SUBMITTED

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
