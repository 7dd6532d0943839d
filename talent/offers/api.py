"""`/api/v1/offers/`: the 免申即享 offers of the caller's enterprises, and confirming one in one step.

`POST /api/v1/offers/{id}/confirm/` `{commitment_accepted: true, consent_recorded?: true}` is
idempotent twice over: a repeat with the same `Idempotency-Key` replays the first answer, and a
confirmation of an offer already confirmed changes nothing and answers the offer as it is.
"""

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.core.api.idempotency import IdempotentMixin
from portal.core.api.pagination import CursorPagination
from talent.offers import selectors, workflow
from talent.offers.models import Disbursement, Offer, OfferStatus


class DisbursementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Disbursement
        fields = ["amount", "scheduled_on", "paid_on", "reference"]


class OfferSerializer(serializers.ModelSerializer):
    policy = serializers.SerializerMethodField()
    policy_title = serializers.SerializerMethodField()
    level = serializers.SerializerMethodField(help_text="talent: a talent policy's offer; enterprise: the enterprise's own")
    talent = serializers.SerializerMethodField()
    status_label = serializers.SerializerMethodField()
    personal = serializers.BooleanField(read_only=True)
    waiting_position = serializers.SerializerMethodField()
    waiting_count = serializers.SerializerMethodField()
    disbursement = serializers.SerializerMethodField()

    class Meta:
        model = Offer
        fields = ["id", "policy", "policy_title", "level", "enterprise", "talent", "status", "status_label",
                  "personal", "offered_on", "basis", "confirmed_at", "commitment_digest", "granted_year",
                  "granted_amount", "reason", "waiting_position", "waiting_count", "disbursement"]
        read_only_fields = fields

    def get_policy(self, offer: Offer) -> str:
        return offer.policy.code

    def get_policy_title(self, offer: Offer) -> str:
        return str(offer.policy)

    def get_level(self, offer: Offer) -> str:
        return "talent" if offer.talent_policy_id else "enterprise"

    def get_talent(self, offer: Offer) -> dict[str, Any] | None:
        return {"id": offer.talent_id, "name": offer.talent.name} if offer.talent_id else None

    def get_status_label(self, offer: Offer) -> str:
        return str(OfferStatus(offer.status).label)

    def get_waiting_position(self, offer: Offer) -> int | None:
        place = selectors.place_from_annotation(offer)
        return place.position if place else None

    def get_waiting_count(self, offer: Offer) -> int | None:
        place = selectors.place_from_annotation(offer)
        return place.count if place else None

    def get_disbursement(self, offer: Offer) -> dict[str, Any] | None:
        payment = getattr(offer, "disbursement", None)
        return DisbursementSerializer(payment).data if payment else None


class ConfirmSerializer(serializers.Serializer):
    commitment_accepted = serializers.BooleanField(
        help_text="true: the clerk commits that the data the offer is based on are true (SM3-digested)")
    consent_recorded = serializers.BooleanField(
        required=False, default=False,
        help_text="For a personal benefit: the talent has consented to it being confirmed on their behalf")


OFFER_EXAMPLE = {
    "id": 7, "policy": "QY-03", "policy_title": "瞪羚企业成长奖励", "level": "enterprise", "enterprise": 1,
    "talent": None, "status": "granted", "status_label": "Granted", "personal": False, "offered_on": "2026-06-01",
    "basis": {"tech_tier": "gazelle", "employees": 80, "status": "verified"},
    "confirmed_at": "2026-06-02T09:30:00+08:00", "commitment_digest": "6f1c…", "granted_year": 2026,
    "granted_amount": "300000.00", "reason": "", "waiting_position": None, "waiting_count": None,
    "disbursement": {"amount": "300000.00", "scheduled_on": "2026-06-30", "paid_on": None, "reference": ""},
}


@extend_schema_view(
    list=extend_schema(examples=[OpenApiExample("An offer granted", response_only=True, value=OFFER_EXAMPLE)]),
    retrieve=extend_schema(examples=[OpenApiExample("An offer granted", response_only=True, value=OFFER_EXAMPLE)]),
)
class OfferViewSet(IdempotentMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The offers (免申即享) of the caller's enterprises: the data each is based on, its grant and payment."""

    serializer_class = OfferSerializer
    # An enterprise with many talent has many offers: pages, as the applications.
    pagination_class = CursorPagination
    ordering = "-offered_on"
    ordering_fields = {"offered_on": "offered_on", "status": "status"}

    def get_queryset(self):
        return selectors.offers_for_clerk(self.request.user)

    @extend_schema(request=ConfirmSerializer, responses={200: OfferSerializer}, examples=[
        OpenApiExample("Confirm", request_only=True, value={"commitment_accepted": True}),
        OpenApiExample("Granted at once", response_only=True, value=OFFER_EXAMPLE),
    ])
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """意愿确认: confirm the offer in one step; a second confirmation changes nothing."""
        payload = ConfirmSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        self.get_object()  # another enterprise's offer: 404
        workflow.confirm(request.user, int(pk), commitment_accepted=payload.validated_data["commitment_accepted"],
                         consent_recorded=payload.validated_data["consent_recorded"])
        return Response(OfferSerializer(self.get_queryset().get(pk=pk), context=self.get_serializer_context()).data)
