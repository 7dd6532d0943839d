"""The obligations calendar as iCalendar (RFC 5545): one all-day event per obligation, with alarms
30, 7 and 1 days before, so a calendar app reminds as the portal does."""

import datetime
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.managers.extensions import Obligation
from enterprises.models import Enterprise
from enterprises.obligations.calendar import kind_label
from enterprises.obligations.reminders import THRESHOLDS

PRODID = "-//Fengtai District//Xianfenggang portal obligations calendar//ZH"


def _absolute(link: str) -> str:
    return f"{settings.PORTAL_BASE_URL}{link}" if link.startswith("/") else link


def feed(enterprise: Enterprise, items: list[Obligation]) -> bytes:
    """The enterprise's calendar, every obligation in it, as bytes of an .ics file."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Obligations of %(enterprise)s") % {"enterprise": enterprise.name})
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now().astimezone(datetime.UTC)
    host = urlsplit(settings.PORTAL_BASE_URL).hostname or "portal"
    for item in items:
        event = icalendar.Event()
        event.add("uid", f"{item.uid}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.on)
        event.add("dtend", item.on + datetime.timedelta(days=1))
        event.add("summary", f"{kind_label(item.kind)}: {item.title}")
        description = "\n".join(part for part in (item.detail, item.reference) if part)
        if description:
            event.add("description", description)
        if item.link:
            event.add("url", _absolute(item.link))
        event.add("categories", [item.kind])
        event.add("transp", "TRANSPARENT")
        for days in THRESHOLDS:
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"{kind_label(item.kind)}: {item.title}")
            alarm.add("trigger", datetime.timedelta(days=-days))
            event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()
