"""Links in e-mails lead to the address the portal was started on (PORTAL_BASE_URL)."""

import pytest
from django.core import mail

from notifications.delivery import deliver
from notifications.models import Notification
from notifications.outbox import notify
from tests.portal.test_setup import run_check

pytestmark = pytest.mark.django_db


def test_a_status_e_mail_links_to_the_portal_s_address_and_port(settings, make_user):
    settings.PORTAL_BASE_URL = "http://127.0.0.1:8001"
    emma = make_user("emma", language="en")
    notify(emma, "application.changed", key="1", link="/applications/7/",
           context={"reference": "FT-2026-000007", "service": "消防审查", "state": "Accepted", "reason": "—"})
    deliver(Notification.objects.get(recipient=emma, channel=Notification.Channel.EMAIL).pk)
    [message] = mail.outbox
    assert "http://127.0.0.1:8001/applications/7/" in message.body
    assert "127.0.0.1:8000" not in message.body


def test_a_malformed_portal_address_stops_the_start_naming_it(db):
    result = run_check(DEV="1", PORTAL_BASE_URL="127.0.0.1:8001")
    assert result.returncode != 0 and "PORTAL_BASE_URL" in result.stderr and "is not an address" in result.stderr
    assert run_check(DEV="1", PORTAL_BASE_URL="https://qiye.example.gov.cn/").returncode == 0
