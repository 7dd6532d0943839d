from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalentConfig(AppConfig):
    name = "talent"
    verbose_name = _("Talent")

    def ready(self) -> None:
        from services.applications.workflow import extensions
        from services.reports import extensions as report_extensions
        from talent.applications import TalentPolicyRules
        from talent.offers.enterprise_applications import EnterprisePolicyRules
        from talent.reports import TalentReports

        extensions.register(TalentPolicyRules())
        extensions.register(EnterprisePolicyRules())
        report_extensions.register(TalentReports())
