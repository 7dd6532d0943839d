"""Enterprise policies, their matches, and the offers of 免申即享 with their disbursements.

An enterprise policy is a district measure for the enterprise itself (专精特新 awards, 高新技术企业
培育, 瞪羚…): a service item of the enterprise domain, a benefit, quota and budget, and rules over the
enterprise's registered data (`talent.offers.enterprise_rules`). A talent or an enterprise policy
marked `no_application` (免申即享) turns each match into an `Offer`: the enterprise confirms it in one
step, and the grant is decided by the rules, the quota and the budget (`talent.offers.workflow`).
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from talent.models import BenefitKind


class EnterprisePolicy(models.Model):
    """A district measure for enterprises: its service item, benefit, quota, budget and rules."""

    service = models.OneToOneField(
        "services.ServiceItem", on_delete=models.PROTECT, related_name="enterprise_policy",
        verbose_name=_("service item"),
    )
    benefit_kind = models.CharField(_("benefit"), max_length=12, choices=BenefitKind.choices,
                                    default=BenefitKind.CASH)
    amount = models.DecimalField(
        _("amount per grant (CNY)"), max_digits=12, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    benefit_description = models.CharField(_("benefit in words"), max_length=300, blank=True)
    benefit_description_en = models.CharField(_("benefit in words (English)"), max_length=300, blank=True)
    annual_budget = models.DecimalField(
        _("annual budget (CNY)"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)], help_text=_("Empty: no budget limit."),
    )
    annual_quota = models.PositiveIntegerField(_("annual quota (grants)"), null=True, blank=True)
    opens_on = models.DateField(_("applications open on"), null=True, blank=True)
    closes_on = models.DateField(_("applications close on"), null=True, blank=True)
    rules = models.JSONField(_("eligibility rules"), default=dict, blank=True,
                             help_text=_("An object of rules, e.g. {\"tech_tiers\": [\"gazelle\"]}."))
    no_application = models.BooleanField(_("enjoyed without applying (免申即享)"), default=False)
    review_required = models.BooleanField(_("an official reviews each confirmation"), default=False)
    held_materials = models.JSONField(_("materials the district holds"), default=list, blank=True)

    personal = False  # an enterprise's benefit is never a person's

    class Meta:
        ordering = ["service__code"]
        verbose_name = _("enterprise policy")
        verbose_name_plural = _("enterprise policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_on__isnull=True) | Q(closes_on__isnull=True) | Q(opens_on__lte=models.F("closes_on")),
                name="enterprise_policy_window_in_order",
            ),
        ]

    def __str__(self) -> str:
        return str(self.service)

    @property
    def code(self) -> str:
        return self.service.code

    def clean(self) -> None:
        from talent.offers.enterprise_rules import validate_rules

        errors = {}
        try:
            self.rules = validate_rules(self.rules)
        except ValidationError as error:
            errors["rules"] = error.messages
        if self.benefit_kind == BenefitKind.CASH and not self.amount:
            errors["amount"] = [_("A cash benefit needs an amount.")]
        if self.service_id and self.service.category != "enterprise":
            errors["service"] = [_("An enterprise policy needs a service item of the enterprise domain.")]
        if errors:
            raise ValidationError(errors)

    def is_open(self, on) -> bool:
        return (self.service.is_active and (self.opens_on is None or self.opens_on <= on)
                and (self.closes_on is None or on <= self.closes_on))


class EnterprisePolicyMatch(models.Model):
    """An enterprise the matching run found eligible for an enterprise policy; notified once."""

    # Derived data, as a talent's `PolicyMatch`: references kept by the ORM's cascades, not by database
    # constraints; indexed by the unique constraint and the index of Meta, which lead with them.
    policy = models.ForeignKey(EnterprisePolicy, on_delete=models.CASCADE, related_name="matches", db_index=False,
                               db_constraint=False)
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE,
                                   related_name="enterprise_policy_matches", db_index=False, db_constraint=False)
    matched_on = models.DateField(_("matched on"))
    lapsed_on = models.DateField(_("no longer eligible since"), null=True, blank=True)
    notified_at = models.DateTimeField(_("enterprise notified at"), null=True, blank=True)

    class Meta:
        ordering = ["-matched_on", "id"]
        verbose_name = _("enterprise policy match")
        verbose_name_plural = _("enterprise policy matches")
        constraints = [models.UniqueConstraint(fields=["policy", "enterprise"], name="one_match_per_policy_and_enterprise")]
        indexes = [models.Index(fields=["enterprise", "lapsed_on"]),
                   models.Index(fields=["id"], condition=Q(notified_at__isnull=True),
                                name="enterprise_match_not_yet_told")]

    def __str__(self) -> str:
        return f"{self.policy} · {self.enterprise}"


class EnterprisePolicyApplication(models.Model):
    """The enterprise policy an ordinary application is for, what the enterprise's data were when it was
    made, and what its approval granted (as `TalentApplication` for a talent policy)."""

    application = models.OneToOneField(
        "services.Application", on_delete=models.CASCADE, related_name="enterprise_policy_application",
        verbose_name=_("application"),
    )
    policy = models.ForeignKey(EnterprisePolicy, on_delete=models.PROTECT, related_name="applications",
                               verbose_name=_("enterprise policy"))
    basis = models.JSONField(_("data the application was made on"), default=dict, blank=True)
    granted_year = models.PositiveSmallIntegerField(_("granted in year"), null=True, blank=True)
    granted_amount = models.DecimalField(_("granted amount (CNY)"), max_digits=12, decimal_places=2,
                                         null=True, blank=True)

    class Meta:
        verbose_name = _("enterprise policy application")
        verbose_name_plural = _("enterprise policy applications")
        indexes = [models.Index(fields=["policy", "granted_year"])]

    def __str__(self) -> str:
        return f"{self.application} · {self.policy}"


class OfferStatus(models.TextChoices):
    OFFERED = "offered", _("Offered, waiting for confirmation")
    IN_REVIEW = "in_review", _("Confirmed, in review")
    WAITING = "waiting", _("Confirmed, on the waiting list")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REVOKED = "revoked", _("Revoked")
    LAPSED = "lapsed", _("No longer eligible")


# An offer in these states holds its subject's place: one per policy and talent (or enterprise).
LIVE_OFFER_STATES = [OfferStatus.OFFERED, OfferStatus.IN_REVIEW, OfferStatus.WAITING, OfferStatus.GRANTED]
_live = Q(status__in=[s.value for s in LIVE_OFFER_STATES])


class Offer(models.Model):
    """A benefit of a 免申即享 policy offered to an enterprise (for itself or one of its talent)."""

    Status = OfferStatus

    # The indexes of Meta lead with these three: a single-column index of each would only slow the
    # nightly run's inserts down.
    talent_policy = models.ForeignKey("talent.TalentPolicy", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="offers", verbose_name=_("talent policy"), db_index=False)
    enterprise_policy = models.ForeignKey(EnterprisePolicy, on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="offers", verbose_name=_("enterprise policy"), db_index=False)
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="offers",
                                   verbose_name=_("enterprise"), db_index=False)
    talent = models.ForeignKey("talent.Talent", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="offers", verbose_name=_("talent"))
    status = models.CharField(_("status"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.OFFERED)
    offered_on = models.DateField(_("offered on"))
    basis = models.JSONField(_("data the offer is based on"), default=dict, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("confirmed by"), db_index=False)
    commitment_text = models.TextField(_("commitment signed"), blank=True, db_default="")
    commitment_digest = models.CharField(_("SM3 digest of the commitment"), max_length=64, blank=True, db_default="")
    consent_text = models.TextField(_("the talent's consent, as recorded"), blank=True, db_default="")
    granted_year = models.PositiveSmallIntegerField(_("granted in year"), null=True, blank=True)
    granted_amount = models.DecimalField(_("granted amount (CNY)"), max_digits=12, decimal_places=2,
                                         null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"), db_index=False)
    reason = models.TextField(_("reason of the last decision"), blank=True, db_default="")
    notified_at = models.DateTimeField(_("enterprise notified at"), null=True, blank=True)

    class Meta:
        ordering = ["-offered_on", "id"]
        verbose_name = _("offer (免申即享)")
        verbose_name_plural = _("offers (免申即享)")
        constraints = [
            models.CheckConstraint(
                condition=(Q(talent_policy__isnull=False, enterprise_policy__isnull=True, talent__isnull=False)
                           | Q(talent_policy__isnull=True, enterprise_policy__isnull=False, talent__isnull=True)),
                name="offer_of_one_policy_and_subject",
            ),
            models.UniqueConstraint(fields=["talent_policy", "talent"], condition=_live,
                                    name="one_live_offer_per_talent_policy"),
            models.UniqueConstraint(fields=["enterprise_policy", "enterprise"], condition=_live,
                                    name="one_live_offer_per_enterprise_policy"),
        ]
        indexes = [
            models.Index(fields=["talent_policy", "status", "granted_year"]),
            models.Index(fields=["enterprise_policy", "status", "granted_year"]),
            models.Index(fields=["enterprise", "status"]),
            # Only the few offers confirmed or decided are indexed by who did it (a user's deletion checks them).
            models.Index(fields=["confirmed_by"], condition=Q(confirmed_by__isnull=False), name="offer_confirmed_by"),
            models.Index(fields=["decided_by"], condition=Q(decided_by__isnull=False), name="offer_decided_by"),
        ]

    def __str__(self) -> str:
        subject = self.talent.name if self.talent_id else self.enterprise.name
        return f"{self.policy} · {subject}"

    @property
    def policy(self):
        return self.talent_policy if self.talent_policy_id else self.enterprise_policy

    @property
    def personal(self) -> bool:
        return bool(self.talent_policy_id and self.talent_policy.personal)

    def canonical_record(self) -> str:
        """What the commitment's SM3 digest covers, as `Commitment.canonical_record()`: one line of JSON."""
        import json

        from django.utils import timezone

        return json.dumps({
            "offer": self.pk,
            "policy": self.policy.code,
            "enterprise": self.enterprise.uscc,
            "talent": self.talent_id or "",
            "basis": self.basis,
            "consent": self.consent_text,
            "signed_at": timezone.localtime(self.confirmed_at).isoformat(timespec="seconds"),
            "signer": self.confirmed_by.get_username(),
            "text": self.commitment_text,
        }, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class Disbursement(models.Model):
    """The payment of a granted offer (拨付): what, when it is due, when it was paid, the reference."""

    offer = models.OneToOneField(Offer, on_delete=models.PROTECT, related_name="disbursement")
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    scheduled_on = models.DateField(_("scheduled for"))
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    reference = models.CharField(_("payment reference"), max_length=60, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("updated by"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["scheduled_on", "id"]
        verbose_name = _("disbursement (拨付)")
        verbose_name_plural = _("disbursements (拨付)")
        permissions = [("record_payment", _("Can record the payment of a grant"))]

    def __str__(self) -> str:
        return f"{self.offer} · {self.amount}"


class PolicyMessageOptOut(models.Model):
    """A person who asked not to be told about one policy's matches and offers any more."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    talent_policy = models.ForeignKey("talent.TalentPolicy", on_delete=models.CASCADE, null=True, blank=True,
                                      related_name="+")
    enterprise_policy = models.ForeignKey(EnterprisePolicy, on_delete=models.CASCADE, null=True, blank=True,
                                          related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("policy messages turned off")
        verbose_name_plural = _("policy messages turned off")
        constraints = [
            models.UniqueConstraint(fields=["user", "talent_policy"], name="opt_out_once_per_talent_policy"),
            models.UniqueConstraint(fields=["user", "enterprise_policy"], name="opt_out_once_per_enterprise_policy"),
            models.CheckConstraint(condition=(Q(talent_policy__isnull=True, enterprise_policy__isnull=False)
                                              | Q(talent_policy__isnull=False, enterprise_policy__isnull=True)),
                                   name="opt_out_of_one_policy"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.talent_policy or self.enterprise_policy}"


class TalentAccount(models.Model):
    """The portal account of a talent, when they have one: they are told of their personal benefits."""

    talent = models.OneToOneField("talent.Talent", on_delete=models.CASCADE, related_name="account")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="talent_profile")
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("talent's portal account")
        verbose_name_plural = _("talent's portal accounts")

    def __str__(self) -> str:
        return f"{self.talent} · {self.user}"
