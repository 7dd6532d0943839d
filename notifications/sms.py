"""Text messages: a small backend interface, chosen by the SMS_BACKEND setting.

- `LoggingBackend` (the default) writes each message to the log: nothing leaves the machine.
- `FileBackend` appends each message as a JSON line to SMS_FILE_PATH, for tests and demos.

Neither writes a whole phone number (personal data, encrypted at rest): both mask it (138****8000).
- `HttpBackend` posts to an SMS gateway (SMS_HTTP_URL, SMS_HTTP_TOKEN, SMS_SIGN_NAME), as most
  Chinese providers accept: `{"phone", "sign", "text"}` with a bearer token.

A backend raises `TemporaryFailure` when trying again may help and `PermanentFailure` when it cannot.
"""

import json
import logging
import time
from pathlib import Path

import requests
from django.conf import settings
from django.utils.module_loading import import_string

from portal.core.errors import PermanentFailure, TemporaryFailure
from portal.core.masking import mask_phone

log = logging.getLogger(__name__)


class LoggingBackend:
    def send(self, phone: str, text: str) -> int | None:
        log.info("SMS to %s: %s", mask_phone(phone), text)
        return None


class FileBackend:
    def send(self, phone: str, text: str) -> int | None:
        path = Path(settings.SMS_FILE_PATH)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"phone": mask_phone(phone), "text": text, "at": time.time()}, ensure_ascii=False) + "\n")
        return None


class HttpBackend:
    def send(self, phone: str, text: str) -> int | None:
        try:
            response = requests.post(
                settings.SMS_HTTP_URL,
                json={"phone": phone, "sign": settings.SMS_SIGN_NAME, "text": text},
                headers={"Authorization": f"Bearer {settings.SMS_HTTP_TOKEN}"},
                timeout=(3, 10),
            )
        except requests.RequestException as error:
            raise TemporaryFailure(f"SMS gateway unreachable: {error}") from None
        if response.status_code == 429 or response.status_code >= 500:
            raise TemporaryFailure(f"SMS gateway answered {response.status_code}", status_code=response.status_code)
        if response.status_code >= 400:
            # Kept with the message and shown to officials: a gateway may repeat the number.
            answer = response.text[:200].replace(phone, mask_phone(phone)) if phone else response.text[:200]
            raise PermanentFailure(f"SMS gateway refused: {response.status_code} {answer}",
                                   status_code=response.status_code)
        return response.status_code


def backend() -> LoggingBackend | FileBackend | HttpBackend:
    return import_string(settings.SMS_BACKEND)()
