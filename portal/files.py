"""Private files: uploaded licences and materials are never served as static media."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.utils.translation import gettext_lazy as _


def private_storage() -> FileSystemStorage:
    # A callable, so tests can point PRIVATE_MEDIA_ROOT elsewhere.
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


def validate_upload(file) -> None:
    """Refuse files of a type or size that the portal does not take."""
    extension = Path(file.name).suffix.lower().lstrip(".")
    if extension not in settings.ALLOWED_UPLOAD_EXTENSIONS:
        raise ValidationError(
            _("Files of type “%(ext)s” are not accepted; use one of: %(allowed)s."),
            code="file_type",
            params={"ext": extension or "?", "allowed": ", ".join(settings.ALLOWED_UPLOAD_EXTENSIONS)},
        )
    if file.size > settings.MAX_UPLOAD_MB * 1024 * 1024:
        raise ValidationError(
            _("The file is larger than %(mb)s MB."),
            code="file_size",
            params={"mb": settings.MAX_UPLOAD_MB},
        )
