"""A forgotten password: a one-time link by e-mail (Django's reset views with the portal's pages).

Nobody learns from the answer whether an address has an account: known, unknown and over-the-limit
addresses all get the same "sent, if it is ours" page. Requests are limited per address and per
client IP (`PASSWORD_RESET_PER_ADDRESS`, `PASSWORD_RESET_PER_IP`, an hour each). The link points to
`PORTAL_BASE_URL` and works once, for `PASSWORD_RESET_TIMEOUT`. The new password goes through the
password validators (Django's SetPasswordForm); saving it deletes the user's API tokens
(`User.save`) and ends their other sessions (their session hash no longer matches). Both the
request for a known account and the reset are in the audit trail.
"""

import hashlib
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.core.cache import cache as default_cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse_lazy
from django.utils.translation import get_language, override

from portal.core.audit import record_event

logger = logging.getLogger("portal.password_reset")
WINDOW_SECONDS = 3600


class ResetLimit:
    """Counts reset requests per address and per client IP in the cache, for an hour."""

    cache: Any = default_cache

    @staticmethod
    def keys(address: str, ip: str) -> list[tuple[str, int]]:
        digest = hashlib.sha256(address.strip().lower().encode()).hexdigest()
        return [(f"password-reset:address:{digest}", settings.PASSWORD_RESET_PER_ADDRESS),
                (f"password-reset:ip:{ip}", settings.PASSWORD_RESET_PER_IP)]

    def allows(self, address: str, ip: str) -> bool:
        """Count this request; False once either counter is over its limit. A cache that is down
        lets requests through, as the API's limits do, rather than locking everyone out."""
        allowed = True
        try:
            for key, limit in self.keys(address, ip):
                self.cache.add(key, 0, WINDOW_SECONDS)
                if self.cache.incr(key) > limit:
                    allowed = False
        except Exception:  # noqa: BLE001 - any cache failure: the limit lapses, the reset still works
            logger.warning("password reset limits lapse: the cache is unreachable", exc_info=True)
            return True
        return allowed


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


class ResetRequestForm(auth_forms.PasswordResetForm):
    def send_mail(self, subject_template_name: str, email_template_name: str, context: dict[str, Any],
                  from_email: str | None, to_email: str, html_email_template_name: str | None = None) -> None:
        """The message in the account holder's language, whatever the page's."""
        with override(getattr(context["user"], "language", "") or get_language()):
            super().send_mail(subject_template_name, email_template_name, context, from_email, to_email,
                              html_email_template_name)


class RequestReset(auth_views.PasswordResetView):
    form_class = ResetRequestForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")
    limit = ResetLimit()

    @property
    def extra_email_context(self) -> dict[str, Any]:
        return {"base_url": settings.PORTAL_BASE_URL, "valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60}

    def form_valid(self, form: ResetRequestForm) -> HttpResponse:
        address, ip = form.cleaned_data["email"], client_address(self.request)
        if not self.limit.allows(address, ip):
            logger.warning("password reset not sent: too many requests for this address or from %s", ip)
            return HttpResponseRedirect(self.get_success_url())
        for user in form.get_users(address):
            record_event(None, "user.password_reset_requested", user, data={"address": ip})
        return super().form_valid(form)


class ChooseNewPassword(auth_views.PasswordResetConfirmView):
    form_class = auth_forms.SetPasswordForm
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form: auth_forms.SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        record_event(form.user, "user.password_reset", form.user, data={"address": client_address(self.request)})
        return response


request_reset = RequestReset.as_view()
reset_requested = auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html")
choose_new_password = ChooseNewPassword.as_view()
reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="registration/password_reset_complete.html")
