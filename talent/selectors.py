"""Read-only questions about talent applications, asked by the workflow, the pages and the API alike."""

from django.db.models import QuerySet

from services.models import Application, State
from talent.models import Talent, TalentApplication, TalentPolicy

# A talent has at most one application per policy that is under way or granted.
LIVE_STATES = [State.DRAFT, State.SUBMITTED, State.CORRECTION_REQUESTED, State.ACCEPTED, State.IN_REVIEW,
               State.APPROVED, State.APPROVED_PENDING_DOCUMENTS, State.COMPLETED, State.SUSPENDED]


def _live_claims(talent: Talent) -> QuerySet[TalentApplication]:
    return (TalentApplication.objects.filter(talent=talent, application__state__in=LIVE_STATES)
            .select_related("application").order_by("-application__created_at", "-id"))


def live_application_of(talent: Talent, policy: TalentPolicy) -> Application | None:
    """The talent's application for `policy` that is under way or granted, if there is one."""
    claim = _live_claims(talent).filter(policy=policy).first()
    return claim.application if claim else None


def live_applications_of(talent: Talent) -> dict[int, Application]:
    """`live_application_of` for every policy at once: {policy id: application}, in one query."""
    live: dict[int, Application] = {}
    for claim in _live_claims(talent):
        live.setdefault(claim.policy_id, claim.application)
    return live
