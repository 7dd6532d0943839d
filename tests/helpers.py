"""Plain helpers of the stories, shared by every test module (fixtures are in conftest.py)."""

import datetime
import io
import struct
import threading
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


def token_client(username: str, password: str = PASSWORD) -> APIClient:
    """An API client that obtained its token as an integrator does."""
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
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
