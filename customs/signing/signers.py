"""One signer interface, several backends.

A :class:`Signer` signs the canonical SignedInfo bytes (it hashes them itself, as a USB key
or an HSM does) and names its certificate. Backends:

- :class:`SoftwareSigner` (here): an SM2 or RSA key in memory, for tests, the demo and small
  platforms whose key may live on the server (encrypted at rest in the customs profile);
- ``customs.signing.agent.AgentSigner``: a remote signing agent over WebSocket (the e-port's
  USB-key client on a Windows machine, or anything speaking its protocol);
- ``customs.signing.pkcs11.Pkcs11Signer``: a PKCS#11 hardware module.

``health()`` raises SignerUnavailable when the backend cannot sign right now; the gateway
checks it before taking work so a dead USB key stops the queue instead of failing every
message.
"""

from __future__ import annotations

import threading
from typing import Protocol, runtime_checkable

from .algorithms import SignatureAlgorithm, algorithm_of_key, sign_with_private_key
from .keys import certificate_public_key, load_private_key


class SignerUnavailable(RuntimeError):
    """The signer cannot sign now (agent down, token missing, wrong PIN): retry later."""


class SignerRefused(RuntimeError):
    """The signer answered but refused this request (a permanent problem with the input)."""


@runtime_checkable
class Signer(Protocol):
    """What every signing backend provides."""

    algorithm: SignatureAlgorithm
    key_name: str  # certificate number (证书编号), written to KeyInfo/KeyName
    certificate_der: bytes

    def sign(self, data: bytes) -> bytes:
        """The signature value of ``data`` (raw r||s for SM2, PKCS#1 v1.5 for RSA)."""
        ...

    def health(self) -> None:
        """Return if the signer can sign now, else raise SignerUnavailable."""
        ...


class SoftwareSigner:
    """A private key held in memory. Thread-safe (the key objects are)."""

    def __init__(self, private_key: object, *, certificate_der: bytes, key_name: str):
        self.algorithm = algorithm_of_key(private_key)
        public = certificate_public_key(certificate_der)
        if _public_numbers(public) != _public_numbers(private_key.public_key()):  # type: ignore[attr-defined]
            raise ValueError("the certificate does not belong to this private key")
        self._key = private_key
        self.certificate_der = certificate_der
        self.key_name = key_name
        self._lock = threading.Lock()
        self.signatures = 0  # how many values this signer produced (for the health view)

    @classmethod
    def from_pem(
        cls, pem: bytes, *, certificate_der: bytes, key_name: str, password: bytes | None = None
    ) -> SoftwareSigner:
        """A signer from a PEM private key and its certificate."""
        return cls(
            load_private_key(pem, password), certificate_der=certificate_der, key_name=key_name
        )

    def sign(self, data: bytes) -> bytes:
        value = sign_with_private_key(self._key, self.algorithm, data)
        with self._lock:
            self.signatures += 1
        return value

    def health(self) -> None:
        return None


def _public_numbers(public_key: object) -> tuple:
    numbers = public_key.public_numbers()  # type: ignore[attr-defined]
    if hasattr(numbers, "n"):
        return ("rsa", numbers.n, numbers.e)
    return ("ec", numbers.x, numbers.y)
