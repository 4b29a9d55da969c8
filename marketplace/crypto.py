"""Personal data at rest: encrypted fields, lookup digests, masking.

- ``EncryptedTextField`` stores a Fernet token (AES-128-CBC + HMAC-SHA256, from the
  well-kept ``cryptography`` package); Python code sees plain text. Keys come from
  ``FIELD_ENCRYPTION_KEY`` (comma-separated: the first encrypts, all decrypt, so keys can be
  rotated); without it a key is derived from ``SECRET_KEY`` so the embedded default works.
- ``identifier_digest`` gives a keyed HMAC of a normalised identifier (an identity number)
  so rows can be found by it without storing or indexing the plain value.
- ``mask`` shows only the ends of a value on screen.

Reading a decrypted value for a person is audited with ``marketplace.services
.personal_data_reveal``; code paths that only pass the value on to customs do not show it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


def _derived_key(secret: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(("fernet:" + secret).encode()).digest())


@lru_cache(maxsize=4)
def _fernet(keys: str, secret: str) -> MultiFernet:
    parts = [k.strip() for k in keys.split(",") if k.strip()] if keys else []
    fernets = [Fernet(k.encode()) for k in parts] or [Fernet(_derived_key(secret))]
    return MultiFernet(fernets)


def fernet() -> MultiFernet:
    return _fernet(settings.FIELD_ENCRYPTION_KEY, settings.SECRET_KEY)


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: wrong FIELD_ENCRYPTION_KEY or corrupted value") from exc


def identifier_digest(value: str) -> str:
    """Keyed, deterministic digest of an identifier (case and spaces normalised)."""
    normalised = "".join(value.split()).upper()
    key = hashlib.sha256(("digest:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


def mask(value: str, *, keep_start: int = 1, keep_end: int = 4) -> str:
    """``110101199003071234`` -> ``1*************1234``."""
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


class EncryptedTextField(models.TextField):
    """Text encrypted at rest. Not searchable or orderable: pair it with a digest column."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))
