"""The user's account pages: signing out everywhere, and the second factor of officials.

- `/accounts/` — who is signed in, the second factor's state, "sign out everywhere".
- `/accounts/second-factor/` — the code that confirms a staff sign-in (app or recovery code).
- `/accounts/second-factor/enrol/` — a staff user without an app sets one up: the QR code and the
  secret, a first code, then ten recovery codes shown once.
- `/accounts/second-factor/recovery-codes/` — ten new recovery codes (the old ones stop working).
- `/accounts/second-factor/reset/` — remove the app and the codes; a new app is set up next.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from knox.models import AuthToken

from portal.core import second_factor
from portal.core.sign_in import sign_out_everywhere as end_every_session


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("One-time code"), max_length=32,
        help_text=gettext_lazy("The six digits your authenticator app shows now, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )


def _next(request: HttpRequest) -> str:
    """Where to go once confirmed: the page asked for, if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "needs_second_factor": second_factor.required(user),
        "enrolled": second_factor.is_enrolled(user),
        "recovery_codes_left": second_factor.recovery_codes_left(user),
        "tokens": AuthToken.objects.filter(user=user).count(),
    }
    return render(request, "account/account.html", context)


@login_required
@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    end_every_session(request)
    messages.success(request, _("Every session and every API token of your account has ended. Sign in again."))
    return redirect("login")


@login_required
def confirm(request: HttpRequest) -> HttpResponse:
    """The second step of a staff sign-in."""
    if not second_factor.required(request.user) or second_factor.session_verified(request):
        return redirect(_next(request))
    if not second_factor.is_enrolled(request.user):
        return redirect(f"{reverse('second_factor_enrol')}?{urlencode({'next': _next(request)})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            second_factor.verify_session(request, form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            left = second_factor.recovery_codes_left(request.user)
            if left <= 3:
                messages.warning(request, _("Only %(count)d recovery codes are left: make new ones on your account page.")
                                 % {"count": left})
            return redirect(_next(request))
    return render(request, "account/second_factor.html", {"form": form, "next": _next(request)})


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: QR code and secret, then a first code from the app."""
    user = request.user
    if not second_factor.required(user):
        raise Http404
    if second_factor.is_enrolled(user):  # an app is set up: it confirms the sign-in, no new one
        return redirect(f"{reverse('second_factor')}?{urlencode({'next': _next(request)})}")
    device = second_factor.start_enrolment(user)
    form = CodeForm(request.POST or None)
    form.fields["code"].help_text = _("The six digits the app shows once it has the QR code or the secret.")
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor.confirm_enrolment(request, form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            return render(request, "account/recovery_codes.html", {"codes": codes, "next": _next(request),
                                                                   "enrolled_now": True})
    return render(request, "account/enrol.html", {
        "form": form, "next": _next(request), "qr_code": second_factor.qr_code(device),
        "secret": second_factor.secret_text(device),
    })


@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once in the answer to the POST (never stored for showing again)."""
    if not second_factor.required(request.user) or not second_factor.is_enrolled(request.user):
        raise Http404
    if request.method == "POST":
        codes = second_factor.issue_recovery_codes(request)
        return render(request, "account/recovery_codes.html", {"codes": codes, "next": reverse("account")})
    return render(request, "account/recovery_codes.html", {
        "codes": None, "left": second_factor.recovery_codes_left(request.user),
    })


@login_required
@require_POST
def reset(request: HttpRequest) -> HttpResponse:
    """Remove one's own app and recovery codes (e.g. a new phone); a new app is set up at once."""
    if not second_factor.required(request.user):
        raise Http404
    second_factor.reset(request.user, request.user, request)
    messages.success(request, _("Your authenticator app and recovery codes are removed. Set up the new app now."))
    return redirect("second_factor_enrol")
