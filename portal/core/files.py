"""Private files: uploaded licences and materials are never served as static media.

Every upload path (materials, deferred materials, the business licence, a credit repair's evidence)
goes through `check_upload`: the file's content decides its type, the name only has to agree with it.
The checked file is stored under a generated name and served only by permission-checked views, as a
download with the detected type (`download`).
"""

import hashlib
import logging
import re
import socket
import struct
import unicodedata
import uuid
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader

logger = logging.getLogger("portal.uploads")

# The types the portal can check by content, with the type each is served as.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "ofd": "application/ofd",  # GB/T 33190, the national format of electronic documents (a ZIP package)
}
# Other spellings of an extension, as applicants name their files.
SAME_TYPE = {"jpeg": "jpg"}

MAX_PDF_PAGES = 2000  # a scanned licence or contract has far fewer; the page tree of more is not walked
MAX_IMAGE_SIDE = 20000  # pixels: an image larger than this is a decompression bomb, not a scan
MAX_ARCHIVE_MEMBERS = 10000
MAX_ARCHIVE_RATIO = 100  # an OFD compresses text and vector pages well, but never a hundredfold
MAX_DISPLAY_NAME = 100
SCAN_CHUNK = 64 * 1024

# Content that is often disguised under an allowed name, said plainly in the refusal.
FOREIGN_CONTENT = [
    (b"MZ", _("a Windows program")),
    (b"\x7fELF", _("a program")),
    (b"PK\x03\x04", _("a ZIP archive")),
    (b"Rar!", _("a RAR archive")),
    (b"7z\xbc\xaf", _("a 7-Zip archive")),
    (b"\x1f\x8b", _("a gzip archive")),
    (b"%PDF-", _("a PDF document")),
    (b"\xff\xd8\xff", _("a JPEG image")),
    (b"\x89PNG\r\n\x1a\n", _("a PNG image")),
    (b"GIF8", _("a GIF image")),
]


class PrivateStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT, read at each use so a changed setting takes effect."""

    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return str(Path(self.base_location).resolve())


def private_storage() -> FileSystemStorage:
    return PrivateStorage()


def refused(message: Any, code: str, **params: Any) -> ValidationError:
    return ValidationError(message, code=code, params=params or None)


def type_named(extension: str) -> str:
    """The portal's name of a file type ("JPEG" → "jpg")."""
    extension = extension.strip().lower().lstrip(".")
    return SAME_TYPE.get(extension, extension)


def upload_type_of(name: str) -> str:
    """The type a file name's extension claims; "" when it has none."""
    return type_named(Path(name or "").suffix)


def accepted_types() -> set[str]:
    """The types the portal takes at all: ALLOWED_UPLOAD_EXTENSIONS, of those it can check by content."""
    return {type_named(extension) for extension in settings.ALLOWED_UPLOAD_EXTENSIONS} & CONTENT_TYPES.keys()


def display_name(name: str) -> str:
    """The applicant's file name, safe to show and to send back: no folders, no control characters.

    Format characters go too: a right-to-left override (U+202E) makes "report", U+202E, "fdp.exe" read as a PDF.
    """
    name = re.split(r"[/\\]", name or "")[-1]
    name = "".join(char for char in name if unicodedata.category(char) not in ("Cc", "Cf", "Zl", "Zp"))
    name = name.strip().strip(".")
    if len(name) > MAX_DISPLAY_NAME:
        suffix = Path(name).suffix[:10]
        name = name[: MAX_DISPLAY_NAME - len(suffix)] + suffix
    return name


def stored_name(folder: str, filename: str) -> str:
    """A generated name under `folder`: nothing of the applicant's name reaches the disk but its type.

    The type is the one `check_upload` found by content, which the name's extension had to agree with.
    """
    kind = upload_type_of(filename)
    return f"{folder}/{uuid.uuid4().hex}.{kind if kind in CONTENT_TYPES else 'bin'}"


