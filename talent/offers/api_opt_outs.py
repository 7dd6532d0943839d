"""`/api/v1/policy-opt-outs/`: the policies whose messages the caller turned off, for the caller only.

`POST {level: talent|enterprise, policy: <code>}` turns one off (201; 200 with the same row when it
was off already), `DELETE /{id}/` turns it on again. Another person's opt-outs are never listed and
answer 404.
"""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from portal.core.api.idempotency import IdempotentMixin
from talent.offers import opt_outs
from talent.offers.models import PolicyMessageOptOut


class PolicyOptOutSerializer(serializers.ModelSerializer):
    level = serializers.SerializerMethodField(help_text="talent: a talent policy; enterprise: an enterprise policy")
    policy = serializers.SerializerMethodField(help_text="The policy's code, e.g. FC01 or QY-01")
    policy_title = serializers.SerializerMethodField()

    class Meta:
        model = PolicyMessageOptOut
        fields = ["id", "level", "policy", "policy_title", "created_at"]
        read_only_fields = fields

    def _policy(self, opt_out: PolicyMessageOptOut):
        return opt_out.talent_policy or opt_out.enterprise_policy

    def get_level(self, opt_out: PolicyMessageOptOut) -> str:
        return opt_outs.level_of(self._policy(opt_out))

    def get_policy(self, opt_out: PolicyMessageOptOut) -> str:
        return self._policy(opt_out).code

    def get_policy_title(self, opt_out: PolicyMessageOptOut) -> str:
        return str(self._policy(opt_out))


class PolicyOptOutCreateSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=opt_outs.LEVELS, help_text="talent or enterprise")
    policy = serializers.CharField(max_length=40, help_text="The policy's code, e.g. FC01 or QY-01")


OPT_OUT_EXAMPLE = {"id": 3, "level": "enterprise", "policy": "QY-01", "policy_title": "专精特新企业奖励",
                   "created_at": "2026-06-02T09:30:00+08:00"}


@extend_schema_view(
    list=extend_schema(examples=[OpenApiExample("One policy turned off", response_only=True, value=OPT_OUT_EXAMPLE)]),
    retrieve=extend_schema(examples=[OpenApiExample("A policy turned off", response_only=True, value=OPT_OUT_EXAMPLE)]),
)
class PolicyOptOutViewSet(IdempotentMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The policies whose matches and offers the caller is no longer told of (their own setting only)."""

    serializer_class = PolicyOptOutSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema's generation has no user
            return PolicyMessageOptOut.objects.none()
        return opt_outs.opt_outs_of(self.request.user)

    @extend_schema(request=PolicyOptOutCreateSerializer, responses={201: PolicyOptOutSerializer,
                                                                    200: PolicyOptOutSerializer}, examples=[
        OpenApiExample("Turn an enterprise policy off", request_only=True,
                       value={"level": "enterprise", "policy": "QY-01"}),
        OpenApiExample("Turned off", response_only=True, status_codes=["201"], value=OPT_OUT_EXAMPLE),
        OpenApiExample("Off already: the same row", response_only=True, status_codes=["200"], value=OPT_OUT_EXAMPLE),
    ])
    def create(self, request, *args, **kwargs):
        """Stop telling the caller about one policy; a policy already off answers 200 with its row."""
        payload = PolicyOptOutCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        policy = opt_outs.policy_of(payload.validated_data["level"], payload.validated_data["policy"])
        opt_out, created = opt_outs.turn_off(request.user, policy)
        fresh = self.get_queryset().get(pk=opt_out.pk)
        return Response(PolicyOptOutSerializer(fresh).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(responses={204: None})
    def destroy(self, request, *args, **kwargs):
        """Tell the caller about the policy again."""
        opt_out = self.get_object()
        opt_outs.turn_on(request.user, opt_out.talent_policy or opt_out.enterprise_policy)
        return Response(status=status.HTTP_204_NO_CONTENT)
