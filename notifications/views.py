"""Portal pages about what is sent: a person's notification settings, an enterprise's webhooks.

The rules are in services/preferences.py, services/webhooks.py and services/delivery.py; these
views only read forms and show the outcome. An enterprise's webhooks are reached only through
the enterprises the signed-in user belongs to: anything else is a 404.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from enterprises.models import Enterprise
from notifications.delivery import resend
from notifications.models import Notification, WebhookEndpoint
from notifications.outbox import WEBHOOK_EVENTS
from notifications.preferences import CHOOSABLE, channel_choices, deactivate_webhook, set_preferences
from notifications.selectors import delivery_log
from notifications.webhooks import MIN_SECRET_LENGTH, register_webhook
from portal.core.messages import reported

DELIVERY_LOG_LENGTH = 50

# --- a person's notification settings -------------------------------------------------------


def _rows(user: Any) -> list[dict[str, Any]]:
    """The settings table: kinds that share a label are one row, chosen together."""
    rows: dict[str, dict[str, Any]] = {}
    for choice in channel_choices(user):
        row = rows.setdefault(str(choice["label"]), {**choice, "kinds": []})
        row["kinds"].append(choice["kind"])
    return list(rows.values())


class PreferencesForm(forms.Form):
    quiet_from = forms.TimeField(
        label=gettext_lazy("No SMS from"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    quiet_until = forms.TimeField(
        label=gettext_lazy("No SMS until"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=gettext_lazy("Text messages that fall in these hours wait until they end. "
                               "The same time twice means no quiet hours."),
    )

    def __init__(self, *args: Any, rows: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            for channel in CHOOSABLE:
                self.fields[self.field_name(row, channel)] = forms.BooleanField(
                    required=False, initial=row[channel], label=f"{row['label']}: {channel.label}"
                )

    @staticmethod
    def field_name(row: dict[str, Any], channel: str) -> str:
        return f"{row['kinds'][0]}:{channel}"

    def choices(self) -> dict[str, dict[str, bool]]:
        return {
            kind: {channel.value: self.cleaned_data[self.field_name(row, channel)] for channel in CHOOSABLE}
            for row in self.rows
            for kind in row["kinds"]
        }

    def table(self) -> list[dict[str, Any]]:
        return [
            {"label": row["label"], "kinds": row["kinds"],
             "email": self[self.field_name(row, Notification.Channel.EMAIL)],
             "sms": self[self.field_name(row, Notification.Channel.SMS)]}
            for row in self.rows
        ]


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    """Which channels each kind of message comes on, and the quiet hours for SMS."""
    user = request.user
    form = PreferencesForm(
        request.POST or None, rows=_rows(user),
        initial={"quiet_from": user.sms_quiet_from, "quiet_until": user.sms_quiet_until},
    )
    if request.method == "POST" and form.is_valid():
        try:
            set_preferences(user, form.choices(), quiet_from=form.cleaned_data["quiet_from"],
                            quiet_until=form.cleaned_data["quiet_until"])
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notification_settings")
    return render(request, "notifications/settings.html", {
        "form": form,
        "table": form.table(),
        "has_email": bool(user.email),
        "has_phone": bool(user.phone),
    })


# --- an enterprise's webhooks -----------------------------------------------------------------


class WebhookForm(forms.Form):
    # Not required here: the domain's check names every refusal by field, in one place.
    url = forms.CharField(
        label=gettext_lazy("URL"), required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://", "required": True}),
        help_text=gettext_lazy("Where each event is POSTed as JSON. Only http:// and https:// addresses."),
    )
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=list(WEBHOOK_EVENTS.items()),
    )
    secret = forms.CharField(
        label=gettext_lazy("Signing secret"), required=False, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "required": True}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Filled in per request, so it is in the reader's language.
        self.fields["secret"].help_text = _(
            "At least %(n)s characters. Each POST carries X-Signature, an HMAC-SHA256 of the body with "
            "this secret; it is not shown again."
        ) % {"n": MIN_SECRET_LENGTH}


def _own_enterprise(request: HttpRequest, pk: int) -> Enterprise:
    return get_object_or_404(Enterprise.objects.of_member(request.user), pk=pk)


@login_required
def enterprise_webhooks(request: HttpRequest, pk: int) -> HttpResponse:
    """The enterprise's endpoints, a form to register one, and the delivery log."""
    enterprise = _own_enterprise(request, pk)
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            endpoint = register_webhook(request.user, enterprise, data["url"], list(data["events"]), data["secret"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The webhook %(url)s is registered.") % {"url": endpoint.url})
            return redirect("enterprise_webhooks", pk=enterprise.pk)
    return render(request, "enterprises/webhooks.html", {
        "enterprise": enterprise,
        "endpoints": WebhookEndpoint.objects.filter(enterprise=enterprise).order_by("-is_active", "id"),
        "form": form,
        "log": list(delivery_log(WebhookEndpoint.objects.filter(enterprise=enterprise))[:DELIVERY_LOG_LENGTH]),
        "log_length": DELIVERY_LOG_LENGTH,
    })


@login_required
@require_POST
def webhook_deactivate(request: HttpRequest, pk: int, endpoint_pk: int) -> HttpResponse:
    enterprise = _own_enterprise(request, pk)
    endpoint = get_object_or_404(WebhookEndpoint, pk=endpoint_pk, enterprise=enterprise)
    deactivate_webhook(request.user, endpoint)
    messages.success(request, _("The webhook %(url)s receives no more events.") % {"url": endpoint.url})
    return redirect("enterprise_webhooks", pk=enterprise.pk)


@login_required
@require_POST
def webhook_resend(request: HttpRequest, pk: int, notification_pk: int) -> HttpResponse:
    enterprise = _own_enterprise(request, pk)
    notification = get_object_or_404(
        Notification.objects.select_related("endpoint"),
        pk=notification_pk, channel=Notification.Channel.WEBHOOK, endpoint__enterprise=enterprise,
    )
    with reported(request) as outcome:
        resend(request.user, notification)
    if outcome.ok:
        messages.success(request, _("Event evt_%(id)s is queued to be sent again.") % {"id": notification.pk})
    return redirect("enterprise_webhooks", pk=enterprise.pk)
