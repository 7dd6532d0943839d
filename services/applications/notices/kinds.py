"""Which recorded transition issues which notice, and the notices' official titles.

The titles and the wording are the documents' own: an administrative act is issued in Chinese,
whatever language the reader's pages are in (the kinds' labels on the pages are translated).
"""

from services.applications.notices.models import NoticeKind

# The audit action the workflow records for a transition → the notice that transition issues.
ACTION_KINDS: dict[str, str] = {
    "application.accepted": NoticeKind.ACCEPTANCE,
    "application.correction_requested": NoticeKind.CORRECTION,
    "application.not_accepted": NoticeKind.REFUSAL,
    "application.approved": NoticeKind.APPROVAL,
    # A conditional approval (容缺) is the decision; supplying the materials later issues nothing new.
    "application.approved_pending_documents": NoticeKind.APPROVAL,
    "application.rejected": NoticeKind.REJECTION,
    "application.granted_on_commitment": NoticeKind.COMMITMENT_APPROVAL,
}

TITLES: dict[str, str] = {
    NoticeKind.ACCEPTANCE: "受理通知书",
    NoticeKind.CORRECTION: "补正材料告知书",
    NoticeKind.REFUSAL: "不予受理决定书",
    NoticeKind.APPROVAL: "准予行政许可决定书",
    NoticeKind.REJECTION: "不予行政许可决定书",
    NoticeKind.COMMITMENT_APPROVAL: "准予行政许可决定书（告知承诺制）",
}

# Decisions that grant something: a later revocation (or suspension) takes their effect away.
GRANTS = {NoticeKind.APPROVAL, NoticeKind.COMMITMENT_APPROVAL}


def kind_of(action: str) -> str | None:
    """The notice the recorded action issues, or None."""
    return ACTION_KINDS.get(action)