def check_upload(file: Any, allowed: Iterable[str] | None = None) -> str:
    """Refuse a file the portal does not take; the type found in its content when it is taken.

    `allowed` are the material's types (all the portal accepts when not given). Nothing is stored
    here: the caller stores the file only after this returns. A file checked once for the same
    types is not read again (a form and the model both validate the same upload).
    """
    allowed_types = accepted_types() if allowed is None else {type_named(kind) for kind in allowed}
    allowed_types &= accepted_types()
    upload = file.file if isinstance(file, FieldFile) and file else file  # the model wraps the upload
    remembered = getattr(upload, "_checked_upload", None)
    if remembered and remembered[0] == frozenset(allowed_types):
        return remembered[1]
    kind = _check(file, allowed_types)
    upload._checked_upload = (frozenset(allowed_types), kind)
    return kind


def _check(file: Any, allowed: set[str]) -> str:
    if not file or not getattr(file, "size", 0):
        raise refused(_("The file is empty; choose the scanned document itself."), "file_empty")
    if file.size > settings.MAX_UPLOAD_MB * 1024 * 1024:
        raise refused(_("The file is larger than %(mb)s MB."), "file_size", mb=settings.MAX_UPLOAD_MB)
    named = upload_type_of(file.name)
    listed = ", ".join(sorted(allowed))
    if named not in allowed:
        raise refused(_("Files of type “%(ext)s” are not accepted; use one of: %(allowed)s."), "file_type",
                      ext=named or "?", allowed=listed)
    file.seek(0)
    head = file.read(512)
    file.seek(0)
    found = _type_by_content(head)
    if found != named:
        raise refused(_("The file is named “.%(ext)s” but holds %(content)s; upload the %(ext)s document "
                        "itself."), "file_content", ext=named, content=_describe(head))
    try:
        CONTENT_CHECKS[found](file)
    finally:
        file.seek(0)
    scan_for_viruses(file)
    return found


def _type_by_content(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        return "ofd"  # a ZIP package; _check_ofd makes sure it is one
    return None


def _describe(head: bytes) -> Any:
    for signature, description in FOREIGN_CONTENT:
        if head.startswith(signature):
            return description
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<", b"<?xml")):
        return _("a web page or SVG image, which may run scripts")
    return _("content of another kind")


def _check_pdf(file: Any) -> None:
    unparsable = refused(_("The PDF cannot be read; save or scan it again as a PDF and upload that."),
                         "file_unreadable")
    try:
        reader = PdfReader(file, strict=False)
        if reader.is_encrypted:
            raise refused(_("The PDF is password-protected; upload it without a password."), "file_encrypted")
        if not 0 < len(reader.pages) <= MAX_PDF_PAGES:
            raise unparsable
        reader.pages[0].mediabox  # noqa: B018 — walks the page tree: a page must really be there
    except ValidationError:
        raise
    except Exception as error:  # noqa: BLE001 — whatever breaks the parser, the file is unusable
        logger.info("unreadable PDF upload refused: %s", type(error).__name__)
        raise unparsable from None


def _check_png(file: Any) -> None:
    """The header chunk must be first, intact and of a plausible size; the file must end with IEND."""
    data = file.read(33)
    length, chunk = struct.unpack(">I4s", data[8:16]) if len(data) == 33 else (0, b"")
    if chunk != b"IHDR" or length != 13 or zlib.crc32(data[12:29]) != struct.unpack(">I", data[29:33])[0]:
        raise refused(_("The PNG image is damaged; save it again and upload that."), "file_unreadable")
    width, height = struct.unpack(">II", data[16:24])
    if not (0 < width <= MAX_IMAGE_SIDE and 0 < height <= MAX_IMAGE_SIDE):
        raise refused(_("The image is too large in pixels; scan it at a lower resolution."), "file_unreadable")
    file.seek(file.size - 12)
    if file.read(12) != b"\x00\x00\x00\x00IEND\xaeB`\x82":
        raise refused(_("The PNG image is damaged; save it again and upload that."), "file_unreadable")


def _check_jpg(file: Any) -> None:
    file.seek(max(0, file.size - 64))
    if b"\xff\xd9" not in file.read():  # cameras may pad after the end marker, never leave it out
        raise refused(_("The JPEG image is damaged; save it again and upload that."), "file_unreadable")


def _check_ofd(file: Any) -> None:
    """An OFD package, read from its directory only: a ZIP bomb is refused before anything is inflated."""
    damaged = refused(_("The OFD document cannot be read; export it again and upload that."), "file_unreadable")
    try:
        members = zipfile.ZipFile(file).infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise damaged from None
    if not any(member.filename == "OFD.xml" for member in members):
        raise damaged
    inflated = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members) or 1
    limit = settings.MAX_ARCHIVE_UNCOMPRESSED_MB * 1024 * 1024
    if len(members) > MAX_ARCHIVE_MEMBERS or inflated > limit or inflated / packed > MAX_ARCHIVE_RATIO:
        raise refused(_("The archive would unpack to far more than its size; it is refused."), "file_bomb")


