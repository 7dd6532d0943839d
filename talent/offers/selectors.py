"""Read-only questions about offers: the waiting line, a position in it, what a clerk sees."""

from dataclasses import dataclass
from typing import Any

from django.db.models import F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery

from talent.models import TalentPolicy
from talent.offers.models import Offer, OfferStatus


def _of_policy(policy: Any) -> Q:
    if isinstance(policy, TalentPolicy):
        return Q(talent_policy=policy)
    return Q(enterprise_policy=policy)


def waiting_line(policy: Any) -> QuerySet[Offer]:
    """The confirmed offers of `policy` waiting for a grant, in the order confirmed (then by id)."""
    return (Offer.objects.filter(_of_policy(policy), status=OfferStatus.WAITING)
            .order_by("confirmed_at", "id"))


@dataclass(frozen=True)
class Place:
    position: int
    count: int


def place_of(offer: Offer) -> Place | None:
    """The offer's 1-based place on its policy's waiting list and the list's length, if it waits.

    Only the position and the length: the other entries are other enterprises' offers.
    """
    if offer.status != OfferStatus.WAITING:
        return None
    line = waiting_line(offer.policy)
    ahead = line.filter(Q(confirmed_at__lt=offer.confirmed_at) | Q(confirmed_at=offer.confirmed_at, pk__lt=offer.pk))
    return Place(position=ahead.count() + 1, count=line.count())


def _counted(queryset: QuerySet[Offer]) -> Subquery:
    return Subquery(queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")[:1],
                    output_field=IntegerField())


def with_places(offers: QuerySet[Offer]) -> QuerySet[Offer]:
    """Annotate each offer with its waiting list's length and the offers ahead of it, in the same query."""
    line = Offer.objects.filter(status=OfferStatus.WAITING).filter(
        Q(talent_policy_id=OuterRef("talent_policy_id")) | Q(enterprise_policy_id=OuterRef("enterprise_policy_id")))
    ahead = line.filter(Q(confirmed_at__lt=OuterRef("confirmed_at"))
                        | Q(confirmed_at=OuterRef("confirmed_at"), pk__lt=OuterRef("pk")))
    return offers.annotate(waiting_ahead=_counted(ahead), waiting_total=_counted(line))


def place_from_annotation(offer: Offer) -> Place | None:
    """`place_of` read from `with_places`' annotations, without a query."""
    if not hasattr(offer, "waiting_total"):
        return place_of(offer)
    if offer.status != OfferStatus.WAITING:
        return None
    return Place(position=(offer.waiting_ahead or 0) + 1, count=offer.waiting_total or 0)


def offers_for_clerk(user: Any) -> QuerySet[Offer]:
    """The offers of the user's enterprises, open ones first, with what their pages show."""
    from talent.offers.workflow import offers_of_member

    return with_places(offers_of_member(user)
                       .select_related("enterprise", "talent", "talent_policy__service", "enterprise_policy__service",
                                       "disbursement")
                       .order_by("-offered_on", "-id"))


def waiting_offer_ids() -> set[int]:
    """Ids of the offers on any policy's waiting list (the admin's "waiting for quota")."""
    return set(Offer.objects.filter(status=OfferStatus.WAITING).values_list("id", flat=True))
