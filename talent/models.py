"""Talent profiles, the 丰才十条 policies, talent applications and policy matches."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.access import MemberQuerySet
from portal.core.encrypted_fields import EncryptedCharField, LookupHashField
from talent import identity


class Education(models.TextChoices):
    DOCTORATE = "doctorate", _("Doctorate")
    MASTER = "master", _("Master's degree")
    BACHELOR = "bachelor", _("Bachelor's degree")
    OTHER = "other", _("Other")


# Higher is more; the minimum-education rule compares these ranks.
EDUCATION_RANK = {Education.OTHER: 0, Education.BACHELOR: 1, Education.MASTER: 2, Education.DOCTORATE: 3}


class Tier(models.TextChoices):
    A = "A", _("A · Top talent")
    B = "B", _("B · Leading talent")
    C = "C", _("C · Key talent")
    D = "D", _("D · Young talent")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class IdNumberField(EncryptedCharField):
    """The resident ID number, SM4-encrypted at rest. Its own validator reports a wrong length once, in words."""

    @property
    def validators(self) -> list:
        return [v for v in super().validators if not isinstance(v, MaxLengthValidator)]


class TalentQuerySet(MemberQuerySet):
    """Talent are reached through their employer's memberships."""


class Talent(models.Model):
    """A person employed by an enterprise, for whom the employer applies to talent policies.

    The ID number is read and written only through `talent.identity`; birth date and gender
    are derived from it when it is set. It is stored encrypted: the per-employer uniqueness and
    every search compare `id_number_lookup`, its keyed SM3 digest.
    """

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="talent", verbose_name=_("employer")
    )
    name = models.CharField(_("name"), max_length=50)
    id_number = IdNumberField(
        _("resident ID number"), max_length=18, validators=[identity.validate_id_number],
        help_text=_("The 18-character number of the 居民身份证; birth date and gender are read from it."),
    )
    id_number_lookup = LookupHashField(_("ID number digest"), source="id_number")
    birth_date = models.DateField(_("birth date"), editable=False, db_index=True)
    gender = models.CharField(_("gender"), max_length=6, choices=Gender.choices, editable=False)
    education = models.CharField(_("highest education"), max_length=10, choices=Education.choices)
    title = models.CharField(_("professional title"), max_length=100, blank=True)
    field = models.CharField(_("field"), max_length=100, blank=True)
    tier = models.CharField(_("talent tier"), max_length=1, choices=Tier.choices, db_index=True)
    returnee = models.BooleanField(_("returnee from overseas"), default=False)
    started_on = models.DateField(_("started in the district on"))
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = TalentQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("talent")
        verbose_name_plural = _("talent")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "id_number_lookup"], name="talent_once_per_employer"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        identity.derive(self)
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None) -> None:
        # Birth date and gender are derived from the ID number in save(), never entered.
        super().clean_fields(exclude={*(exclude or ()), "birth_date", "gender"})

    def clean(self) -> None:
        if self.started_on and self.started_on > timezone.localdate():
            raise ValidationError({"started_on": _("The start date cannot be in the future.")})

    @property
    def masked_id_number(self) -> str:
        return identity.mask(self.id_number)

    def age(self, on: datetime.date | None = None) -> int:
        return identity.age(self.birth_date, on or timezone.localdate())


class BenefitKind(models.TextChoices):
    CASH = "cash", _("Cash award or subsidy")
    HOUSING = "housing", _("Housing")
    SETTLEMENT = "settlement", _("Household registration (落户)")
    SCHOOLING = "schooling", _("Children's schooling")
    MEDICAL = "medical", _("Medical green channel")
    SERVICE = "service", _("Other service")


