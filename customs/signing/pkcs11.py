"""PKCS#11 backend: the private key stays in a hardware module (or SoftHSM), through
``python-pkcs11``.

RSA-SHA1 uses ``CKM_SHA1_RSA_PKCS`` (the token hashes and signs). SM2-SM3 has no standard
PKCS#11 mechanism: Chinese HSMs expose it under a vendor-defined number (for example
``CKM_SM3_SM2`` in the GM/T 0018-derived vendor range), passed here as ``mechanism``; SoftHSM2
has no SM2 at all, so only RSA is tested against a real module on this machine
(docs/CUSTOMS.md). The certificate comes from the customs profile (issued by the e-port's CA
for the token's key). One session per signer, serialised by a lock: tokens sign one request
at a time.
"""

from __future__ import annotations

import contextlib
import threading

import pkcs11
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass
from pkcs11.exceptions import PKCS11Error

from .algorithms import SignatureAlgorithm, sm2_raw_from_der
from .signers import SignerUnavailable


class Pkcs11Signer:
    """A Signer over a private key in a PKCS#11 token."""

    def __init__(
        self,
        module: str,
        *,
        token_label: str,
        key_label: str,
        pin: str,
        algorithm: SignatureAlgorithm,
        certificate_der: bytes,
        key_name: str,
        mechanism: int | None = None,
    ):
        if algorithm is SignatureAlgorithm.SM2_SM3 and mechanism is None:
            raise ValueError("SM2-SM3 over PKCS#11 needs the module's vendor mechanism number")
        self.algorithm = algorithm
        self.certificate_der = certificate_der
        self.key_name = key_name
        self._mechanism = mechanism if mechanism is not None else Mechanism.SHA1_RSA_PKCS
        self._module, self._token_label, self._key_label, self._pin = (
            module,
            token_label,
            key_label,
            pin,
        )
        self._lock = threading.Lock()
        self._session = None
        self._key = None

    def _open(self):
        if self._session is None:
            try:
                token = pkcs11.lib(self._module).get_token(token_label=self._token_label)
                self._session = token.open(user_pin=self._pin)
                self._key = self._session.get_key(
                    object_class=ObjectClass.PRIVATE_KEY, label=self._key_label
                )
            except (PKCS11Error, OSError, RuntimeError) as exc:
                self._session = None
                raise SignerUnavailable(f"PKCS#11 token {self._token_label}: {exc!r}") from exc
        return self._key

    def sign(self, data: bytes) -> bytes:
        with self._lock:
            key = self._open()
            try:
                value = key.sign(data, mechanism=self._mechanism)
            except PKCS11Error as exc:
                self._close()
                raise SignerUnavailable(f"PKCS#11 signing failed: {exc!r}") from exc
        if self.algorithm is SignatureAlgorithm.SM2_SM3 and len(value) != 64:
            value = sm2_raw_from_der(value)
        return value

    def health(self) -> None:
        with self._lock:
            key = self._open()
            try:
                key[Attribute.KEY_TYPE]
            except PKCS11Error as exc:
                self._close()
                raise SignerUnavailable(f"PKCS#11 token {self._token_label}: {exc!r}") from exc

    def _close(self) -> None:
        if self._session is not None:
            with contextlib.suppress(PKCS11Error):
                self._session.close()
        self._session = None
        self._key = None

    def close(self) -> None:
        with self._lock:
            self._close()


__all__ = ["KeyType", "Pkcs11Signer"]
