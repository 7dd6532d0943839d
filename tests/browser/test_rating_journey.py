"""Journey 5: 好差评 — a 2-star rating opens a rectification task for the department; the official
closes it with an outcome, which the applicant reads and then rates again, once."""

from django.core.files.uploadedfile import SimpleUploadedFile

from services.applications import workflow
from services.models import Rating, Rectification
from tests.browser.pages import Clerk, Official
from tests.helpers import one_time_code, pdf_bytes


def approved_commitment_application(world) -> int:
    """An application approved at once on a signed commitment (filed as journey 3 files it in the browser)."""
    clerk = world["clerk"]
    application = workflow.create_application(clerk, world["enterprise"], world["items"]["commitment"])
    for code in ("form", "lease"):
        workflow.attach_document(clerk, application.pk, code,
                                 SimpleUploadedFile(f"{code}.pdf", pdf_bytes(code), content_type="application/pdf"))
    workflow.submit(clerk, application.pk, commitment_accepted=True)
    return application.pk


def test_a_two_star_rating_opens_a_rectification_that_the_official_closes(browser, browser_world):
    application = approved_commitment_application(browser_world)
    clerk = browser(Clerk, "clerk")
    clerk.sign_in("clerk")
    clerk.open_application(application)
    clerk.look("to-rate")
    clerk.rate(2, "窗口答复含糊，材料要求前后不一致。")
    clerk.look("rated-2")
    rectification = Rectification.objects.get(rating__application_id=application)
    assert rectification.is_open and rectification.department == browser_world["market"]
    assert clerk.page.locator("#rectification-1").count() == 1

    scj = browser_world["officials"]["scj"]
    official = browser(Official, "scj")
    official.sign_in("scj", lambda: one_time_code(scj))
    outcome = "已核实：窗口人员已培训，办事指南材料清单已统一。"
    official.close_rectification(rectification.pk, outcome)
    official.look("rectification-closed")
    rectification.refresh_from_db()
    assert not rectification.is_open and rectification.outcome == outcome

    clerk.open_application(application)
    clerk.look("rectified")
    assert outcome in clerk.page.inner_text("#rectification-1")
    clerk.rate(4)
    clerk.look("rated-again")
    assert list(Rating.objects.filter(application_id=application).order_by("round").values_list("score", flat=True)) == [2, 4]
    assert clerk.page.locator("#rating-form").count() == 0  # the second rating is final
