"""Journey 3: a commitment (告知承诺) application approved at once; its PDF notice downloaded and
checked genuine at /verify/<code>/ (and a forged code is not)."""

import io

from pypdf import PdfReader

from services.models import Application, Notice, State
from tests.browser.pages import Clerk


def test_a_commitment_application_is_approved_at_once_and_its_notice_verifies(browser, browser_world):
    world = browser_world
    clerk = browser(Clerk, "clerk")
    clerk.sign_in("clerk")
    clerk.look("home")

    application = clerk.start_application("COM")
    clerk.look("draft")
    clerk.attach_all({"form": world["pdf"]("申请表.pdf"), "lease": world["pdf"]("租赁合同.pdf")})
    clerk.look("draft-with-materials")
    clerk.submit(sign_commitment=True)

    assert Application.objects.get(pk=application).state == State.APPROVED
    clerk.look("approved")
    links = clerk.notice_links()
    assert links, "the approval notice is listed on the application's page"
    notice = Notice.objects.get(application_id=application)
    pdf = clerk.download(links[0], "approval-notice.pdf")
    assert pdf.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    reference = Application.objects.get(pk=application).reference
    assert reference in text and "区市场监管局" in text

    clerk.page.click("#notices a[href*='/verify/']")
    clerk.page.wait_for_url(f"**/verify/{notice.display_code}/")
    clerk.look("verify-genuine")
    assert reference in clerk.page.inner_text("main")
    assert clerk.page.locator("#verification-result").count() == 1

    forged = notice.display_code[:-1] + ("A" if notice.display_code[-1] != "A" else "B")  # still hex
    clerk.visit(f"/verify/{forged}/")
    clerk.look("verify-forged")
    assert clerk.page.locator("#verification-result[role=alert]").count() == 1
    assert reference not in clerk.page.inner_text("main")
