"""A clerk uploads what a real attacker sends, named as the portal expects, and the portal refuses it.

Every refusal names the field, says why, and leaves nothing behind: no row, no file on the disk.
What is taken is stored under a generated name and comes back only as a download with nosniff.
"""

import functools
import io
import re
import socket
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.messages import constants
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pypdf import PdfWriter

from enterprises.models import Enterprise
from portal.core.files import display_name
from services.models import Document
from tests.conftest import enterprise_data
from tests.helpers import pdf_bytes, png_bytes, token_client

pytestmark = pytest.mark.django_db

WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"This program cannot be run in DOS mode.\r\n" * 20
WEB_PAGE = b"<!DOCTYPE html><html><body><script>fetch('/api/v1/me/').then(r => r.text()).then(alert)</script>"
SVG_WITH_SCRIPT = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                   b"<script>alert(document.cookie)</script></svg>")
BROKEN_PDF = b"%PDF-1.4\n%%EOF\n"  # the signature and nothing a reader can open


@functools.cache
def zip_bomb(with_ofd_root: bool = False) -> bytes:
    """60 MB of zeros that pack to about 60 KB, built in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        if with_ofd_root:
            archive.writestr("OFD.xml", '<?xml version="1.0"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"/>')
        archive.writestr("Doc_0/Res/zeros.bin", b"\x00" * (60 * 1024 * 1024))
    return buffer.getvalue()


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=100)
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# name, content, words of the refusal (in English)
HOSTILE = {
    "windows program named .pdf": ("lease.pdf", lambda: WINDOWS_PROGRAM, "Windows program"),
    "web page with a script named .pdf": ("lease.pdf", lambda: WEB_PAGE, "web page"),
    "SVG with a script named .png": ("lease.png", lambda: SVG_WITH_SCRIPT, "SVG"),
    "zip bomb named .pdf": ("lease.pdf", zip_bomb, "ZIP archive"),
    "zip bomb named .ofd": ("lease.ofd", lambda: zip_bomb(with_ofd_root=True), "unpack"),
    "empty file": ("lease.pdf", lambda: b"", "empty"),
    "PDF that does not parse": ("lease.pdf", lambda: BROKEN_PDF, "cannot be read"),
    "password-protected PDF": ("lease.pdf", encrypted_pdf, "password"),
    "PNG named .pdf": ("lease.pdf", png_bytes, "PNG image"),
    "program named .exe": ("lease.exe", lambda: WINDOWS_PROGRAM, "not accepted"),
}


def files_under(root: Path) -> set[Path]:
    return {path for path in Path(root).rglob("*") if path.is_file()} if Path(root).exists() else set()


@pytest.fixture
def lease_draft(world, draft):
    """A standard-mode draft with its form attached and the lease still to come."""
    return draft("standard", skip=("lease",))


@pytest.fixture
def clerk_page(world) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(world["clerk"])
    return client


def upload_by_api(clerk_api, application, name: str, content: bytes):
    file = SimpleUploadedFile(name, content, content_type="application/pdf")
    return clerk_api.post(f"/api/v1/applications/{application.pk}/documents/", {"material": "lease", "file": file},
                          format="multipart", HTTP_ACCEPT_LANGUAGE="en")


def page_errors(response) -> list[str]:
    return [str(message) for message in response.context["messages"] if message.level == constants.ERROR]


@pytest.mark.parametrize("case", HOSTILE)
def test_the_api_refuses_each_disguised_file_naming_it_and_storing_nothing(case, clerk_api, lease_draft,
                                                                           private_media):
    name, content, words = HOSTILE[case]
    on_disk = files_under(private_media)
    response = upload_by_api(clerk_api, lease_draft, name, content())
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["field"] == "file"
    if case != "empty file":  # the API's own parsing refuses an empty file, in its own words
        assert words in body["message"], body["message"]
    assert not Document.objects.filter(application=lease_draft, material__code="lease").exists()
    assert files_under(private_media) == on_disk


@pytest.mark.parametrize("case", HOSTILE)
def test_the_page_refuses_each_disguised_file_with_a_message_and_stores_nothing(case, clerk_page, lease_draft,
                                                                              private_media):
    name, content, words = HOSTILE[case]
    on_disk = files_under(private_media)
    response = clerk_page.post(f"/applications/{lease_draft.pk}/documents/",
                               {"material": "lease", "file": SimpleUploadedFile(name, content())}, follow=True)
    [error] = page_errors(response)
    assert words in error, error
    assert not Document.objects.filter(application=lease_draft, material__code="lease").exists()
    assert files_under(private_media) == on_disk


@pytest.mark.parametrize("case", [case for case in HOSTILE if case != "empty file"])
def test_the_licence_of_a_registration_is_checked_the_same_way(case, alice, private_media):
    name, content, words = HOSTILE[case]
    licence = SimpleUploadedFile(name.replace("lease", "licence"), content(), content_type="application/pdf")
    response = token_client("alice").post("/api/v1/enterprises/", {**enterprise_data(), "licence": licence},
                                          format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "licence" and words in response.json()["message"]
    assert not Enterprise.objects.exists()
    assert files_under(private_media) == set()


def test_an_empty_licence_is_refused(alice, private_media):
    licence = SimpleUploadedFile("licence.pdf", b"", content_type="application/pdf")
    response = token_client("alice").post("/api/v1/enterprises/", {**enterprise_data(), "licence": licence},
                                          format="multipart")
    assert response.status_code == 400 and response.json()["field"] == "licence"
    assert not Enterprise.objects.exists() and files_under(private_media) == set()


def test_a_file_over_the_size_limit_is_refused_naming_it(clerk_api, lease_draft, private_media, settings):
    settings.MAX_UPLOAD_MB = 1
    on_disk = files_under(private_media)
    response = upload_by_api(clerk_api, lease_draft, "lease.pdf", pdf_bytes("x" * (1024 * 1024 + 10)))
    # Too large is not wrong: the API's contract answers it 413, naming the field all the same.
    assert response.status_code == 413 and response.json()["field"] == "file"
    assert "larger than 1 MB" in response.json()["message"]
    assert not Document.objects.filter(application=lease_draft, material__code="lease").exists()
    assert files_under(private_media) == on_disk


def test_the_files_of_one_application_together_have_a_limit(clerk_api, lease_draft, private_media, settings):
    settings.MAX_APPLICATION_UPLOAD_MB = 1
    first = upload_by_api(clerk_api, lease_draft, "lease.pdf", pdf_bytes("a" * 600_000))
    assert first.status_code == 201
    on_disk = files_under(private_media)
    second = upload_by_api(clerk_api, lease_draft, "lease-page-2.pdf", pdf_bytes("b" * 600_000))
    assert second.status_code == 400 and second.json()["field"] == "file"
    assert "more than 1 MB together" in second.json()["message"]
    assert lease_draft.documents.filter(material__code="lease").count() == 1
    assert files_under(private_media) == on_disk


def test_a_material_takes_only_its_own_types(clerk_api, lease_draft, private_media):
    lease = lease_draft.service.materials.get(code="lease")
    lease.accepted_types = "pdf"
    lease.save()
    response = upload_by_api(clerk_api, lease_draft, "lease.png", png_bytes())
    assert response.status_code == 400 and response.json()["field"] == "file"
    assert "use one of: pdf" in response.json()["message"]
    assert upload_by_api(clerk_api, lease_draft, "lease.pdf", pdf_bytes()).status_code == 201


def test_a_real_pdf_and_png_are_taken_stored_under_generated_names_and_downloaded_as_attachments(
        clerk_api, clerk_page, lease_draft, private_media):
    hostile_name = "C:\\fakepath\\..\\租赁\x07合同\u202efdp.pdf"
    assert upload_by_api(clerk_api, lease_draft, hostile_name, pdf_bytes()).status_code == 201
    assert upload_by_api(clerk_api, lease_draft, "平面图.PNG", png_bytes()).status_code == 201

    pdf, png = lease_draft.documents.filter(material__code="lease").order_by("pk")
    assert pdf.original_name == "租赁合同fdp.pdf" and png.original_name == "平面图.PNG"
    for document, extension in ((pdf, "pdf"), (png, "png")):
        assert re.fullmatch(rf"applications/{lease_draft.pk}/[0-9a-f]{{32}}\.{extension}", document.file.name)

    for document, content_type in ((pdf, "application/pdf"), (png, "image/png")):
        response = clerk_page.get(f"/applications/{lease_draft.pk}/documents/{document.pk}/")
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"


def test_the_licence_reaches_officials_as_an_attachment_never_inline(alice, registration_official, private_media):
    licence = SimpleUploadedFile("licence.pdf", pdf_bytes(), content_type="application/pdf")
    response = token_client("alice").post("/api/v1/enterprises/", {**enterprise_data(), "licence": licence},
                                          format="multipart")
    assert response.status_code == 201, response.content
    enterprise = Enterprise.objects.get()
    assert re.fullmatch(r"licences/[0-9a-f]{32}\.pdf", enterprise.licence.name)

    official = Client()
    official.force_login(registration_official)
    download = official.get(reverse("enterprise_licence", args=[enterprise.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_names_lose_folders_and_control_characters_and_keep_a_hundred_characters():
    assert display_name("../../etc/passwd") == "passwd"
    assert display_name("a\\b\\c\r\n.pdf") == "c.pdf"
    assert display_name("invoice\u202egpj.exe") == "invoicegpj.exe"
    long = display_name("长" * 300 + ".pdf")
    assert len(long) == 100 and long.endswith(".pdf")


# --- the virus scanner ----------------------------------------------------------------------------


@pytest.fixture
def fake_clamd() -> Iterator:
    """A clamd on 127.0.0.1 that reads one INSTREAM and answers what the test sets."""
    server = socket.create_server(("127.0.0.1", 0))
    state = {"answer": b"stream: OK\0", "received": b""}

    def serve() -> None:
        while True:
            try:
                connection, _address = server.accept()
            except OSError:
                return
            with connection:
                data = b""
                while not data.endswith(b"\0\0\0\0"):
                    chunk = connection.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                state["received"] = data
                connection.sendall(state["answer"])

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    state["url"] = f"clamd://127.0.0.1:{server.getsockname()[1]}"
    yield state
    server.close()
    thread.join(timeout=5)


def test_an_infected_file_is_refused_and_quarantined(clerk_api, lease_draft, private_media, settings, tmp_path,
                                                     fake_clamd, caplog):
    settings.VIRUS_SCAN = fake_clamd["url"]
    settings.QUARANTINE_ROOT = tmp_path / "quarantine"
    fake_clamd["answer"] = b"stream: Eicar-Test-Signature FOUND\0"
    on_disk = files_under(private_media)
    infected = pdf_bytes("X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")

    with caplog.at_level("WARNING", logger="portal.uploads"):
        response = upload_by_api(clerk_api, lease_draft, "lease.pdf", infected)

    assert response.status_code == 400 and response.json()["field"] == "file"
    assert "virus (Eicar-Test-Signature)" in response.json()["message"]
    assert fake_clamd["received"].startswith(b"zINSTREAM\0")
    assert not Document.objects.filter(application=lease_draft, material__code="lease").exists()
    assert files_under(private_media) == on_disk
    [kept] = files_under(settings.QUARANTINE_ROOT)
    assert kept.read_bytes() == infected
    assert any("Eicar-Test-Signature" in record.getMessage() for record in caplog.records)


def test_a_clean_file_passes_the_scanner(clerk_api, lease_draft, settings, tmp_path, fake_clamd):
    settings.VIRUS_SCAN = fake_clamd["url"]
    settings.QUARANTINE_ROOT = tmp_path / "quarantine"
    response = upload_by_api(clerk_api, lease_draft, "lease.pdf", pdf_bytes())
    assert response.status_code == 201
    received = fake_clamd["received"]
    assert received.startswith(b"zINSTREAM\0") and received.endswith(b"\0\0\0\0") and pdf_bytes() in received
    assert files_under(settings.QUARANTINE_ROOT) == set()


def test_an_unreachable_scanner_lets_nothing_through(clerk_api, lease_draft, private_media, settings):
    with socket.create_server(("127.0.0.1", 0)) as placeholder:
        port = placeholder.getsockname()[1]
    settings.VIRUS_SCAN = f"clamd://127.0.0.1:{port}"
    on_disk = files_under(private_media)
    response = upload_by_api(clerk_api, lease_draft, "lease.pdf", pdf_bytes())
    assert response.status_code == 400 and response.json()["field"] == "file"
    assert "could not be checked for viruses" in response.json()["message"]
    assert files_under(private_media) == on_disk
