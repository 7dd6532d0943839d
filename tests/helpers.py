"""Plain helpers of the stories, shared by every test module (fixtures are in conftest.py)."""

import datetime
import io
import struct
import threading
import time
import zlib
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from pypdf import PdfWriter
from rest_framework.test import APIClient

ROOT = Path(__file__).resolve().parent.parent  # the checkout: README.md, manage.py, …
SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSWORD = "pw-Secret-123"  # every user of the fixtures has it


def shanghai(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A moment of the district's clock."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> time_machine.travel:
    """Stand still at that moment of the district's clock (`with at(2026, 3, 2): …`)."""
    return time_machine.travel(shanghai(year, month, day, hour, minute), tick=False)


def enrol_second_factor(user):
    """The staff user's authenticator app, set up and confirmed as at the first sign-in (kept if there)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=True)


def app_code(device, offset: int = 0) -> str:
    """The six digits the authenticator app shows now (`offset` time steps later)."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset * device.step
    return f"{totp.token():0{device.digits}d}"


def one_time_code(user) -> str:
    """A code the portal accepts from the staff user now, as the official would give it: the app's
    code of this moment, or of the next (the app's clock may run ahead), or, once both were used, a
    recovery code."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device = enrol_second_factor(user)
    device.refresh_from_db()
    now = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    now.time = time.time()
    for offset in (0, 1):
        if now.t() + offset > device.last_t:
            return app_code(device, offset)
    recovery, _ = StaticDevice.objects.get_or_create(user=user, name="recovery codes", defaults={"confirmed": True})
    return recovery.token_set.create(token=StaticToken.random_token()).token


def verify_second_factor(client, user) -> None:
    """Mark the client's session confirmed with the staff user's app, as the second-factor page does."""
    from django_otp import DEVICE_ID_SESSION_KEY

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = enrol_second_factor(user).persistent_id
    session.save()


def token_of(username: str, password: str = PASSWORD) -> str:
    """An API token obtained as an integrator does (an official's with a one-time code)."""
    from django.contrib.auth import get_user_model

    from portal.core import access

    credentials = {"username": username, "password": password}
    user = get_user_model().objects.filter(username=username).first()
    if access.is_official(user):
        credentials["otp_code"] = one_time_code(user)
    response = APIClient().post("/api/v1/auth/token/", credentials, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def token_client(username: str, password: str = PASSWORD) -> APIClient:
    """An API client that obtained its token as an integrator does (an official's with a one-time code)."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_of(username, password)}")
    return client


def messages_of(response, level: int | None = None) -> list[str]:
    """The messages a page or the admin showed after the request, of one level if given.

    A page rendered after a redirect (`follow=True`) shows them in its context; otherwise they
    still wait in the request's storage.
    """
    context = getattr(response, "context", None)
    shown = context["messages"] if context is not None and "messages" in context else get_messages(response.wsgi_request)
    return [str(m.message) for m in shown if level is None or m.level == level]


def approve_open_task(official, application) -> None:
    """The official approves the application's open review task."""
    from services.applications import workflow
    from services.models import Task

    task = Task.objects.get(application=application, status=Task.Status.OPEN)
    workflow.decide(official, task.pk, "approve")


def in_threads(count: int, work) -> list:
    """Run work(i) in `count` threads released at the same moment; return results or errors."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except Exception as error:  # noqa: BLE001 - the test inspects what each thread met
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def pdf_bytes(note: str = "") -> bytes:
    """A one-page PDF that parses, as every upload must; `note` makes two of them differ."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=100)
    writer.add_metadata({"/Title": note or "scan"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A small grey PNG with intact chunks."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def act_url(application, action: str) -> str:
    """The admin decision panel's address for one action on the application."""
    from django.urls import reverse

    return reverse("admin:services_application_act", args=[application.pk, action])


def confirmed(data: dict | None = None) -> dict:
    """A decision panel's post with its confirmation, as the confirmation page sends it again."""
    return {**(data or {}), "confirm": "yes"}
