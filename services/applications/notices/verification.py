"""Verifying a notice by its code: genuine, and whether the decision still stands.

A code is genuine when a notice carries it and its audit event is in the chain unchanged: the event
still hashes to what it stores, and that hash begins with the code. Whether the notice still has
effect is read from the trail after it: a later revocation (撤销) or withdrawal (撤回) says so with
its date, and a granted licence whose application is suspended (中止) says since when (`UNDONE_BY`).
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from portal.core.audit_chain import link_hash
from portal.models import AuditEvent
from services.applications.notices.codes import normalised
from services.applications.notices.kinds import GRANTS
from services.applications.notices.models import Notice, NoticeKind
from services.models import State


@dataclass(frozen=True)
class Verification:
    notice: Notice | None
    status: str = ""  # valid, revoked, withdrawn or suspended; empty when not genuine
    since: datetime.date | None = None

    @property
    def genuine(self) -> bool:
        return self.notice is not None


NOT_GENUINE = Verification(None)

# What takes a notice's effect away, by kind: a granted licence is revoked (撤销); an acceptance or a
# correction notice lapses when the applicant withdraws (撤回). A refusal or a rejection stands.
UNDONE_BY = {
    NoticeKind.APPROVAL: State.REVOKED,
    NoticeKind.COMMITMENT_APPROVAL: State.REVOKED,
    NoticeKind.ACCEPTANCE: State.WITHDRAWN,
    NoticeKind.CORRECTION: State.WITHDRAWN,
    NoticeKind.REFUSAL: None,
    NoticeKind.REJECTION: None,
}


def in_chain(event: AuditEvent, code: str) -> bool:
    """The event hashes to what it stores, and that hash is the one the code was taken from."""
    return event.hash.upper().startswith(code) and link_hash(event.previous_hash, event.canonical_record()) == event.hash


def verify(typed: str) -> Verification:
    """What the verification page tells of a typed or scanned code."""
    code = normalised(typed)
    if code is None:
        return NOT_GENUINE
    notice = Notice.objects.select_related("event", "application", "department").filter(code=code).first()
    if notice is None or not in_chain(notice.event, code):
        return NOT_GENUINE
    undoing = UNDONE_BY[notice.kind]
    undone = undoing and (AuditEvent.objects.filter(
        target_type=notice.event.target_type, target_id=notice.event.target_id, pk__gt=notice.event_id,
        to_state=undoing).order_by("id").first())
    if undone is not None:
        return Verification(notice, undone.to_state, timezone.localdate(undone.at))
    application = notice.application
    if notice.kind in GRANTS and application.state == State.SUSPENDED:
        return Verification(notice, State.SUSPENDED, application.suspended_on)
    return Verification(notice, "valid")
