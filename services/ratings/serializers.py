"""What a client reads of ratings and rectifications, and what it sends to rate or to close."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from services.catalogue.api import DepartmentSerializer
from services.ratings.models import COMMENT_MAX_LENGTH, OUTCOME_MAX_LENGTH, Rating, Rectification, Score


class RectificationOfRatingSerializer(serializers.ModelSerializer):
    """The rectification a bad rating opened, as the applicant reads it."""

    class Meta:
        model = Rectification
        fields = ["id", "status", "opened_on", "due_date", "due_provisional", "outcome", "closed_at"]
        read_only_fields = fields


class RatingSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="get_score_display", read_only=True,
                                  help_text=_("The score's words: 非常满意, 满意, 基本满意, 不满意, 非常不满意."))
    final = serializers.BooleanField(source="is_final", read_only=True,
                                     help_text=_("The rating after a rectification: no further rating is taken."))
    department = DepartmentSerializer(read_only=True, help_text=_("The department whose decision was rated."))
    rated_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    rectification = serializers.SerializerMethodField(help_text=_(
        "Opened by a rating of 1 or 2 for the department, due in 15 working days; null otherwise."))

    class Meta:
        model = Rating
        fields = ["round", "score", "label", "comment", "final", "department", "rated_by", "rated_at",
                  "rectification"]
        read_only_fields = fields

    @extend_schema_field(RectificationOfRatingSerializer(allow_null=True))
    def get_rectification(self, rating: Rating) -> dict | None:
        try:
            rectification = rating.rectification
        except Rectification.DoesNotExist:
            return None
        return RectificationOfRatingSerializer(rectification).data


class RatingStatusSerializer(serializers.Serializer):
    """The application's 好差评: its ratings, oldest first, and whether the caller may rate it now."""

    may_rate = serializers.BooleanField(read_only=True, help_text=_(
        "True when a POST would be taken now: the application is decided and not yet rated, or its "
        "rectification was closed and it has not been rated again."))
    ratings = RatingSerializer(many=True, read_only=True)


class RateSerializer(serializers.Serializer):
    score = serializers.ChoiceField(choices=Score.choices, label=_("rating"), help_text=_(
        "5 非常满意 (very satisfied), 4 满意, 3 基本满意, 2 不满意, 1 非常不满意 (very dissatisfied)."))
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=COMMENT_MAX_LENGTH,
                                    label=_("comment"))


class RatingOfRectificationSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="get_score_display", read_only=True)

    class Meta:
        model = Rating
        fields = ["round", "score", "label", "comment", "rated_at"]
        read_only_fields = fields


class RectificationSerializer(serializers.ModelSerializer):
    """A rectification in the department's list (整改)."""

    application = serializers.IntegerField(source="application_id", read_only=True)
    reference = serializers.CharField(source="application.reference", read_only=True)
    service = serializers.CharField(source="application.service.code", read_only=True)
    enterprise = serializers.CharField(source="application.enterprise.name", read_only=True)
    department = DepartmentSerializer(read_only=True)
    rating = RatingOfRectificationSerializer(read_only=True)
    overdue = serializers.SerializerMethodField(help_text=_("Open past its due date."))
    closed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Rectification
        fields = ["id", "application", "reference", "service", "enterprise", "department", "rating", "status",
                  "opened_on", "due_date", "due_provisional", "overdue", "outcome", "closed_by", "closed_at"]
        read_only_fields = fields

    def get_overdue(self, rectification: Rectification) -> bool:
        today: datetime.date = self.context.get("today") or timezone.localdate()
        return rectification.is_open and rectification.due_date < today


class CloseSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=OUTCOME_MAX_LENGTH, label=_("outcome"), help_text=_(
        "What was found and what was done; the applicant reads it."))
