"""Verification codes: the first 16 hex characters of the SM3 hash of the transition's audit event.

A notice is genuine exactly when the event whose hash begins with its code is in the audit chain and
still hashes to what it stores. 16 hex characters are 64 bits: no one guesses a code, and a forged
notice cannot carry the hash of an event that was never recorded. Printed in groups of four
(`3F2A-9C1B-77D0-E4A5`); typed in any case, with or without the dashes and spaces.
"""

import re

from django.conf import settings
from django.urls import reverse

CODE_LENGTH = 16
_CODE = re.compile(rf"[0-9A-F]{{{CODE_LENGTH}}}")


def code_of(event_hash: str) -> str:
    """The code of a notice issued on the audit event with this hash."""
    return event_hash[:CODE_LENGTH].upper()


def grouped(code: str) -> str:
    """The code as printed and read aloud: four groups of four."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def normalised(typed: str) -> str | None:
    """The code someone typed or scanned, as stored; None when it cannot be a code at all."""
    code = re.sub(r"[\s\-]", "", typed or "").upper()
    return code if _CODE.fullmatch(code) else None


def verification_url(code: str) -> str:
    """The absolute address of the notice's verification page: what its QR code encodes."""
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("notice_verify", args=[grouped(code)])
