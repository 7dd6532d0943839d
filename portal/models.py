import datetime
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from portal.core import audit_chain
from portal.core.encrypted_fields import EncryptedCharField, LookupHashField
from portal.core.errors import AppendOnly


class User(AbstractUser):
    """Anyone who signs in: a company clerk, a district official (is_staff) or an admin."""

    # Personal data: SM4-encrypted at rest, shown masked to anyone but its owner.
    phone = EncryptedCharField(_("mobile phone"), max_length=20, blank=True)
    phone_lookup = LookupHashField(_("phone digest"), source="phone", db_index=True)
    language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=[("zh-hans", "简体中文"), ("en", "English")],
        default="zh-hans",
        help_text=_("Language of the messages the portal sends to this person."),
    )

    sms_quiet_from = models.TimeField(
        _("no SMS from"), default=datetime.time(22, 0),
        help_text=_("Text messages that fall in the quiet hours wait until they end."),
    )
    sms_quiet_until = models.TimeField(_("no SMS until"), default=datetime.time(8, 0))
    signed_out_everywhere_at = models.DateTimeField(
        _("signed out everywhere"), null=True, blank=True, editable=False,
        help_text=_("Every session begun before then has ended."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username

    # A session holds the hash it was begun with and ends once the user's differs (Django checks it
    # at every request): "sign out everywhere" moves it, as a new password does.
    def get_session_auth_hash(self) -> str:
        return self._session_hash()

    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(fallback_secret)

    def _session_hash(self, secret: str | None = None) -> str:
        if self.signed_out_everywhere_at is None:  # as Django computes it: sessions of before stay valid
            return self._get_session_auth_hash(secret=secret)
        value = f"{self.password}|{self.signed_out_everywhere_at.isoformat()}"
        return salted_hmac("portal.User.session_hash", value, secret=secret, algorithm="sha256").hexdigest()

    def save(self, *args: Any, **kwargs: Any) -> None:
        # set_password() keeps the new raw password until saved: then every API token ends with
        # the old password (sessions end by themselves, their hash no longer matches).
        password_changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed:
            from knox.models import AuthToken

            AuthToken.objects.filter(user=self).delete()


class IdentityProvider(models.Model):
    """An identity provider the portal trusts (the city's unified login), named by its issuer.

    Recorded the first time it signs someone in or is refused: refusals that concern no account
    of the portal are events of the provider in the audit trail.
    """

    issuer = models.CharField(_("issuer"), max_length=255, unique=True)
    created_at = models.DateTimeField(_("first used"), default=timezone.now)

    class Meta:
        verbose_name = _("identity provider")
        verbose_name_plural = _("identity providers")

    def __str__(self) -> str:
        return self.issuer


class ExternalIdentity(models.Model):
    """A person's identity at a provider (issuer and subject) linked to their account of the portal.

    Linked once, on a verified e-mail address; from then on the subject alone signs them in.
    """

    provider = models.ForeignKey(IdentityProvider, on_delete=models.PROTECT, related_name="identities",
                                 verbose_name=_("identity provider"))
    subject = models.CharField(_("subject identifier"), max_length=255, help_text=_("The provider's id of the person (sub)."))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="external_identities", verbose_name=_("user"))
    linked_at = models.DateTimeField(_("linked"), default=timezone.now)
    last_signed_in_at = models.DateTimeField(_("last signed in"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="one_account_per_external_identity"),
            models.UniqueConstraint(fields=["provider", "user"], name="one_external_identity_per_provider"),
        ]
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")

    def __str__(self) -> str:
        return f"{self.provider} {self.subject}"


class TokenVerification(models.Model):
    """The one-time code an API token was issued with: a staff token without one is refused.

    The device is the one that accepted the code; resetting the second factor deletes the device
    and, with it, what its codes opened.
    """

    token = models.OneToOneField("knox.AuthToken", on_delete=models.CASCADE, primary_key=True,
                                 related_name="verification", verbose_name=_("token"))
    totp_device = models.ForeignKey("otp_totp.TOTPDevice", null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="+", verbose_name=_("authenticator app"))
    recovery_codes = models.ForeignKey("otp_static.StaticDevice", null=True, blank=True, on_delete=models.CASCADE,
                                       related_name="+", verbose_name=_("recovery codes"))
    verified_at = models.DateTimeField(_("verified"), default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(
            condition=models.Q(totp_device__isnull=False) | models.Q(recovery_codes__isnull=False),
            name="token_verified_by_a_device",
        )]
        verbose_name = _("token verification")
        verbose_name_plural = _("token verifications")

    def __str__(self) -> str:
        return str(self.token_id)[:15]


class IdempotencyKey(models.Model):
    """An `Idempotency-Key` of one caller: the request it was first used for and the answer.

    Written in the same transaction as the request's effect, so a retry either finds the
    stored answer or finds no row at all and runs again; see portal/api/idempotency.py.
    """

    owner = models.CharField(_("owner"), max_length=100, help_text=_("user:<id>, or anon:<IP address>."))
    key = models.CharField(_("key"), max_length=200)
    method = models.CharField(_("method"), max_length=10)
    path = models.TextField(_("path"))
    body_hash = models.CharField(_("body hash"), max_length=64, help_text=_("SHA-256 of the parsed body."))
    status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response = models.TextField(_("response body"), blank=True, help_text=_("As sent: JSON, or empty."))
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="one_idempotency_key_per_owner")]
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")

    def __str__(self) -> str:
        return f"{self.owner} {self.key}"


