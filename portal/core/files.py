"""Private files: uploaded licences and materials are never served as static media."""

import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.utils.translation import gettext_lazy as _


class PrivateStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT, read at each use so a changed setting takes effect."""

    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


def private_storage() -> FileSystemStorage:
    return PrivateStorage()


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
