"""What people and enterprises choose to be sent: channels per kind of event, SMS quiet hours,
and the switching off of an enterprise's webhook endpoint.

The inbox is always on: it is the record of what the portal told someone, so no choice can
remove it (the database refuses such a row too). Without a stored choice a kind's default in
`notifications.outbox.KINDS` holds; `wanted_channels` reads the same rows when writing.
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise
from notifications.models import Notification, NotificationPreference, WebhookEndpoint
from notifications.outbox import KINDS, offered_to
from portal.core.audit import record_event

Channel = Notification.Channel

# The channels a person chooses; the inbox is listed so it can be refused by name.
CHOOSABLE = (Channel.EMAIL, Channel.SMS)


def channel_choices(user: Any) -> list[dict[str, Any]]:
    """Every kind offered to the user with its label and whether e-mail and SMS are on, stored
    choice or default.

    Whether the user has an address for the channel is not considered here: the choice is
    kept, and applies once they add one.
    """
    stored = {
        (p.kind, p.channel): p.enabled
        for p in NotificationPreference.objects.filter(user=user, kind__in=list(KINDS))
    }
    return [
        {
            "kind": kind,
            "label": spec["label"],
            Channel.INBOX.value: True,
            **{channel.value: stored.get((kind, channel.value), bool(spec.get(channel.value, False)))
               for channel in CHOOSABLE},
        }
        for kind, spec in KINDS.items()
        if offered_to(user, kind)
    ]


def _check_choices(choices: Any) -> dict[str, list]:
    if not isinstance(choices, dict):
        return {"choices": [_("Give the choices as {kind: {channel: true/false}}.")]}
    errors: dict[str, list] = {}
    for kind, channels in choices.items():
        if kind not in KINDS:
            errors[str(kind)] = [_("There is no kind of event “%(kind)s”.") % {"kind": kind}]
            continue
        if not isinstance(channels, dict):
            errors[kind] = [_("Give the channels as {channel: true/false}.")]
            continue
        for channel, enabled in channels.items():
            field = f"{kind}.{channel}"
            if channel == Channel.INBOX:
                if enabled is not True:
                    errors[field] = [_("The inbox cannot be switched off.")]
            elif channel not in CHOOSABLE:
                errors[field] = [_("There is no channel “%(channel)s”; choose e-mail or SMS.")
                                 % {"channel": channel}]
            elif not isinstance(enabled, bool):
                errors[field] = [_("Give true or false.")]
    return errors


def set_preferences(
    user: Any,
    choices: dict[str, dict[str, bool]],
    quiet_from: datetime.time | None = None,
    quiet_until: datetime.time | None = None,
) -> None:
    """Store the user's channel choices and SMS quiet hours; nothing is stored if any is wrong.

    `choices` may name only some kinds and channels; the others keep their stored choice or
    default. Equal quiet hours (from = until) mean no quiet hours.
    """
    errors = _check_choices(choices)
    for field, value in (("quiet_from", quiet_from), ("quiet_until", quiet_until)):
        if value is not None and not isinstance(value, datetime.time):
            errors[field] = [_("Give a time of day, such as 22:00.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for kind, channels in choices.items():
            for channel, enabled in channels.items():
                if channel == Channel.INBOX:
                    continue  # always on: nothing to store
                NotificationPreference.objects.update_or_create(
                    user=user, kind=kind, channel=channel, defaults={"enabled": enabled}
                )
        changed = []
        if quiet_from is not None:
            user.sms_quiet_from = quiet_from.replace(second=0, microsecond=0)
            changed.append("sms_quiet_from")
        if quiet_until is not None:
            user.sms_quiet_until = quiet_until.replace(second=0, microsecond=0)
            changed.append("sms_quiet_until")
        if changed:
            user.save(update_fields=changed)


def deactivate_webhook(user: Any, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Stop sending events to an endpoint; its delivery log stays. Only the enterprise's members may."""
    if not Enterprise.objects.of_member(user).filter(pk=endpoint.enterprise_id).exists():
        raise PermissionError("not a member of the enterprise")
    with transaction.atomic():
        updated = WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).update(is_active=False)
        if updated:
            record_event(user, "webhook.deactivated", endpoint, data={"url": endpoint.url})
    endpoint.is_active = False
    return endpoint
