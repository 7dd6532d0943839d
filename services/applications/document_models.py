"""The materials attached to an application (`Document`), kept in the private storage.

A document removed or replaced while the application is a draft or under correction leaves the
application's list (the default manager) but keeps its row and file for the record: the audit
trail names it, and the retention period erases it with the application's other files.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core.files import private_storage, stored_name, validate_upload


def document_path(instance: "Document", filename: str) -> str:
    return stored_name(f"applications/{instance.application_id}", filename)


class CurrentDocuments(models.Manager):
    """The documents in an application's list: a removed or replaced one is left out (it stays in
    the audit trail, and in `Document.all_objects`)."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(removed_at__isnull=True)


class Document(models.Model):
    """A file the applicant attached for one material, or one supplied before and reused."""

    application = models.ForeignKey("services.Application", on_delete=models.CASCADE, related_name="documents")
    material = models.ForeignKey(
        "services.MaterialRequirement", on_delete=models.PROTECT, related_name="+", verbose_name=_("material")
    )
    file = models.FileField(_("file"), upload_to=document_path, storage=private_storage, validators=[validate_upload])
    original_name = models.CharField(_("file name"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # 免提交: the file first supplied in an earlier application of the enterprise, whose stored file
    # this row shares (nothing is uploaded or copied again).
    reused_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reuses",
        verbose_name=_("reused from"),
    )
    # Removed or replaced while the application was a draft or under correction: the row and its
    # file stay for the record (the retention period erases them with the others).
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("removed by"),
    )

    objects = CurrentDocuments()
    all_objects = models.Manager()  # noqa: DJ012 (a manager, not a field)

    class Meta:
        base_manager_name = "all_objects"
        ordering = ["application", "uploaded_at"]
        verbose_name = _("attached material")
        verbose_name_plural = _("attached materials")

    def __str__(self) -> str:
        return self.original_name

    @property
    def original(self) -> "Document":
        """The document as first supplied: itself, or the earlier one it reuses."""
        return self.reused_from or self
