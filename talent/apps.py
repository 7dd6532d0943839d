from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalentConfig(AppConfig):
    name = "talent"
    verbose_name = _("Talent")

    def ready(self) -> None:
        from services.applications.workflow import extensions
        from talent.applications import TalentPolicyRules

        extensions.register(TalentPolicyRules())
