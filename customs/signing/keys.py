"""Private keys and X.509 certificates for SM2 and RSA signers.

- ``load_private_key(pem, password)``: PKCS#8 PEM, SM2 (OID 1.2.156.10197.1.301) or RSA.
- ``certificate_public_key(der)``: the public key of a certificate. ``cryptography`` parses
  any certificate but cannot hand out an SM2 key, so the SubjectPublicKeyInfo is cut out with
  ``asn1crypto`` and loaded by ``tongsuopy``.
- ``generate_key`` and ``self_signed_certificate``: keys and certificates for tests, the demo
  and the gateway simulator. Production certificates are issued by the e-port's CA to the
  USB key or HSM and uploaded to the customs profile.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets

from asn1crypto import algos, keys, x509
from cryptography import x509 as cx509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from tongsuopy.crypto import serialization as tongsuo_serialization
from tongsuopy.crypto.asymciphers import ec as sm2_ec

from .algorithms import SignatureAlgorithm, algorithm_of_key, sign_with_private_key

SM2_CURVE_OID = "1.2.156.10197.1.301"
SM2_WITH_SM3_OID = "1.2.156.10197.1.501"


class KeyError_(ValueError):  # noqa: N801 - "KeyError" is a builtin with another meaning
    """A key or certificate cannot be read."""


def load_private_key(pem: bytes, password: bytes | None = None) -> object:
    """An SM2 or RSA private key from PEM (PKCS#8, or PKCS#1 for RSA)."""
    try:
        return serialization.load_pem_private_key(pem, password)
    except (ValueError, TypeError, UnsupportedAlgorithm) as first:
        # cryptography refuses SM2 keys ("unsupported elliptic curve"); tongsuopy reads them.
        try:
            return tongsuo_serialization.load_pem_private_key(pem, password)
        except (ValueError, TypeError) as exc:
            raise KeyError_(f"cannot read the private key: {first}") from exc


def private_key_pem(key: object, password: bytes | None = None) -> bytes:
    """PKCS#8 PEM of an SM2 or RSA private key (encrypted with ``password`` if given)."""
    if isinstance(key, rsa.RSAPrivateKey):
        encryption = (
            serialization.BestAvailableEncryption(password)
            if password
            else serialization.NoEncryption()
        )
        return key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )
    encryption = (
        tongsuo_serialization.BestAvailableEncryption(password)
        if password
        else tongsuo_serialization.NoEncryption()
    )
    return key.private_bytes(  # type: ignore[attr-defined]
        tongsuo_serialization.Encoding.PEM, tongsuo_serialization.PrivateFormat.PKCS8, encryption
    )


def generate_key(algorithm: SignatureAlgorithm) -> object:
    """A fresh private key for ``algorithm`` (SM2 on the SM2 curve, RSA 2048)."""
    if algorithm is SignatureAlgorithm.SM2_SM3:
        return sm2_ec.generate_private_key(sm2_ec.SM2())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def load_certificate(data: bytes) -> bytes:
    """The DER bytes of a certificate given as PEM, DER or the bare base64 of X509Certificate."""
    data = data.strip()
    if data.startswith(b"-----BEGIN"):
        return cx509.load_pem_x509_certificate(data).public_bytes(serialization.Encoding.DER)
    if data[:1] == b"\x30":
        return data
    try:
        return base64.b64decode(b"".join(data.split()), validate=True)
    except ValueError as exc:
        raise KeyError_("cannot read the certificate") from exc


def certificate_public_key(der: bytes) -> object:
    """The public key inside a certificate (an RSA key or an SM2 key)."""
    try:
        cert = x509.Certificate.load(der)
        spki = cert["tbs_certificate"]["subject_public_key_info"]
        algorithm = spki["algorithm"]
        if algorithm["algorithm"].dotted == "1.2.840.10045.2.1":  # id-ecPublicKey
            curve = algorithm["parameters"].chosen
            if getattr(curve, "dotted", None) == SM2_CURVE_OID:
                return tongsuo_serialization.load_der_public_key(spki.dump())
        return serialization.load_der_public_key(spki.dump())
    except (ValueError, TypeError, KeyError) as exc:
        raise KeyError_(f"cannot read the certificate's public key: {exc}") from exc


def certificate_serial(der: bytes) -> str:
    """The certificate's serial number in upper-case hex (a default certificate number)."""
    return format(x509.Certificate.load(der).serial_number, "X")


def self_signed_certificate(
    key: object, *, common_name: str, days: int = 3650, serial: int | None = None
) -> bytes:
    """A self-signed certificate (DER) for ``key``, signed SM3withSM2 or SHA256withRSA."""
    serial = serial or secrets.randbits(63)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    if isinstance(key, rsa.RSAPrivateKey):
        name = cx509.Name([cx509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        cert = (
            cx509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(serial)
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=days))
            .sign(key, hashes.SHA256())
        )
        return cert.public_bytes(serialization.Encoding.DER)
    if algorithm_of_key(key) is not SignatureAlgorithm.SM2_SM3:
        raise TypeError("unsupported key")
    # cryptography cannot build SM2 certificates: assemble the TBSCertificate with asn1crypto
    # and sign it with the SM2 key (SM3withSM2, user id per GM/T 0009).
    public_der = key.public_key().public_bytes(  # type: ignore[attr-defined]
        tongsuo_serialization.Encoding.DER,
        tongsuo_serialization.PublicFormat.SubjectPublicKeyInfo,
    )
    subject = x509.Name.build({"common_name": common_name})
    signature_algorithm = algos.SignedDigestAlgorithm({"algorithm": SM2_WITH_SM3_OID})
    tbs = x509.TbsCertificate(
        {
            "version": "v3",
            "serial_number": serial,
            "signature": signature_algorithm,
            "issuer": subject,
            "validity": {
                "not_before": x509.Time({"utc_time": now - dt.timedelta(days=1)}),
                "not_after": x509.Time({"general_time": now + dt.timedelta(days=days)}),
            },
            "subject": subject,
            "subject_public_key_info": keys.PublicKeyInfo.load(public_der),
        }
    )
    signature = sign_with_private_key(key, SignatureAlgorithm.SM2_SM3, tbs.dump())
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    der_signature = algos.DSASignature({"r": r, "s": s}).dump()
    cert = x509.Certificate(
        {
            "tbs_certificate": tbs,
            "signature_algorithm": signature_algorithm,
            "signature_value": der_signature,
        }
    )
    return cert.dump()


def certificate_pem(der: bytes) -> str:
    """PEM text of a DER certificate."""
    body = base64.encodebytes(der).decode().replace("\n", "")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"
