"""Retention: what an application keeps once its personal data have been kept long enough.

A finished application (not accepted, rejected, completed, withdrawn or revoked) whose last event
is older than the retention period loses its form answers and its attached files. Its reference,
dates, state, decisions and timeline stay; what was erased stays provable, as SM3 digests in the
audit trail's event `application.personal_data_erased`.
"""

import datetime
import json
import logging

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from portal.core.audit import record_event
from portal.core.digest import sm3_digest, sm3_of_bytes
from portal.models import AuditEvent
from services.models import Application, Document, State

log = logging.getLogger(__name__)

ERASED = "application.personal_data_erased"
FINISHED_STATES = [State.NOT_ACCEPTED, State.REJECTED, State.COMPLETED, State.WITHDRAWN, State.REVOKED]


def finished_before(cutoff: datetime.datetime) -> QuerySet[Application]:
    """Finished applications with nothing recorded since `cutoff` and something left to erase."""
    recent = AuditEvent.objects.filter(
        target_type=Application._meta.label_lower, target_id=OuterRef("pk"), at__gte=cutoff
    )
    # Removed and replaced documents too: their files are the applicant's as much as the others.
    with_files = Document.all_objects.filter(application=OuterRef("pk")).exclude(file="")
    return (
        Application.objects.filter(state__in=FINISHED_STATES, created_at__lt=cutoff)
        .exclude(Exists(recent))
        .filter(Exists(with_files) | ~Q(form={}))
        .order_by("pk")
    )


def erase_personal_data(application_id: int) -> bool:
    """Erase one application's form answers and files; False when there was nothing to erase.

    The rows change in one transaction with the audit event; the files go after it commits, so a
    failure leaves the files and rows as they were, and a file that cannot be removed is logged.
    """
    with transaction.atomic():
        application = Application.objects.select_for_update(of=("self",)).get(pk=application_id)
        documents = list(Document.all_objects.filter(application=application).exclude(file="").order_by("pk"))
        if not documents and not application.form:
            return False
        erased = {str(d.pk): _file_digest(d) for d in documents}
        data = {"documents": erased, "form": sm3_digest(_canonical(application.form)) if application.form else ""}
        stored = [d.file.name for d in documents]
        storage = documents[0].file.storage if documents else None
        Document.all_objects.filter(pk__in=[d.pk for d in documents]).update(file="")
        # A file reused by a later application (免提交) is shared, not copied: it stays for that one.
        shared = set(Document.all_objects.filter(file__in=stored).values_list("file", flat=True))
        application.form = {}
        application.save(update_fields=["form"])
        record_event(None, ERASED, application, data=data)
        if storage is not None:
            unshared = [name for name in stored if name not in shared]
            transaction.on_commit(lambda: _remove_files(storage, unshared))
    return True


def _file_digest(document: Document) -> str:
    try:
        with document.file.open("rb") as stored:
            return sm3_of_bytes(stored.read())  # uploads are bounded (MAX_UPLOAD_MB)
    except FileNotFoundError:
        return ""  # already gone from the disk: nothing to prove, the row is erased all the same


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _remove_files(storage, names: list[str]) -> None:
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            log.exception("retention: could not remove the stored file %s", name)