class AuditEventQuerySet(models.QuerySet):
    """The trail's queries: reading, and adding one event at a time (`record_event`)."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnly()

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnly()

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise AppendOnly()

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list:
        # Rows written in bulk would bypass the link to the previous event.
        raise AppendOnly("audit events are added one at a time, by record_event")


class AuditEvent(models.Model):
    """One decision or state change, written in the same transaction as the change itself.

    Rows are only ever added, each linked to the one before by its hash (portal/core/audit_chain.py):
    the ORM refuses to change or delete them and, on PostgreSQL, so does a trigger.
    """

    # Not auto_now_add: the time is part of the hashed record, so it is set before the hash.
    at = models.DateTimeField(_("time"), default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
        help_text=_("Empty when the portal itself acted (a timer)."),
    )
    action = models.CharField(_("action"), max_length=60)
    target_type = models.CharField(_("record type"), max_length=60)
    target_id = models.BigIntegerField(_("record id"))
    from_state = models.CharField(_("from state"), max_length=40, blank=True)
    to_state = models.CharField(_("to state"), max_length=40, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    previous_hash = models.CharField(
        _("previous hash"), max_length=64, editable=False,
        help_text=_("The hash of the event before (64 zeros for the first event)."),
    )
    hash = models.CharField(
        _("hash"), max_length=64, editable=False,
        help_text=_("SM3 of the previous hash and this event's canonical record."),
    )

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        # The table keeps the name it had when the trail was part of the services app.
        db_table = "services_auditevent"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["target_type", "target_id", "at"])]
        # Two events linked to the same predecessor would fork the chain: the second insert fails.
        constraints = [models.UniqueConstraint(fields=["previous_hash"], name="audit_chain_does_not_fork")]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")

    def __str__(self) -> str:
        return f"{self.target_type}#{self.target_id} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Add the event at the end of the chain; an event already written is never saved again."""
        if not self._state.adding:
            raise AppendOnly()
        self.data = audit_chain.as_stored(self.data)
        with transaction.atomic():
            # Held until the outermost transaction commits, so the next append reads this hash.
            audit_chain.lock_chain()
            self.previous_hash = audit_chain.last_hash()
            self.hash = audit_chain.link_hash(self.previous_hash, self.canonical_record())
            kwargs["force_insert"] = True
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnly()

    def canonical_record(self) -> str:
        """The JSON the hash covers: the event's fields that do not depend on its id."""
        return audit_chain.canonical_event(
            at=self.at, actor_id=self.actor_id, action=self.action, target_type=self.target_type,
            target_id=self.target_id, from_state=self.from_state, to_state=self.to_state,
            reason=self.reason, data=self.data,
        )
