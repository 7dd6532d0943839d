"""Read-only questions about talent applications, asked by the workflow, the pages and the API alike."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery

from portal.models import AuditEvent
from services.applications.models import REVIEW_STATES
from services.models import Application, State, Task
from talent.models import Talent, TalentApplication, TalentPolicy

if TYPE_CHECKING:  # talent.applications imports this module
    from talent.applications import Usage

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


# --- the waiting list ---------------------------------------------------------------------------
#
# The list is derived, never stored: an application is on it while it is in review with only its
# final decision left (one step open, none waiting) and the policy has fewer grants left this year
# than such applications. So every way off the list (granted, withdrawn, rejected, returned for
# correction, suspended) and every way back needs no bookkeeping of its own, and a refused final
# approval, whose transaction is rolled back, leaves nothing behind that could go stale.


def _received_at() -> Subquery:
    """The moment the application was last received (submitted, or resubmitted at intake).

    `received_on` is the legal date of receipt; this orders the applications received on one day.
    """
    return Subquery(
        AuditEvent.objects.filter(
            target_type=Application._meta.label_lower, target_id=OuterRef("application_id"),
            to_state=State.SUBMITTED,
        ).order_by("-at", "-id").values("at")[:1]
    )


def _open_steps() -> Subquery:
    return Subquery(
        Task.objects.filter(application_id=OuterRef("application_id"), status=Task.Status.OPEN)
        .order_by().values("application_id").annotate(n=Count("pk")).values("n")[:1],
        output_field=IntegerField(),
    )


def awaiting_grant(policies: Iterable[TalentPolicy] | QuerySet[TalentPolicy],
                   deciding: Application | None = None) -> QuerySet[TalentApplication]:
    """The talent applications of `policies` whose only review left is the final decision, in the
    order received (date received, moment received, id).

    `deciding` is the application whose final approval is being decided in this transaction: its
    last step is already closed there, and it keeps its place in the line.
    """
    return at_final_decision(TalentApplication.objects.filter(policy__in=policies), deciding).select_related("talent")


def at_final_decision(claims: QuerySet, deciding: Application | None = None) -> QuerySet:
    """Of `claims` (rows linking an application to a policy: talent or enterprise policy applications),
    those in review whose only step left is the final decision, in the order received."""
    waiting_step = Task.objects.filter(application_id=OuterRef("application_id"), status=Task.Status.WAITING)
    last_step_open = Q(open_steps=1, has_waiting_step=False)
    if deciding is not None:
        last_step_open |= Q(application_id=deciding.pk)
    return (
        claims.filter(application__state__in=REVIEW_STATES)
        .annotate(open_steps=_open_steps(), has_waiting_step=Exists(waiting_step), received_at=_received_at())
        .filter(last_step_open)
        .select_related("application__enterprise", "application__service")
        .order_by("application__received_on", "received_at", "application_id")
    )


@dataclass(frozen=True)
class WaitingEntry:
    """One application in the line for a policy's grants: its 1-based position, and whether a
    grant is left for it now (the places left go to the first positions)."""

    position: int
    claim: Any  # a TalentApplication or an EnterprisePolicyApplication
    decidable: bool

    @property
    def application(self) -> Application:
        return self.claim.application

    @property
    def reference(self) -> str:
        return str(self.claim.application)


@dataclass(frozen=True)
class WaitingList:
    """The applications of a policy that wait for its quota or budget, in the order received.

    `line` holds every application at its final decision; it is a waiting list (`entries`) only
    while the grants left (`places_left`) are fewer than the applications in it. None as
    `places_left` means the policy limits neither, and nobody ever waits.
    """

    policy: Any  # a talent or an enterprise policy
    year: int
    places_left: int | None
    line: list[WaitingEntry] = field(default_factory=list)

    @property
    def short(self) -> bool:
        return self.places_left is not None and len(self.line) > self.places_left

    @property
    def entries(self) -> list[WaitingEntry]:
        return self.line if self.short else []

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def count(self) -> int:
        """How many applications are on the waiting list."""
        return len(self.entries)

    def entry_of(self, application_id: int) -> WaitingEntry | None:
        """The application's entry, if it is on the waiting list."""
        return next((entry for entry in self.entries if entry.claim.application_id == application_id), None)

    def of_enterprises(self, enterprise_ids: Iterable[int]) -> list[WaitingEntry]:
        """The entries of these enterprises only, with their positions in the whole list."""
        ids = set(enterprise_ids)
        return [entry for entry in self.entries if entry.claim.application.enterprise_id in ids]

    @property
    def ahead(self) -> list[WaitingEntry]:
        """The entries the grants left go to, in order."""
        return [entry for entry in self.entries if entry.decidable]


def waiting_list_of(policy: Any, used: "Usage", claims: Iterable[Any]) -> WaitingList:
    """The waiting list of `policy` (talent or enterprise) given its usage and its claims at their final
    decision, in the order received."""
    places = used.grants_left(policy)
    line = [WaitingEntry(position=index, claim=claim, decidable=places is None or index <= places)
            for index, claim in enumerate(claims, start=1)]
    return WaitingList(policy=policy, year=used.year, places_left=places, line=line)


def waiting_list(policy: TalentPolicy, year: int | None = None, *, used: "Usage | None" = None,
                 deciding: Application | None = None) -> WaitingList:
    """The waiting list of `policy` for the grants left in `year` (this year by default).

    `used` spares the usage query when the caller has just read it (the approval does, under the
    policy lock, so that the grants left and the line are read in one serialised moment).
    """
    from talent.applications import usage  # here: talent.applications imports this module

    used = used or usage(policy, year)
    claims = awaiting_grant([policy], deciding) if used.grants_left(policy) is not None else []
    return waiting_list_of(policy, used, claims)


def waiting_lists(year: int | None = None) -> dict[int, WaitingList]:
    """The waiting list of every policy that has one now, {policy id: list}, in two queries."""
    from talent.applications import usage, with_usage  # here: talent.applications imports this module

    limited = Q(annual_quota__isnull=False) | Q(annual_budget__isnull=False, amount__gt=0)
    policies = {policy.pk: policy for policy in with_usage(TalentPolicy.objects.filter(limited), year)}
    claims: dict[int, list[TalentApplication]] = {pk: [] for pk in policies}
    for claim in awaiting_grant(list(policies.values())):
        claims[claim.policy_id].append(claim)
    lists = {pk: waiting_list_of(policy, usage(policy, year), claims[pk]) for pk, policy in policies.items()}
    return {pk: line for pk, line in lists.items() if line.short}


def waiting_application_ids(year: int | None = None) -> set[int]:
    """Ids of the applications on any policy's waiting list (the admin's "waiting for quota")."""
    return {entry.claim.application_id for line in waiting_lists(year).values() for entry in line.entries}
