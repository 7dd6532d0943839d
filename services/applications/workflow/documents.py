"""The applicant's files, several at a time, and a wrong one removed or replaced.

While the application is a draft or under correction the applicant may attach several files in
one go (each checked by its content on its own: a refused file stores nothing and keeps none of
the others out), remove a file or replace it by another. A removed or replaced document leaves
the application's list but keeps its row and file: the audit trail names it with its SM3 digest,
so what the department once had in hand stays provable.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.audit import record_event
from portal.core.digest import sm3_of_bytes
from portal.core.errors import IllegalTransition
from portal.core.files import display_name
from services.applications.workflow.core import check_file, lock
from services.applications.workflow.filing import attach_document
from services.applications.workflow.rules import require
from services.models import Application, Document


@dataclass
class Refused:
    """A file that was not kept, by the name the applicant gave it, with the reasons."""

    name: str
    reasons: list[str]


@dataclass
class Batch:
    """What became of several files sent at once: the documents kept, the files refused."""

    accepted: list[Document] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)


def _reasons(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [str(text) for texts in error.message_dict.values() for text in texts]
    return [str(text) for text in error.messages]


def attach_documents(user: Any, application_id: int, material_code: str, files: Iterable[Any]) -> Batch:
    """Attach each file for one material, each in its own transaction (`attach_document`).

    A file the checks refuse is named with its reasons and stores nothing; the others are kept.
    Who acts and the state are asked of the first file like of any upload: refused, nothing is kept.
    """
    files = [file for file in files if file]
    if not files:
        raise ValidationError({"file": _("Choose a file to upload.")})
    batch = Batch()
    for file in files:
        try:
            batch.accepted.append(attach_document(user, application_id, material_code, file))
        except ValidationError as error:
            if "material" in getattr(error, "error_dict", {}):
                raise  # no such material: the same for every file
            batch.refused.append(Refused(display_name(getattr(file, "name", "")) or "—", _reasons(error)))
    return batch


def _changeable(user: Any, application: Application) -> None:
    try:
        require(user, application, "attach")
    except IllegalTransition:
        raise IllegalTransition(
            _("A material can be removed or replaced only in a draft or an application under correction; "
              "this application is “%(state)s”.") % {"state": application.get_state_display()},
            current_state=application.state, action="remove_document",
        ) from None


def _document(application: Application, document_id: Any) -> Document:
    try:
        document_id = int(document_id)
    except (TypeError, ValueError):
        document_id = 0
    document = Document.objects.filter(application=application, pk=document_id).select_related("material").first()
    if document is None:
        raise ValidationError({"document": _("This application has no such file in its list of materials.")})
    return document


def _digest(document: Document) -> str:
    try:
        with document.file.open("rb") as stored:
            return sm3_of_bytes(stored.read())  # uploads are bounded (MAX_UPLOAD_MB)
    except (FileNotFoundError, ValueError):
        return ""


def _take_out(user: Any, document: Document) -> dict:
    """Mark the document removed; what the audit trail keeps of it."""
    document.removed_at, document.removed_by = timezone.now(), user
    document.save(update_fields=["removed_at", "removed_by"])
    return {"material": document.material.code, "document": document.pk, "name": document.original_name,
            "uploaded_at": document.uploaded_at.isoformat(), "sm3": _digest(document)}


def remove_document(user: Any, application_id: int, document_id: Any) -> Document:
    """Take a file out of the application's list (draft or under correction); the trail keeps it."""
    with transaction.atomic():
        application = lock(application_id)
        _changeable(user, application)
        document = _document(application, document_id)
        record_event(user, "application.document_removed", application, data=_take_out(user, document))
    return document


def replace_document(user: Any, application_id: int, document_id: Any, file: Any) -> Document:
    """Put a new file in the place of one in the list, for the same material; the trail keeps the old one.

    The new file passes the same checks as any upload, the old one's room counting as free; refused,
    nothing changes.
    """
    with transaction.atomic():
        application = lock(application_id)
        _changeable(user, application)
        old = _document(application, document_id)
        data = _take_out(user, old)
        kind = check_file(file, application, old.material)
        new = Document.objects.create(application=application, material=old.material, uploaded_by=user,
                                      original_name=display_name(file.name) or f"{old.material.code}.{kind}",
                                      file=file)
        record_event(user, "application.document_replaced", application,
                     data={**data, "replaced_by": new.pk, "new_name": new.original_name})
    return new