CONTENT_CHECKS = {"pdf": _check_pdf, "png": _check_png, "jpg": _check_jpg, "ofd": _check_ofd}


def scan_for_viruses(file: Any) -> None:
    """Ask clamd (VIRUS_SCAN = "clamd://host:port") about the file; off when VIRUS_SCAN is empty.

    An infected file is refused and a copy kept in QUARANTINE_ROOT, outside the served files, for
    the security officer. When the scanner cannot be reached the file is refused too: an unscanned
    upload must not slip through while the scanner is down.
    """
    if not settings.VIRUS_SCAN:
        return
    address = urlsplit(settings.VIRUS_SCAN)
    try:
        answer = _clamd_instream(address.hostname or "127.0.0.1", address.port or 3310, file)
    except OSError as error:
        logger.error("virus scanner %s unreachable: %s", settings.VIRUS_SCAN, error)
        raise refused(_("The file could not be checked for viruses just now; try again in a few minutes."),
                      "file_scan_unavailable") from None
    finally:
        file.seek(0)
    if answer.endswith("FOUND"):
        signature = answer.removeprefix("stream:").removesuffix("FOUND").strip()
        quarantined = quarantine(file)
        logger.warning("infected upload refused: %s, named %r, %s bytes, sha256 %s, kept as %s",
                       signature, display_name(file.name), file.size, _sha256(file), quarantined)
        raise refused(_("The file contains a virus (%(signature)s) and was refused."), "file_infected",
                      signature=signature)
    if not answer.endswith("OK"):
        logger.error("virus scanner %s answered %r", settings.VIRUS_SCAN, answer)
        raise refused(_("The file could not be checked for viruses just now; try again in a few minutes."),
                      "file_scan_unavailable")


def _clamd_instream(host: str, port: int, file: Any) -> str:
    """clamd's INSTREAM command: length-prefixed chunks, a zero length at the end, one line back."""
    with socket.create_connection((host, port), timeout=settings.VIRUS_SCAN_TIMEOUT) as connection:
        connection.sendall(b"zINSTREAM\0")
        file.seek(0)
        while chunk := file.read(SCAN_CHUNK):
            connection.sendall(struct.pack(">I", len(chunk)) + chunk)
        connection.sendall(struct.pack(">I", 0))
        answer = b""
        while not answer.endswith((b"\0", b"\n")) and (data := connection.recv(4096)):
            answer += data
    return answer.rstrip(b"\0\n").decode("utf-8", "replace").strip()


def quarantine(file: Any) -> Path:
    """A copy of a refused infected file under QUARANTINE_ROOT, readable by the owner only."""
    folder = Path(settings.QUARANTINE_ROOT)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = folder / f"{uuid.uuid4().hex}.quarantined"
    file.seek(0)
    with target.open("xb") as copy:
        while chunk := file.read(SCAN_CHUNK):
            copy.write(chunk)
    target.chmod(0o600)
    file.seek(0)
    return target


def _sha256(file: Any) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    while chunk := file.read(SCAN_CHUNK):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def validate_upload(file: Any) -> None:
    """The model fields' validator: any type the portal accepts, checked by content.

    A file already stored was checked when it was uploaded; a correction that keeps it reads nothing.
    """
    if getattr(file, "_committed", False):
        return
    check_upload(file)


def download(stored: FieldFile, filename: str) -> FileResponse:
    """A stored file as a download, never shown inline, of the type its checked content has.

    nosniff keeps a browser from guessing a type of its own (HTML, script) from the bytes.
    """
    if not stored:
        raise Http404(gettext("This file was erased at the end of its retention period."))
    kind = upload_type_of(stored.name)
    extension = f".{kind}" if kind in CONTENT_TYPES else ""
    name = display_name(filename) or f"file{extension}"
    response = FileResponse(stored.open("rb"), as_attachment=True, filename=name,
                            content_type=CONTENT_TYPES.get(kind, "application/octet-stream"))
    response["X-Content-Type-Options"] = "nosniff"
    return response
