"""`Idempotency-Key` on the API's POSTs: a retried request has its effect once.

A client that may retry (a timeout, a lost connection) sends a key of its choosing with each
POST that creates or transitions, and the same key with the retry:

- the first request runs, and its answer (status and body, unless 5xx) is stored under the key;
- a repeat with the same method, path and body gets the stored answer again, with the header
  `Idempotent-Replayed: true`, and changes nothing;
- the same key with another body or path is refused: 422 `idempotency_key_reused`;
- keys belong to their caller (the user, or an anonymous caller's IP) and are forgotten after
  IDEMPOTENCY_KEY_TTL (24 h): an older row is ignored and the periodic task purges it.

The mechanism is one view mixin, `IdempotentMixin`, that every viewset with a POST inherits
(tests/portal/api/test_contract.py checks that none escapes). A request with a key runs in one
transaction: the key's row is inserted first, then the view runs, then its answer is written to
the row, and all of it commits together. A concurrent duplicate's insert waits on the unique
constraint until the first commits (it then replays the answer) or rolls back (it then runs
itself); after IDEMPOTENCY_WAIT_SECONDS it gives up with 409 `idempotency_key_in_progress`.
A crash between the effect and the stored answer cannot happen: they commit together. A 5xx
rolls back the whole transaction, so the key stays free for a retry.
"""

import hashlib
import json
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, OperationalError, connection, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from portal.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 200
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout expires


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = _(
        "This Idempotency-Key was already used for a different request; use a new key for a new request."
    )


class IdempotencyKeyInProgress(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_key_in_progress"
    default_detail = _(
        "A request with this Idempotency-Key is still being processed; retry in a moment."
    )


class _Replay(Exception):
    """Carries the stored answer from `initial` past the handler (see `handle_exception`)."""

    def __init__(self, record: IdempotencyKey) -> None:
        super().__init__(record.key)
        self.record = record


def requested_key(request: Any) -> str | None:
    """The header's value on a POST, else None (then nothing here applies)."""
    if request.method != "POST":
        return None
    return request.headers.get(HEADER)


def owner_of(request: Request) -> str:
    user = request.user
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"anon:{BaseThrottle().get_ident(request)}"


def _canonical(data: Any) -> Any:
    """The parsed body as plain data: the same content always hashes the same."""
    if isinstance(data, MultiValueDict):
        return {str(key): [_canonical(value) for value in data.getlist(key)] for key in data}
    if isinstance(data, dict):
        return {str(key): _canonical(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_canonical(value) for value in data]
    if isinstance(data, UploadedFile):
        digest = hashlib.sha256()
        for chunk in data.chunks():
            digest.update(chunk)
        data.seek(0)
        return {"file": data.name, "size": data.size, "sha256": digest.hexdigest()}
    return data


def body_hash(request: Request) -> str:
    text = json.dumps(_canonical(request.data), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - settings.IDEMPOTENCY_KEY_TTL


def purge_expired() -> int:
    """Delete the keys older than IDEMPOTENCY_KEY_TTL; the number deleted."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff()).delete()
    return deleted


def _validated(key: str) -> str:
    key = key.strip()
    if not key:
        raise exceptions.ValidationError({HEADER: [_("The Idempotency-Key header is empty.")]})
    if len(key) > MAX_KEY_LENGTH:
        raise exceptions.ValidationError(
            {HEADER: [_("The Idempotency-Key header is longer than %(max)d characters.") % {"max": MAX_KEY_LENGTH}]}
        )
    return key


def _insert(record: IdempotencyKey) -> bool:
    """Insert the row in a savepoint; False if the caller already has the key.

    On PostgreSQL the insert waits for a concurrent transaction holding the same key, at most
    IDEMPOTENCY_WAIT_SECONDS.
    """
    postgres = connection.vendor == "postgresql"
    try:
        with transaction.atomic():
            if postgres:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = %s", [f"{int(settings.IDEMPOTENCY_WAIT_SECONDS * 1000)}ms"])
            record.save(force_insert=True)
            if postgres:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
    except IntegrityError:
        return False
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        raise IdempotencyKeyInProgress() from error
    return True


def claim(request: Request) -> IdempotencyKey | None:
    """Take the request's key for it, or raise: a replay, a reuse (422) or in progress (409).

    Must run inside the transaction that will also hold the view's effect.
    """
    raw = requested_key(request)
    if raw is None:
        return None
    key = _validated(raw)
    owner = owner_of(request)
    record = IdempotencyKey(owner=owner, key=key, method=request.method, path=request.path,
                            body_hash=body_hash(request))
    IdempotencyKey.objects.filter(owner=owner, key=key, created_at__lt=cutoff()).delete()
    if _insert(record):
        return record
    existing = IdempotencyKey.objects.filter(owner=owner, key=key, created_at__gte=cutoff()).first()
    if existing is None or existing.status is None:
        raise IdempotencyKeyInProgress()
    if (existing.method, existing.path, existing.body_hash) != (record.method, record.path, record.body_hash):
        raise IdempotencyKeyReused()
    raise _Replay(existing)


def complete(record: IdempotencyKey, response: Response) -> None:
    """Store the answer beside the effect; a 5xx instead rolls both back."""
    if response.status_code >= 500:
        transaction.set_rollback(True)
        return
    record.status = response.status_code
    record.response = JSONRenderer().render(response.data).decode() if response.data is not None else ""
    record.save(update_fields=["status", "response"])


def replay(record: IdempotencyKey) -> HttpResponse:
    """The stored answer, byte for byte."""
    response = HttpResponse(record.response, status=record.status,
                            content_type="application/json" if record.response else None)
    response[REPLAYED_HEADER] = "true"
    return response


class IdempotentMixin:
    """Honour `Idempotency-Key` on this view's POSTs (see the module's docstring)."""

    idempotency_record: IdempotencyKey | None = None

    def dispatch(self, request, *args, **kwargs):
        if requested_key(request) is None:
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs) -> None:
        # Authentication, permissions and throttles first: their refusals are never stored.
        super().initial(request, *args, **kwargs)
        self.idempotency_record = claim(request)

    def handle_exception(self, exc: Exception) -> HttpResponse:
        if isinstance(exc, _Replay):
            return replay(exc.record)
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.idempotency_record is not None:
            complete(self.idempotency_record, response)
        return response
