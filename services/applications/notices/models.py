"""The notices issued for applications: one per application, kind and audit event of the transition."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core.files import private_storage, stored_name


class NoticeKind(models.TextChoices):
    ACCEPTANCE = "acceptance", _("Notice of acceptance")
    CORRECTION = "correction", _("Notice of materials to correct")
    REFUSAL = "refusal", _("Decision not to accept")
    APPROVAL = "approval", _("Decision to grant the licence")
    REJECTION = "rejection", _("Decision not to grant the licence")
    COMMITMENT_APPROVAL = "commitment_approval", _("Decision to grant the licence on commitment")


def notice_path(instance: "Notice", filename: str) -> str:
    return stored_name(f"notices/{instance.application_id}", filename)


class Notice(models.Model):
    """An official notice as issued: its PDF, its verification code and the facts it states.

    `facts` keeps what the PDF printed (reference, enterprise, item, department, dates), so the
    verification page shows the notice as issued even after the enterprise or the item is renamed.
    """

    application = models.ForeignKey(
        "services.Application", on_delete=models.PROTECT, related_name="notices", verbose_name=_("application"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    # The transition's event in the audit chain: the code is derived from its hash.
    event = models.ForeignKey("portal.AuditEvent", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("audit event"))
    code = models.CharField(_("verification code"), max_length=16, unique=True)
    title = models.CharField(_("title"), max_length=60)
    department = models.ForeignKey("services.Department", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("issued by"))
    issued_at = models.DateTimeField(_("issued at"))
    facts = models.JSONField(_("facts stated"), default=dict)
    file = models.FileField(_("file"), upload_to=notice_path, storage=private_storage)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["issued_at", "id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(fields=["application", "kind", "event"], name="one_notice_per_transition"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.facts.get('reference', '')}"

    @property
    def display_code(self) -> str:
        from services.applications.notices.codes import grouped

        return grouped(self.code)

    def file_name(self) -> str:
        """The name the download is saved under: the title and the reference."""
        return f"{self.title}-{self.facts.get('reference', self.application_id)}.pdf"
