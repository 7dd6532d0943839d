"""免提交: a material the enterprise already supplied in an earlier application, used again.

The applicant names the earlier document (one of `selectors.reusable_documents`) instead of
uploading the file again; the new document shares the earlier one's stored file and points to
the document as first supplied, whose date the pages and the API show.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from portal.core.audit import record_event
from portal.core.bilingual import localised
from portal.core.files import upload_type_of
from services.applications.selectors import reusable_documents
from services.applications.workflow.core import lock, stored_size
from services.applications.workflow.rules import require
from services.models import Document


def _document_id(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({"document": _("Name the earlier document by its id.")}) from None


def reuse_document(user: Any, application_id: int, document_id: Any, material_code: str | None = None) -> Document:
    """Attach an earlier document of the same enterprise for `material_code` (by default its own material's code).

    Allowed when attaching is (a draft, or under correction). The earlier document must be among
    those the user may reuse here; the material must take its file's type; the application's files
    together stay within MAX_APPLICATION_UPLOAD_MB.
    """
    document_id = _document_id(document_id)
    with transaction.atomic():
        application = lock(application_id)
        require(user, application, "attach")
        earlier = reusable_documents(user, application).filter(pk=document_id).first()
        if earlier is None:
            raise ValidationError({"document": _(
                "No material with this id can be reused here: it must have been supplied in an earlier application "
                "of the same enterprise that the department took in.")})
        code = material_code or earlier.material.code
        material = application.service.materials.filter(code=code).first()
        if material is None:
            raise ValidationError({"material": _("This service item has no material “%(code)s”.") % {"code": code}})
        kind = upload_type_of(earlier.file.name)
        if kind not in material.upload_types():
            raise ValidationError({"document": _("“%(material)s” takes files of type %(types)s, not %(kind)s.") % {
                "material": localised(material, "name"), "types": ", ".join(sorted(material.upload_types())), "kind": kind}})
        try:
            size = earlier.file.size
        except OSError:
            raise ValidationError({"document": _("The earlier file can no longer be read; upload it again.")}) from None
        if stored_size(application) + size > settings.MAX_APPLICATION_UPLOAD_MB * 1024 * 1024:
            raise ValidationError({"document": _(
                "The application's files would come to more than %(mb)s MB together.") % {
                "mb": settings.MAX_APPLICATION_UPLOAD_MB}})
        original = earlier.original
        # The stored file's name, not the file: nothing is uploaded or copied again.
        document = Document.objects.create(
            application=application, material=material, file=original.file.name,
            original_name=original.original_name, uploaded_by=user, reused_from=original,
        )
        record_event(user, "application.document_reused", application, data={
            "material": material.code, "document": original.pk, "from": original.application.reference,
            "supplied_at": original.uploaded_at.isoformat(),
        })
    return document
