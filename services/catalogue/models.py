from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.core import access
from portal.core.bilingual import Shown, localised
from portal.core.files import accepted_types, private_storage, type_named


class Department(models.Model):
    """A district department (委办局) whose officials take in and decide applications."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    officials = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="departments",
        blank=True,
        verbose_name=_("officials"),
        limit_choices_to=access.official_choices,
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return str(localised(self, "name"))


class ApprovalMode(models.TextChoices):
    STANDARD = "standard", _("Standard approval")
    DEFERRED = "deferred", _("Deferred documents (容缺)")
    PARALLEL = "parallel", _("Parallel departments (并联)")
    COMMITMENT = "commitment", _("Commitment-based (告知承诺)")


class ServiceCategory(models.TextChoices):
    PARTY = "party", _("Party affairs")
    MASS = "mass", _("Mass organisations")
    GOVERNMENT = "government", _("Government affairs")
    ENTERPRISE = "enterprise", _("Enterprise")
    TALENT = "talent", _("Talent")
    DATA = "data", _("Data")


DEFAULT_COMMITMENT_TEXT = _("I commit that the information and materials I provide are true and complete.")


def _label(model: type[models.Model], field: str) -> str:
    return str(model._meta.get_field(field).verbose_name)


class ServiceItem(models.Model):
    """One thing a company can apply for (政务服务事项), with its guide (办事指南)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    category = models.CharField(_("service domain"), max_length=12, choices=ServiceCategory.choices)
    departments = models.ManyToManyField(
        "services.Department", related_name="service_items", verbose_name=_("responsible departments")
    )
    lead_department = models.ForeignKey(
        "services.Department",
        on_delete=models.PROTECT,
        related_name="led_service_items",
        verbose_name=_("lead department"),
        help_text=_("The window that takes applications in."),
    )
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    conditions = models.TextField(_("acceptance conditions"), blank=True)
    conditions_en = models.TextField(_("acceptance conditions in English"), blank=True)
    legal_basis = models.TextField(
        _("legal basis"), blank=True,
        help_text=_("The laws and regulations the item rests on, as the notices and decisions cite them."),
    )
    legal_basis_en = models.TextField(_("legal basis in English"), blank=True)
    fee = models.DecimalField(_("fee (CNY)"), max_digits=10, decimal_places=2, default=Decimal("0"))
    approval_mode = models.CharField(
        _("approval mode"), max_length=12, choices=ApprovalMode.choices, default=ApprovalMode.STANDARD
    )
    statutory_days = models.PositiveSmallIntegerField(
        _("statutory limit (working days)"), default=20, validators=[MinValueValidator(1)]
    )
    promised_days = models.PositiveSmallIntegerField(
        _("promised limit (working days)"), default=10, validators=[MinValueValidator(1)]
    )
    deferral_days = models.PositiveSmallIntegerField(
        _("deferred materials due within (working days)"), default=10, validators=[MinValueValidator(1)]
    )
    deferral_grace_days = models.PositiveSmallIntegerField(
        _("grace period before revocation (working days)"), default=10
    )
    correction_days = models.PositiveSmallIntegerField(
        _("days the applicant has to correct"), default=30, validators=[MinValueValidator(1)],
        help_text=_("Past them an application waiting for corrections is closed as withdrawn."),
    )
    commitment_text = models.TextField(
        _("commitment text"), blank=True, help_text=_("What the applicant signs in the commitment and deferred modes.")
    )
    commitment_text_en = models.TextField(
        _("commitment text in English"), blank=True,
        help_text=_("What an applicant reading in English signs; empty: the Chinese text, marked as not translated."),
    )
    post_check_ratio = models.DecimalField(
        _("post-check sampling ratio"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.2"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("Share of commitment approvals checked afterwards; 1 for high-risk items."),
    )
    post_check_window_days = models.PositiveSmallIntegerField(
        _("post-check due within (working days)"), default=20
    )
    # What an approval or grant binds the enterprise to afterwards: the obligations calendar lists it.
    licence_valid_months = models.PositiveSmallIntegerField(
        _("licence valid for (months)"), null=True, blank=True,
        help_text=_("How long the licence an approval grants is valid; empty if it does not expire."),
    )
    condition_text = models.CharField(
        _("condition attached to the approval"), max_length=300, blank=True,
        help_text=_("What the enterprise must keep doing after the approval or grant, e.g. "
                    "“the talent stays with the enterprise for 3 years”."),
    )
    condition_months = models.PositiveSmallIntegerField(
        _("condition holds for (months)"), null=True, blank=True,
        help_text=_("From the decision; the calendar shows the day the condition is fulfilled."),
    )
    credit_bar_days = models.PositiveSmallIntegerField(
        _("credit list period (days)"),
        default=365,
        help_text=_("How long a broken commitment bars the enterprise from the commitment mode."),
    )
    is_active = models.BooleanField(_("open for applications"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        constraints = [
            models.CheckConstraint(
                condition=Q(promised_days__lte=F("statutory_days")),
                name="promised_within_statutory",
                violation_error_message=_("The promised limit cannot exceed the statutory limit."),
            ),
            models.CheckConstraint(
                condition=Q(post_check_ratio__gte=0) & Q(post_check_ratio__lte=1),
                name="post_check_ratio_0_to_1",
            ),
        ]

    def __str__(self) -> str:
        return str(localised(self, "name"))

    def clean(self) -> None:
        errors = {}
        if self.promised_days and self.statutory_days and self.promised_days > self.statutory_days:
            errors["promised_days"] = ValidationError(
                _("“%(field)s” (%(promised)s) cannot exceed “%(statutory_field)s” (%(statutory)s)."),
                code="promised_over_statutory",
                params={
                    "field": _label(ServiceItem, "promised_days"),
                    "promised": self.promised_days,
                    "statutory_field": _label(ServiceItem, "statutory_days"),
                    "statutory": self.statutory_days,
                },
            )
        if self.approval_mode in (ApprovalMode.COMMITMENT, ApprovalMode.DEFERRED) and not self.commitment_text.strip():
            errors["commitment_text"] = ValidationError(
                _("“%(field)s” is needed in the “%(mode)s” mode: it is what the applicant signs."),
                code="commitment_text_missing",
                params={"field": _label(ServiceItem, "commitment_text"), "mode": ApprovalMode(self.approval_mode).label},
            )
        if errors:
            raise ValidationError(errors)

    def legal_basis_text(self) -> Shown:
        """The legal basis in the reader's language: English where it is given and English is spoken."""
        return localised(self, "legal_basis")

    @property
    def signing_text(self) -> Shown:
        """The commitment the applicant signs, in the language they read it in: the item's own text, or the
        general one. It is stored as signed, so what the applicant read is what the digest covers."""
        if self.commitment_text.strip():
            return localised(self, "commitment_text")
        return Shown(str(DEFAULT_COMMITMENT_TEXT))  # a message of the portal: already in the reader's language


class ReviewStep(models.Model):
    """A review step of an item: ordered for the standard modes, simultaneous for parallel ones."""

    service = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="review_steps")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    name = models.CharField(_("step"), max_length=100)
    name_en = models.CharField(_("step in English"), max_length=150, blank=True)
    department = models.ForeignKey(
        "services.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    promised_days = models.PositiveSmallIntegerField(
        _("department's promised days"),
        null=True,
        blank=True,
        help_text=_("Parallel mode: this department's promise; empty = the item's promise."),
    )

    class Meta:
        ordering = ["service", "order", "id"]
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")

    def __str__(self) -> str:
        return f"{self.order}. {localised(self, 'name')}"

    def clean(self) -> None:
        service = getattr(self, "service", None)  # the item being added in the same admin form
        statutory = service.statutory_days if service else None
        if self.promised_days and statutory and self.promised_days > statutory:
            raise ValidationError({"promised_days": ValidationError(
                _("“%(field)s” (%(days)s) cannot exceed the item's “%(statutory_field)s” (%(statutory)s)."),
                code="step_over_statutory",
                params={
                    "field": _label(ReviewStep, "promised_days"),
                    "days": self.promised_days,
                    "statutory_field": _label(ServiceItem, "statutory_days"),
                    "statutory": statutory,
                },
            )})


def template_path(instance: "MaterialRequirement", filename: str) -> str:
    return f"templates/{instance.service.code}/{filename}"


class MaterialRequirement(models.Model):
    """A material the applicant supplies. Essential materials can never be deferred."""

    service = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="materials")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=True)
    essential = models.BooleanField(
        _("essential"), default=False, help_text=_("A key material: it can never be deferred.")
    )
    deferrable = models.BooleanField(_("deferrable"), default=False)
    template = models.FileField(
        _("template file"), upload_to=template_path, storage=private_storage, blank=True
    )
    accepted_types = models.CharField(
        _("accepted file types"), max_length=100, blank=True,
        help_text=_("File types the applicant may upload for this material, separated by commas (pdf, jpg, png, "
                    "ofd); empty for every type the portal accepts."),
    )

    class Meta:
        ordering = ["service", "id"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="material_code_per_service"),
            models.CheckConstraint(
                condition=~(Q(essential=True) & Q(deferrable=True)),
                name="essential_never_deferrable",
                violation_error_message=_("An essential material cannot be deferrable."),
            ),
        ]

    def __str__(self) -> str:
        return str(localised(self, "name"))

    def upload_types(self) -> set[str]:
        """The types an upload for this material may have; every one the portal accepts when none are set."""
        named = {type_named(kind) for kind in self.accepted_types.split(",") if kind.strip()}
        return named & accepted_types() if named else accepted_types()

    def clean(self) -> None:
        unknown = {type_named(kind) for kind in self.accepted_types.split(",") if kind.strip()} - accepted_types()
        if unknown:
            raise ValidationError({"accepted_types": ValidationError(
                _("The portal cannot check files of type %(types)s; choose among %(allowed)s."),
                code="unknown_type",
                params={"types": ", ".join(sorted(unknown)), "allowed": ", ".join(sorted(accepted_types()))},
            )})
        if self.essential and self.deferrable:
            raise ValidationError({"deferrable": ValidationError(
                _("“%(field)s” cannot be ticked for an essential material: key materials are never deferred."),
                code="essential_deferrable",
                params={"field": _label(MaterialRequirement, "deferrable")},
            )})