class TalentPolicy(models.Model):
    """One of the 丰才十条: a service item of the catalogue plus its benefit, quota and rules.

    Applications for it go through the item's workflow; `talent.eligibility` reads `rules`
    and `talent.applications` spends the quota and budget at approval.
    """

    service = models.OneToOneField(
        "services.ServiceItem", on_delete=models.PROTECT, related_name="talent_policy",
        verbose_name=_("service item"),
    )
    benefit_kind = models.CharField(_("benefit"), max_length=12, choices=BenefitKind.choices)
    amount = models.DecimalField(
        _("amount per grant (CNY)"), max_digits=12, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(0)], help_text=_("For cash benefits; 0 for services."),
    )
    benefit_description = models.CharField(_("benefit in words"), max_length=300, blank=True)
    benefit_description_en = models.CharField(_("benefit in words, in English"), max_length=400, blank=True)
    annual_budget = models.DecimalField(
        _("annual budget (CNY)"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)], help_text=_("Empty: no budget limit."),
    )
    annual_quota = models.PositiveIntegerField(
        _("annual quota (grants)"), null=True, blank=True, help_text=_("Empty: no limit on the number of grants.")
    )
    opens_on = models.DateField(_("applications open on"), null=True, blank=True)
    closes_on = models.DateField(_("applications close on"), null=True, blank=True)
    rules = models.JSONField(
        _("eligibility rules"), default=dict, blank=True,
        help_text=_("An object of rules, e.g. {\"max_age\": 45, \"tiers\": [\"A\", \"B\"]}."),
    )
    # 免申即享 as a mode of the policy (talent/offers/): a match becomes an offer, confirmed in one step.
    no_application = models.BooleanField(
        _("enjoyed without applying (免申即享)"), default=False,
        help_text=_("A match becomes an offer the enterprise confirms in one step; no application is filed."),
    )
    review_required = models.BooleanField(
        _("an official reviews each confirmation"), default=False,
        help_text=_("For offers: a confirmation waits for an official's review before the grant."),
    )
    personal = models.BooleanField(
        _("personal benefit"), default=False,
        help_text=_("The benefit is the talent's own: a confirmation records the talent's consent."),
    )
    held_materials = models.JSONField(
        _("materials the district holds"), default=list, blank=True,
        help_text=_("Codes of the item's materials the district already holds: an application prefilled from "
                    "a match does not ask for them."),
    )

    class Meta:
        ordering = ["service__code"]
        verbose_name = _("talent policy")
        verbose_name_plural = _("talent policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_on__isnull=True) | Q(closes_on__isnull=True) | Q(opens_on__lte=models.F("closes_on")),
                name="policy_window_in_order",
            ),
        ]

    def __str__(self) -> str:
        return str(self.service)

    @property
    def code(self) -> str:
        return self.service.code

    def clean(self) -> None:
        from talent.eligibility import validate_rules

        errors = {}
        try:
            self.rules = validate_rules(self.rules)
        except ValidationError as error:
            errors["rules"] = error.messages
        if self.opens_on and self.closes_on and self.opens_on > self.closes_on:
            errors["closes_on"] = [_("The closing date comes before the opening date.")]
        if self.benefit_kind == BenefitKind.CASH and not self.amount:
            errors["amount"] = [_("A cash benefit needs an amount.")]
        # Matching, the talent pages and the review panels look for policies among talent items only.
        if self.service_id and self.service.category != "talent":
            errors["service"] = [_("A talent policy needs a service item of the talent domain.")]
        if errors:
            raise ValidationError(errors)

    def is_open(self, on: datetime.date) -> bool:
        return (
            self.service.is_active
            and (self.opens_on is None or self.opens_on <= on)
            and (self.closes_on is None or on <= self.closes_on)
        )


class TalentApplication(models.Model):
    """The talent and policy of an application, and what its approval granted."""

    application = models.OneToOneField(
        "services.Application", on_delete=models.CASCADE, related_name="talent_application",
        verbose_name=_("application"),
    )
    policy = models.ForeignKey(TalentPolicy, on_delete=models.PROTECT, related_name="applications",
                               verbose_name=_("talent policy"))
    talent = models.ForeignKey(Talent, on_delete=models.PROTECT, related_name="applications",
                               verbose_name=_("talent"))
    granted_year = models.PositiveSmallIntegerField(_("granted in year"), null=True, blank=True)
    granted_amount = models.DecimalField(_("granted amount (CNY)"), max_digits=12, decimal_places=2,
                                         null=True, blank=True)

    class Meta:
        verbose_name = _("talent application")
        verbose_name_plural = _("talent applications")
        indexes = [models.Index(fields=["policy", "granted_year"])]

    def __str__(self) -> str:
        return f"{self.application} · {self.talent}"


class PolicyMatch(models.Model):
    """A talent the matching run found eligible for a policy (免申即享); notified once."""

    # A match is derived data, rewritten by every nightly run: its references are kept by the ORM's
    # cascades, not by database constraints, whose per-row checks at commit cost the first run of a
    # district as much as the inserts. Policy and enterprise are indexed by the unique constraint and
    # the index of Meta, which lead with them.
    policy = models.ForeignKey(TalentPolicy, on_delete=models.CASCADE, related_name="matches", db_index=False,
                               db_constraint=False)
    talent = models.ForeignKey(Talent, on_delete=models.CASCADE, related_name="matches", db_constraint=False)
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="policy_matches",
                                   db_index=False, db_constraint=False)
    matched_on = models.DateField(_("matched on"))
    lapsed_on = models.DateField(
        _("no longer eligible since"), null=True, blank=True,
        help_text=_("Set by the matching run when the talent stops meeting the rules."),
    )
    notified_at = models.DateTimeField(_("enterprise notified at"), null=True, blank=True)

    class Meta:
        ordering = ["-matched_on", "id"]
        verbose_name = _("policy match")
        verbose_name_plural = _("policy matches")
        constraints = [models.UniqueConstraint(fields=["policy", "talent"], name="one_match_per_policy_and_talent")]
        indexes = [models.Index(fields=["enterprise", "lapsed_on"]),
                   # The matches not yet told: few, so the run's claim of them reads only those.
                   models.Index(fields=["id"], condition=Q(notified_at__isnull=True), name="talent_match_not_yet_told")]

    def __str__(self) -> str:
        return f"{self.policy} · {self.talent}"


# The offers of 免申即享 and the enterprise policies, in a sub-package of their own.
from talent.offers.models import (  # noqa: E402,F401 (registered with the app here)
    Disbursement,
    EnterprisePolicy,
    EnterprisePolicyApplication,
    EnterprisePolicyMatch,
    Offer,
    PolicyMessageOptOut,
    TalentAccount,
)
