"""The two signature methods the customs spec names, their URIs, digests and key handling.

- **SM2-SM3** (preferred, 国密): SM2 signature over SM3 with the GM/T 0009 default user id
  ``1234567812345678``; digest SM3. The SM2 arithmetic comes from ``tongsuopy`` (the Tongsuo
  project's binding: C, constant-time, the pyca/cryptography API), SM3 digests from
  ``cryptography``. The signature value is written as the raw 64-byte ``r || s`` (the XML-DSig
  convention for elliptic-curve signatures, RFC 6931 §2.3.6); verification also accepts the
  DER form some USB-key clients return.
- **RSA-SHA1** (accepted): PKCS#1 v1.5 over SHA-1, digest SHA-1, from ``cryptography``.

docs/CUSTOMS.md ("Signing") explains the choice of libraries and the measured speeds.
"""

from __future__ import annotations

from enum import StrEnum

from cryptography import exceptions as crypto_exceptions
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from tongsuopy.crypto import exceptions as tongsuo_exceptions
from tongsuopy.crypto import hashes as tongsuo_hashes
from tongsuopy.crypto.asymciphers import ec as sm2_ec

SM2_USER_ID = b"1234567812345678"  # GM/T 0009 default; tongsuopy applies it (tests check it)


class SignatureAlgorithm(StrEnum):
    """A signature method of the spec; the value is the short name used in profiles."""

    SM2_SM3 = "sm2-sm3"
    RSA_SHA1 = "rsa-sha1"

    @property
    def signature_uri(self) -> str:
        return _URIS[self][0]

    @property
    def digest_uri(self) -> str:
        return _URIS[self][1]

    @classmethod
    def from_signature_uri(cls, uri: str) -> SignatureAlgorithm:
        for member, (signature_uri, _) in _URIS.items():
            if signature_uri == uri:
                return member
        raise ValueError(f"unknown signature method {uri!r}")

    def digest(self, data: bytes) -> bytes:
        """The DigestValue of ``data`` (the canonical document) under this method."""
        h = hashes.Hash(hashes.SM3() if self is SignatureAlgorithm.SM2_SM3 else hashes.SHA1())  # noqa: S303 - SHA-1 is what the spec's RSA method prescribes
        h.update(data)
        return h.finalize()


_URIS = {
    SignatureAlgorithm.SM2_SM3: (
        "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3",
        "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3",
    ),
    SignatureAlgorithm.RSA_SHA1: (
        "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        "http://www.w3.org/2000/09/xmldsig#sha1",
    ),
}


class SignatureInvalid(ValueError):
    """A signature does not verify (wrong key, altered data, or a malformed value)."""


def sm2_raw_from_der(der: bytes) -> bytes:
    """DER ``SEQUENCE { r, s }`` -> the raw 64-byte ``r || s``."""
    r, s = decode_dss_signature(der)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def sm2_der_from_raw(raw: bytes) -> bytes:
    """The raw 64-byte ``r || s`` (or DER, passed through) -> DER."""
    if len(raw) == 64:
        return encode_dss_signature(
            int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
        )
    return raw


def sign_with_private_key(private_key: object, algorithm: SignatureAlgorithm, data: bytes) -> bytes:
    """Sign ``data`` (hashing it as the method says) with an in-memory private key."""
    if algorithm is SignatureAlgorithm.SM2_SM3:
        der = private_key.sign(data, sm2_ec.ECDSA(tongsuo_hashes.SM3()))  # type: ignore[attr-defined]
        return sm2_raw_from_der(der)
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise TypeError("an RSA-SHA1 signer needs an RSA private key")
    return private_key.sign(data, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303


def verify_with_public_key(
    public_key: object, algorithm: SignatureAlgorithm, data: bytes, signature: bytes
) -> None:
    """Raise SignatureInvalid unless ``signature`` is ``data`` signed by ``public_key``."""
    try:
        if algorithm is SignatureAlgorithm.SM2_SM3:
            if not isinstance(public_key, sm2_ec.EllipticCurvePublicKey):
                raise SignatureInvalid("the certificate does not hold an SM2 key")
            public_key.verify(sm2_der_from_raw(signature), data, sm2_ec.ECDSA(tongsuo_hashes.SM3()))
            return
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise SignatureInvalid("the certificate does not hold an RSA key")
        public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303
    except (crypto_exceptions.InvalidSignature, tongsuo_exceptions.InvalidSignature) as exc:
        raise SignatureInvalid("signature does not verify") from exc
    except ValueError as exc:  # a malformed DER value
        raise SignatureInvalid(f"malformed signature value: {exc}") from exc


def algorithm_of_key(private_key: object) -> SignatureAlgorithm:
    """Which method a private key signs with: SM2 keys SM2-SM3, RSA keys RSA-SHA1."""
    if isinstance(private_key, rsa.RSAPrivateKey):
        return SignatureAlgorithm.RSA_SHA1
    if isinstance(private_key, sm2_ec.EllipticCurvePrivateKey):
        return SignatureAlgorithm.SM2_SM3
    raise TypeError(f"unsupported key type {type(private_key).__name__}")
