import datetime

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.identifiers import normalize_uscc, validate_uscc
from portal.core import access
from portal.core.encrypted_fields import EncryptedCharField, LookupHashField
from portal.core.files import private_storage, stored_name, validate_upload


class Street(models.TextChoices):
    """Streets and towns of the district (街道/乡镇)."""

    FENGTAI = "fengtai", _("Fengtai Street")
    XINCUN = "xincun", _("Xincun Street")
    LUGOUQIAO = "lugouqiao", _("Lugouqiao Street")
    HUAXIANG = "huaxiang", _("Huaxiang Street")
    FANGZHUANG = "fangzhuang", _("Fangzhuang Street")
    YOUANMEN = "youanmen", _("Youanmen Street")
    NANYUAN = "nanyuan", _("Nanyuan Street")
    DONGGAODI = "donggaodi", _("Donggaodi Street")
    LIULIQIAO = "liuliqiao", _("Liuliqiao Street")
    CHANGXINDIAN = "changxindian", _("Changxindian Street")
    WANPING = "wanping", _("Wanping Street")
    YUNGANG = "yungang", _("Yungang Street")
    MAJIAPU = "majiapu", _("Majiapu Street")
    WANGZUO = "wangzuo", _("Wangzuo Town")


class Industry(models.TextChoices):
    """Sections of GB/T 4754-2017, the national industry classification."""

    A = "A", _("A Agriculture, forestry, animal husbandry and fishery")
    B = "B", _("B Mining")
    C = "C", _("C Manufacturing")
    D = "D", _("D Electricity, heat, gas and water")
    E = "E", _("E Construction")
    F = "F", _("F Wholesale and retail")
    G = "G", _("G Transport, storage and post")
    H = "H", _("H Accommodation and catering")
    I = "I", _("I Information transmission, software and IT services")  # noqa: E741
    J = "J", _("J Finance")
    K = "K", _("K Real estate")
    L = "L", _("L Leasing and business services")
    M = "M", _("M Scientific research and technical services")
    N = "N", _("N Water, environment and public facilities")
    O = "O", _("O Resident services and repair")  # noqa: E741
    P = "P", _("P Education")
    Q = "Q", _("Q Health and social work")
    R = "R", _("R Culture, sports and entertainment")
    S = "S", _("S Public administration and social organisations")
    T = "T", _("T International organisations")


class EnterpriseSize(models.TextChoices):
    LARGE = "large", _("Large")
    MEDIUM = "medium", _("Medium")
    SMALL = "small", _("Small")
    MICRO = "micro", _("Micro")


class TaxCreditRating(models.TextChoices):
    """The tax authority's credit grade of the enterprise (纳税信用等级)."""

    A = "A", _("A · excellent")
    B = "B", _("B · good")
    M = "M", _("M · new or small (no full year of records)")
    C = "C", _("C · poor")
    D = "D", _("D · untrustworthy")


class TechTier(models.TextChoices):
    NONE = "none", _("None")
    SME_TECH = "sme_tech", _("Technology-based SME")
    HIGH_TECH = "high_tech", _("High and new technology enterprise")
    GAZELLE = "gazelle", _("Gazelle enterprise")
    UNICORN = "unicorn", _("Unicorn enterprise")
    SPECIALISED = "specialised", _("Specialised and innovative (专精特新)")


phone_validator = RegexValidator(
    r"^[0-9+\-() ]{7,20}$", _("Enter a phone number of digits, spaces, + or -.")
)


def licence_path(instance: "Enterprise", filename: str) -> str:
    return stored_name("licences", filename)


def repair_evidence_path(instance: "CreditRecord", filename: str) -> str:
    return stored_name("credit-repairs", filename)


class EnterpriseQuerySet(access.MemberQuerySet):
    """The enterprises a portal user belongs to are the only ones they may see."""

    enterprise_path = ""


