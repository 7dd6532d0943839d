"""Ratings of decided applications (好差评) and the rectifications (整改) a bad one opens.

An application is rated at most twice: once after its decision (`round` 1) and, when that rating
opened a rectification, once more after the department closed it (`round` 2, final). The unique
constraint on (application, round) holds this even if two ratings race past the workflow's lock.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

FIRST_ROUND, FINAL_ROUND = 1, 2
COMMENT_MAX_LENGTH = 500
OUTCOME_MAX_LENGTH = 2000


class Score(models.IntegerChoices):
    """The national 好差评 scale (政务服务“好差评”: 非常满意 … 非常不满意)."""

    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    BASICALLY_SATISFIED = 3, _("Basically satisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


# A rating this low (差评) opens a rectification for the department that decided.
BAD_SCORES = (Score.DISSATISFIED, Score.VERY_DISSATISFIED)


class Rating(models.Model):
    application = models.ForeignKey(
        "services.Application", on_delete=models.CASCADE, related_name="ratings", verbose_name=_("application"),
    )
    round = models.PositiveSmallIntegerField(
        _("round"), default=FIRST_ROUND,
        help_text=_("1: the rating after the decision; 2: the final rating after the rectification."),
    )
    score = models.PositiveSmallIntegerField(_("rating"), choices=Score.choices)
    comment = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH, blank=True)
    # The department whose decision was rated: the one a bad rating sends the rectification to.
    department = models.ForeignKey(
        "services.Department", on_delete=models.PROTECT, related_name="ratings", verbose_name=_("department"),
    )
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("rated by"),
    )
    rated_at = models.DateTimeField(_("rated at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["application", "round"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        indexes = [models.Index(fields=["department", "rated_at"])]
        constraints = [
            models.UniqueConstraint(fields=["application", "round"], name="one_rating_per_application_round"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"),
            models.CheckConstraint(condition=Q(round__in=[FIRST_ROUND, FINAL_ROUND]), name="rating_round_1_or_2"),
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.score} {self.get_score_display()}"

    @property
    def is_bad(self) -> bool:
        return self.score in BAD_SCORES

    @property
    def is_final(self) -> bool:
        return self.round == FINAL_ROUND


class Rectification(models.Model):
    """The department's answer to a bad rating: due in 15 working days, closed with its outcome."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    rating = models.OneToOneField(Rating, on_delete=models.CASCADE, related_name="rectification",
                                  verbose_name=_("rating"))
    application = models.ForeignKey(
        "services.Application", on_delete=models.CASCADE, related_name="rectifications",
        verbose_name=_("application"),
    )
    department = models.ForeignKey(
        "services.Department", on_delete=models.PROTECT, related_name="rectifications", verbose_name=_("department"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField(_("opened on"))
    due_date = models.DateField(_("due"))
    due_provisional = models.BooleanField(
        _("due date provisional"), default=False,
        help_text=_("Computed for a year whose official holiday schedule is not entered yet."),
    )
    outcome = models.TextField(_("outcome"), max_length=OUTCOME_MAX_LENGTH, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        indexes = [models.Index(fields=["department", "status", "due_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | (Q(closed_at__isnull=False) & ~Q(outcome="")),
                name="closed_rectification_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN
