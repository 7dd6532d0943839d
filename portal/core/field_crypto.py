"""SM4 encryption of personal data at rest, and the keyed SM3 digests that find it again.

Values are sealed with SM4 (GB/T 32907) in GCM mode, through OpenSSL by the `cryptography`
package. GCM rather than CBC with an HMAC: one key and one pass give both secrecy and
integrity, so a value that was altered, truncated or sealed under another key fails to open
instead of decrypting to garbage; and the column's name goes in as associated data, so a value
copied into another column does not open either. Every value gets a fresh random 96-bit nonce:
the same number sealed twice gives two different texts, which is why lookups need a column of
their own.

A stored value reads `sm4gcm:<key id>:<base64url of nonce ‖ ciphertext ‖ tag>`. It names its
key, so once a new key is put first in FIELD_ENCRYPTION_KEY the older ones still open what has
not been re-encrypted yet (`manage.py rotate_field_key` does that).

Lookups (an exact match, a uniqueness constraint) compare HMAC-SM3 under FIELD_LOOKUP_KEY, a key
of its own, so rotating the encryption key changes no lookup.

No error of this module repeats a key or a plain value.
"""

import base64
import binascii
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from portal.core.digest import sm3_hmac

PREFIX = "sm4gcm"
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
# Development runs and the test suite only: production refuses them as its current keys.
DEVELOPMENT_ENCRYPTION_KEY = "dev:" + b"dev-only-sm4-key".hex()
DEVELOPMENT_LOOKUP_KEY = b"development-only-lookup-key-xfg!".hex()
HOW_TO_MAKE = "python3 -c 'import secrets; print(secrets.token_hex({n}))'"


class UndecryptableValue(Exception):
    """A stored value that the configured keys cannot open: the keys are wrong, or it was altered."""


def _hex_key(raw: str, variable: str, size: int, *, at_least: bool = False) -> bytes:
    try:
        key = bytes.fromhex(raw)
    except ValueError:
        key = b""
    if len(key) != size and not (at_least and len(key) > size):
        wanted = f"at least {size * 2}" if at_least else f"{size * 2}"
        raise ImproperlyConfigured(
            f"{variable} holds a malformed key: each key is {wanted} hexadecimal characters "
            f"(make one with {HOW_TO_MAKE.format(n=size if not at_least else 32)})."
        )
    return key


def parse_encryption_keys(raw: str, *, dev: bool) -> dict[str, bytes]:
    """`k2:<32 hex>,k1:<32 hex>` → {"k2": key, "k1": key}, the current key first.

    Unset: the development key with DEV, otherwise ImproperlyConfigured naming the variable.
    """
    variable = "FIELD_ENCRYPTION_KEY"
    raw = raw.strip()
    if not raw:
        if not dev:
            raise ImproperlyConfigured(
                f"{variable} must be set: production encrypts ID numbers, phones and webhook secrets "
                f"with its own SM4 key (export {variable}=k1:$({HOW_TO_MAKE.format(n=16)})), "
                "or set DEV=1 for a development run."
            )
        raw = DEVELOPMENT_ENCRYPTION_KEY
    keys: dict[str, bytes] = {}
    for entry in raw.split(","):
        key_id, colon, hex_key = (part.strip() for part in entry.partition(":"))
        if not colon or not KEY_ID.match(key_id):
            raise ImproperlyConfigured(
                f"{variable} is not understood: write <id>:<key>, several separated by commas with the "
                "current key first (e.g. k2:<32 hex>,k1:<32 hex>); an id is 1 to 16 letters, digits, - or _."
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"{variable} names the key id {key_id!r} twice.")
        keys[key_id] = _hex_key(hex_key, variable, 16)
    if not dev and raw.split(",")[0].strip() == DEVELOPMENT_ENCRYPTION_KEY:
        raise ImproperlyConfigured(
            f"{variable} starts with the development key, which is published: production needs its own "
            f"(k1:$({HOW_TO_MAKE.format(n=16)}))."
        )
    return keys


def parse_lookup_key(raw: str, *, dev: bool) -> bytes:
    """The HMAC-SM3 key of the lookup columns: 64 or more hex characters."""
    variable = "FIELD_LOOKUP_KEY"
    raw = raw.strip()
    if not raw:
        if not dev:
            raise ImproperlyConfigured(
                f"{variable} must be set: production finds ID numbers and phones by a keyed SM3 digest "
                f"with its own key (export {variable}=$({HOW_TO_MAKE.format(n=32)})), or set DEV=1."
            )
        raw = DEVELOPMENT_LOOKUP_KEY
    if not dev and raw == DEVELOPMENT_LOOKUP_KEY:
        raise ImproperlyConfigured(f"{variable} is the development key, which is published: production needs "
                                   "its own.")
    return _hex_key(raw, variable, 32, at_least=True)


def _keys() -> dict[str, bytes]:
    return settings.FIELD_ENCRYPTION_KEYS


def current_key_id() -> str:
    return next(iter(_keys()))


def sealed_prefix(key_id: str | None = None) -> str:
    """What every value sealed under `key_id` (by default the current key) starts with."""
    return f"{PREFIX}:{key_id or current_key_id()}:"


def seal(plain: str, context: str) -> str:
    """Encrypt `plain` under the current key; `context` (the column) is bound to it."""
    key_id = current_key_id()
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(_keys()[key_id]), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(context.encode())
    body = encryptor.update(plain.encode("utf-8")) + encryptor.finalize()
    packed = base64.urlsafe_b64encode(nonce + body + encryptor.tag).rstrip(b"=").decode("ascii")
    return f"{PREFIX}:{key_id}:{packed}"


def key_id_of(stored: str) -> str:
    prefix, _, rest = stored.partition(":")
    key_id, colon, _ = rest.partition(":")
    if prefix != PREFIX or not colon:
        raise UndecryptableValue("the value is not encrypted (it should start with sm4gcm:); run the migrations")
    return key_id


def open_sealed(stored: str, context: str) -> str:
    """The plain text of a sealed value; UndecryptableValue, naming FIELD_ENCRYPTION_KEY, if it will not open."""
    try:
        key_id = key_id_of(stored)
    except UndecryptableValue as error:
        raise UndecryptableValue(f"A value of {context}: {error}.") from None
    key = _keys().get(key_id)
    if key is None:
        raise UndecryptableValue(
            f"A value of {context} was encrypted with the key {key_id!r}, which FIELD_ENCRYPTION_KEY does not "
            f"list: put it back after the current key (<new>,{key_id}:<hex>) until manage.py rotate_field_key "
            "has re-encrypted every value."
        )
    packed = stored.split(":", 2)[2]
    try:
        raw = base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise UndecryptableValue(f"A value of {context} under the key {key_id!r} is truncated or altered.")
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(context.encode())
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode("utf-8")
    except InvalidTag:
        raise UndecryptableValue(
            f"A value of {context} does not decrypt with the key {key_id!r} of FIELD_ENCRYPTION_KEY: that id "
            "now holds another key than the one it was encrypted with, or the value was altered."
        ) from None


def lookup_hash(plain: str, context: str) -> str:
    """HMAC-SM3 of the column and the exact value, under FIELD_LOOKUP_KEY; "" for an empty value."""
    if not plain:
        return ""
    return sm3_hmac(settings.FIELD_LOOKUP_KEY, context.encode() + b"\0" + plain.encode("utf-8"))