class Enterprise(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")

    name = models.CharField(_("enterprise name"), max_length=200)
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        db_index=True,
        validators=[validate_uscc],
        help_text=_("The 18-character code on the business licence."),
    )
    legal_representative = models.CharField(_("legal representative"), max_length=100)
    registered_address = models.CharField(_("registered address"), max_length=300)
    street = models.CharField(_("street or town"), max_length=20, choices=Street.choices)
    industry = models.CharField(_("industry (GB/T 4754)"), max_length=1, choices=Industry.choices)
    size = models.CharField(_("size"), max_length=10, choices=EnterpriseSize.choices)
    tech_tier = models.CharField(
        _("technology tier"), max_length=20, choices=TechTier.choices, default=TechTier.NONE
    )
    founded_on = models.DateField(_("founding date"))
    registered_capital = models.DecimalField(
        _("registered capital (10,000 CNY)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    # Registered data the district holds (shared by the tax, statistics and science bureaux); the
    # enterprise policies' rules read them (talent/offers/enterprise_rules.py).
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    annual_revenue = models.DecimalField(
        _("annual revenue (10,000 CNY)"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )
    tax_credit_rating = models.CharField(
        _("tax credit rating"), max_length=1, choices=TaxCreditRating.choices, blank=True, db_default="",
    )
    tech_tier_since = models.DateField(
        _("technology tier recognised on"), null=True, blank=True,
        help_text=_("The day the current technology tier was recognised."),
    )
    contact_name = models.CharField(_("contact person"), max_length=100)
    # SM4-encrypted at rest; members see it, officials see it masked.
    contact_phone = EncryptedCharField(_("contact phone"), max_length=20, validators=[phone_validator])
    contact_phone_lookup = LookupHashField(_("contact phone digest"), source="contact_phone", db_index=True)
    contact_email = models.EmailField(_("contact e-mail"))
    licence = models.FileField(
        _("business licence"),
        upload_to=licence_path,
        storage=private_storage,
        validators=[validate_upload],
    )

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    status_reason = models.TextField(_("reason of the last decision"), blank=True)
    credit_listed_until = models.DateField(
        _("on the credit list until"),
        null=True,
        blank=True,
        help_text=_("While on the credit list the enterprise may not use commitment-based approval."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    service_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_enterprises",
        limit_choices_to=access.official_choices,
        verbose_name=_("service manager"),
        help_text=_("The official who looks after this enterprise (服务管家)."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        related_name="enterprises",
        verbose_name=_("members"),
    )

    objects = EnterpriseQuerySet.as_manager()

    # The statuses in which an enterprise holds its code (the constraint below lists them too).
    CODE_HOLDING_STATES = [Status.PENDING, Status.VERIFIED, Status.SUSPENDED]

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        permissions = [("verify_enterprise", _("Can verify or reject enterprise registrations"))]
        constraints = [
            # A rejected registration (a squatter's, or one with a blurred licence) holds no code.
            models.UniqueConstraint(
                fields=["uscc"], condition=models.Q(status__in=["pending", "verified", "suspended"]),
                name="enterprise_code_held_once",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.uscc = normalize_uscc(self.uscc)
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None) -> None:
        self.uscc = normalize_uscc(self.uscc)
        super().clean_fields(exclude=exclude)

    def on_credit_list(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return bool(self.credit_listed_until and self.credit_listed_until >= on)


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Enterprise administrator")
        CLERK = "clerk", _("Clerk")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.CLERK)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "enterprise"], name="one_membership_per_user")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.enterprise} ({self.get_role_display()})"


class CreditRecord(models.Model):
    """A broken commitment or revoked approval that puts the enterprise on the credit list."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="credit_records")
    application = models.ForeignKey(
        "services.Application", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"))
    listed_on = models.DateField(_("listed on"))
    listed_until = models.DateField(_("listed until"))
    repaired_at = models.DateTimeField(_("repaired at"), null=True, blank=True)
    repaired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("repaired by"),
    )
    repair_reason = models.TextField(_("reason of the credit repair"), blank=True)
    repair_evidence = models.FileField(
        _("evidence of the credit repair"), blank=True, upload_to=repair_evidence_path, storage=private_storage,
        validators=[validate_upload],
    )

    class Meta:
        ordering = ["-listed_on"]
        verbose_name = _("credit record")
        verbose_name_plural = _("credit records")

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.listed_on}"


# The models of the sub-packages, so Django finds them in this app.
from enterprises.managers.models import ManagedEnterprise, ManagerNote, ThreadMessage  # noqa: E402, F401
from enterprises.obligations.models import CalendarFeed  # noqa: E402, F401
