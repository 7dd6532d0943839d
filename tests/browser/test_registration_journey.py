"""Journey 1: a newcomer signs up and registers an enterprise; the district's official rejects the
registration with a reason; the clerk corrects it and submits again; the official verifies it."""

from django.utils import translation

from enterprises.models import Enterprise
from tests.browser.pages import Clerk, Official
from tests.helpers import one_time_code

REGISTRATION = {
    "name": "北京丰港餐饮管理有限公司",
    "uscc": "91110108551385082Q",
    "legal_representative": "李四",
    "registered_address": "北京市丰台区南四环西路188号",
    "street": "huaxiang",
    "industry": "I",
    "size": "small",
    "tech_tier": "none",
    "founded_on": "2020-01-15",
    "registered_capital": "500.00",
    "contact_name": "赵六",
    "contact_phone": "010-12345678",
    "contact_email": "contact@example.com",
}


def test_a_rejected_registration_is_corrected_and_then_verified(browser, browser_world):
    registrar = browser_world["officials"]["registrar"]
    newcomer = browser(Clerk, "newcomer")
    newcomer.visit("/")
    newcomer.look("home")
    newcomer.sign_up("newcomer", "newcomer@example.com")
    newcomer.look("signed-up")

    enterprise = newcomer.register_enterprise(REGISTRATION, browser_world["pdf"]("营业执照.pdf"))
    newcomer.look("registered")
    assert Enterprise.objects.get(pk=enterprise).status == Enterprise.Status.PENDING
    newcomer.visit("/enterprises/")
    newcomer.look("my-enterprises")

    official = browser(Official, "registrar")
    official.sign_in("registrar", lambda: one_time_code(registrar))
    reason = "注册地址与营业执照不一致，请按执照填写。"
    official.decide_registration(enterprise, "reject", reason)
    official.look("registration-rejected")
    assert Enterprise.objects.get(pk=enterprise).status == Enterprise.Status.REJECTED

    newcomer.visit(f"/enterprises/{enterprise}/")
    assert reason in newcomer.page.inner_text("main")
    newcomer.correct_registration(enterprise, {"registered_address": "北京市丰台区南四环西路186号"})
    newcomer.look("resubmitted")
    corrected = Enterprise.objects.get(pk=enterprise)
    assert corrected.status == Enterprise.Status.PENDING
    assert corrected.registered_address == "北京市丰台区南四环西路186号"

    official.decide_registration(enterprise, "verify")
    official.look("registration-verified")
    assert Enterprise.objects.get(pk=enterprise).status == Enterprise.Status.VERIFIED

    newcomer.visit(f"/enterprises/{enterprise}/")
    newcomer.look("verified")
    with translation.override("zh-hans"):  # the pages speak the portal's default language
        assert newcomer.page.inner_text("#enterprise-status").strip() == str(Enterprise.Status.VERIFIED.label)
    newcomer.visit("/inbox/")
    newcomer.look("inbox")
