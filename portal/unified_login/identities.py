"""Which account of the portal a unified-login identity is, and the refusals of those it is not.

An identity (issuer, subject) linked before signs its account in. Otherwise it is linked once, on
an e-mail address the provider has verified that belongs to exactly one active account (any case);
no account is ever created here, and nothing else (a phone number, a name) is matched.
"""

import enum
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.audit import record_event
from portal.models import ExternalIdentity, IdentityProvider

SIGN_IN_METHOD = "unified_login"  # on the signed-in user, so the staff sign-in event names the way in


class Refusal(enum.StrEnum):
    UNKNOWN = "unknown"
    EMAIL_NOT_VERIFIED = "email_not_verified"
    AMBIGUOUS = "ambiguous"
    INACTIVE = "inactive"
    LINKED_TO_ANOTHER = "linked_to_another_identity"
    INVALID_ANSWER = "invalid_answer"
    UNAVAILABLE = "provider_unavailable"
    DECLINED = "declined_by_provider"


def message(refusal: Refusal) -> str:
    """What the person is told on the sign-in page, in their language."""
    return {
        Refusal.UNKNOWN: _(
            "No account of the portal belongs to this unified-login identity, so you were not signed "
            "in. Companies sign up on the portal first; you may also sign in with your user name "
            "and password."),
        Refusal.EMAIL_NOT_VERIFIED: _(
            "The unified login has not verified the e-mail address of this identity, so it cannot "
            "be matched to an account of the portal. Sign in with your user name and password."),
        Refusal.AMBIGUOUS: _(
            "The e-mail address of this identity belongs to more than one account of the portal, so "
            "it is not known which one is yours. Sign in with your user name and password."),
        Refusal.INACTIVE: _("The account of the portal for this identity is disabled. Please contact "
                            "the portal's administrator."),
        Refusal.LINKED_TO_ANOTHER: _(
            "The account of the portal with this e-mail address is already linked to another "
            "unified-login identity. Please contact the portal's administrator."),
        Refusal.INVALID_ANSWER: _("The unified login's answer could not be verified, so you were not "
                                  "signed in. Please try again."),
        Refusal.UNAVAILABLE: _("The city's unified login cannot be reached just now. Please try again "
                               "later, or sign in with your user name and password."),
        Refusal.DECLINED: _("The unified login did not sign you in."),
    }[refusal]


class SignInRefused(Exception):
    """An identity the portal does not sign in; `target` is the account concerned, if any."""

    def __init__(self, refusal: Refusal, target: models.Model | None = None, **details: Any) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal
        self.target = target
        self.details = details


def user_for(issuer: str, claims: dict[str, Any]) -> Any:
    """The active account of the identity in the verified `claims`, linked on its first sign-in.

    Raises SignInRefused for an identity that is unknown, has no verified e-mail, matches several
    accounts, or whose account is disabled or already linked to another identity of the provider.
    """
    provider, _created = IdentityProvider.objects.get_or_create(issuer=issuer)
    subject = claims["sub"]
    for _attempt in range(2):  # a second time only if a concurrent first sign-in linked it meanwhile
        identity = (ExternalIdentity.objects.select_related("user")
                    .filter(provider=provider, subject=subject).first())
        if identity is not None:
            if not identity.user.is_active:
                raise SignInRefused(Refusal.INACTIVE, identity.user, subject=subject)
            ExternalIdentity.objects.filter(pk=identity.pk).update(last_signed_in_at=timezone.now())
            return identity.user
        user = _account_of_verified_email(provider, claims)
        try:
            with transaction.atomic():
                if ExternalIdentity.objects.filter(provider=provider, user=user).exists():
                    raise SignInRefused(Refusal.LINKED_TO_ANOTHER, user, subject=subject)
                ExternalIdentity.objects.create(provider=provider, subject=subject, user=user,
                                                last_signed_in_at=timezone.now())
                record_event(user, "user.external_identity_linked", user,
                             data={"issuer": issuer, "subject": subject, "email": claims["email"]})
            return user
        except IntegrityError:
            continue
    raise SignInRefused(Refusal.LINKED_TO_ANOTHER, provider, subject=subject)


def _account_of_verified_email(provider: IdentityProvider, claims: dict[str, Any]) -> Any:
    subject, email = claims["sub"], claims.get("email")
    # Only a boolean true: "email_verified" absent, false or a string is not a verification.
    if claims.get("email_verified") is not True or not isinstance(email, str) or not email.strip():
        raise SignInRefused(Refusal.EMAIL_NOT_VERIFIED, provider, subject=subject, email=email)
    accounts = list(get_user_model().objects.filter(email__iexact=email.strip()).order_by("pk"))
    active = [account for account in accounts if account.is_active]
    if len(active) > 1:
        raise SignInRefused(Refusal.AMBIGUOUS, provider, subject=subject, email=email,
                            accounts=[account.pk for account in active])
    if not active:
        if accounts:
            raise SignInRefused(Refusal.INACTIVE, accounts[0], subject=subject, email=email)
        raise SignInRefused(Refusal.UNKNOWN, provider, subject=subject, email=email)
    return active[0]


def refuse(request: HttpRequest, refused: SignInRefused, issuer: str) -> None:
    """Record the refusal in the audit trail (the account concerned, else the provider) and keep
    it on the request for the page that tells the person."""
    target = refused.target or IdentityProvider.objects.get_or_create(issuer=issuer)[0]
    details = {key: value for key, value in refused.details.items() if value is not None}
    record_event(None, "user.external_sign_in_refused", target, data={
        "refusal": refused.refusal.value, "issuer": issuer,
        "address": request.META.get("REMOTE_ADDR", ""), **details,
    })
    request.unified_login_refusal = refused.refusal
