"""An official who leaves the admin open is signed out after half an hour without a request."""

import datetime

import pytest
import time_machine

from tests.helpers import SHANGHAI

pytestmark = pytest.mark.django_db
START = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)


def test_thirty_one_idle_minutes_sign_an_official_out(world, client):
    with time_machine.travel(START, tick=False):
        client.force_login(world["officials"]["zjw1"])
        assert client.get("/admin/").status_code == 200
    with time_machine.travel(START + datetime.timedelta(minutes=31), tick=False):
        assert client.get("/admin/").status_code == 302  # to the sign-in page


def test_an_official_at_work_stays_signed_in(world, client):
    with time_machine.travel(START, tick=False):
        client.force_login(world["officials"]["zjw1"])
        client.get("/admin/")
    for minutes in (20, 40, 60):
        with time_machine.travel(START + datetime.timedelta(minutes=minutes), tick=False):
            assert client.get("/admin/").status_code == 200


def test_a_clerk_keeps_the_session_for_the_working_day(world, client):
    with time_machine.travel(START, tick=False):
        client.force_login(world["clerk"])
        client.get("/enterprises/")
    with time_machine.travel(START + datetime.timedelta(hours=2), tick=False):
        assert client.get("/enterprises/").status_code == 200
    with time_machine.travel(START + datetime.timedelta(hours=13), tick=False):
        assert client.get("/enterprises/").status_code == 302
