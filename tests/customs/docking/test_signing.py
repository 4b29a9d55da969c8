"""Enveloped signatures, SM2-SM3 and RSA-SHA1: our own signatures verify, independent
implementations agree (signxml for RSA-SHA1 XML-DSig, the OpenSSL command line for SM2/SM3),
tampering is caught, and the official samples carry the structure the spec describes."""

from __future__ import annotations

import base64
import copy
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from lxml import etree
from signxml import DigestAlgorithm, SignatureConfiguration, SignatureMethod, XMLVerifier

from customs.ceb import messages, schema
from customs.signing import keys, xmldsig
from customs.signing.algorithms import SignatureAlgorithm, SignatureInvalid
from customs.signing.signers import SoftwareSigner

from .conftest import make_signer
from .documents import TRANSFER, parcel

SAMPLES = Path(__file__).parent / "samples"
CEB = "{http://www.chinaport.gov.cn/ceb}"


def signed_list(signer):
    root = messages.build([parcel(1).inventory, parcel(2).inventory], transfer=TRANSFER)
    return xmldsig.sign(root, signer)


def test_our_signatures_verify(any_signer):
    root = signed_list(any_signer)
    schema.validate(root)
    parts = xmldsig.verify(root)
    assert parts.algorithm is any_signer.algorithm
    assert parts.key_name == any_signer.key_name
    assert parts.certificate_der == any_signer.certificate_der
    # and after a trip through bytes, as the gateway receives it
    xmldsig.verify(schema.parse_xml(messages.to_bytes(root)))


def test_rsa_sha1_signature_verifies_with_signxml(rsa_signer):
    data = messages.to_bytes(signed_list(rsa_signer))
    config = SignatureConfiguration(
        signature_methods=frozenset({SignatureMethod.RSA_SHA1}),
        digest_algorithms=frozenset({DigestAlgorithm.SHA1}),
    )
    result = XMLVerifier().verify(
        data, x509_cert=keys.certificate_pem(rsa_signer.certificate_der), expect_config=config
    )
    assert etree.QName(result.signed_xml).localname == "CEB621Message"


def test_sm2_sm3_signature_verifies_with_openssl(sm2_signer, tmp_path):
    root = signed_list(sm2_signer)
    signature = root.find(xmldsig.DS + "Signature")
    # Digest: SM3 (openssl) of the canonical message without its signature.
    unsigned = copy.deepcopy(root)
    unsigned.remove(unsigned.find(xmldsig.DS + "Signature"))
    (tmp_path / "doc.c14n").write_bytes(etree.tostring(unsigned, method="c14n"))
    out = subprocess.run(
        ["openssl", "dgst", "-sm3", "-binary", str(tmp_path / "doc.c14n")],
        capture_output=True,
        check=True,
    ).stdout
    digest = signature.findtext(f".//{xmldsig.DS}DigestValue")
    assert base64.b64encode(out).decode() == digest
    # Signature: SM2 with the GM/T 0009 default user id, over the canonical SignedInfo.
    (tmp_path / "info.c14n").write_bytes(
        etree.tostring(signature.find(xmldsig.DS + "SignedInfo"), method="c14n")
    )
    raw = base64.b64decode(signature.findtext(xmldsig.DS + "SignatureValue"))
    assert len(raw) == 64  # r || s
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    (tmp_path / "sig.der").write_bytes(der)
    (tmp_path / "cert.pem").write_text(keys.certificate_pem(sm2_signer.certificate_der))
    pub = subprocess.run(
        ["openssl", "x509", "-in", str(tmp_path / "cert.pem"), "-pubkey", "-noout"],
        capture_output=True,
        check=True,
    ).stdout
    (tmp_path / "pub.pem").write_bytes(pub)
    verified = subprocess.run(
        [
            "openssl",
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            str(tmp_path / "pub.pem"),
            "-rawin",
            "-digest",
            "sm3",
            "-in",
            str(tmp_path / "info.c14n"),
            "-sigfile",
            str(tmp_path / "sig.der"),
            "-pkeyopt",
            "distid:1234567812345678",
        ],
        capture_output=True,
        text=True,
    )
    assert "Signature Verified Successfully" in verified.stdout, verified.stderr


def test_certificates_we_generate_are_valid_for_openssl(any_signer, tmp_path):
    path = tmp_path / "cert.pem"
    path.write_text(keys.certificate_pem(any_signer.certificate_der))
    result = subprocess.run(
        ["openssl", "verify", "-CAfile", str(path), str(path)], capture_output=True, text=True
    )
    assert result.stdout.strip().endswith("OK"), result.stderr


def test_an_altered_message_fails_verification(any_signer):
    root = signed_list(any_signer)
    root.find(f".//{CEB}buyerIdNumber").text = "110101199912319999"
    with pytest.raises(SignatureInvalid, match="digest does not match"):
        xmldsig.verify(root)


def test_a_forged_signed_info_fails_verification(any_signer):
    root = signed_list(any_signer)
    info = root.find(f"{xmldsig.DS}Signature/{xmldsig.DS}SignedInfo")
    # Change the document and recompute the digest: only the signature value can catch it.
    root.find(f".//{CEB}copNo").text = "FORGED"
    signature = root.find(xmldsig.DS + "Signature")
    unsigned = copy.deepcopy(root)
    unsigned.remove(unsigned.find(xmldsig.DS + "Signature"))
    digest = any_signer.algorithm.digest(xmldsig.canonical(unsigned))
    info.find(f".//{xmldsig.DS}DigestValue").text = base64.b64encode(digest).decode()
    assert signature is not None
    with pytest.raises(SignatureInvalid, match="does not verify"):
        xmldsig.verify(root)


def test_a_signature_by_another_key_with_a_copied_certificate_fails(any_signer):
    other = make_signer(any_signer.algorithm)
    root = messages.build([parcel().order], transfer=TRANSFER)
    xmldsig.sign(root, other)
    cert = root.find(f".//{xmldsig.DS}X509Certificate")
    cert.text = base64.b64encode(any_signer.certificate_der).decode()
    with pytest.raises(SignatureInvalid):
        xmldsig.verify(root)


def test_a_registered_certificate_is_enforced(sm2_signer, rsa_signer):
    root = signed_list(sm2_signer)
    xmldsig.verify(root, certificate_der=sm2_signer.certificate_der)
    with pytest.raises(SignatureInvalid, match="not the registered one"):
        xmldsig.verify(root, certificate_der=rsa_signer.certificate_der)


def test_a_message_is_signed_once(sm2_signer):
    root = signed_list(sm2_signer)
    with pytest.raises(ValueError, match="signed already"):
        xmldsig.sign(root, sm2_signer)


@pytest.mark.parametrize(
    "sample",
    [
        "CEB311Message.xml",
        "CEB621Message.xml",
        "CEB623Message.xml",
        "CEB625Message.xml",
        "CEB411Message.xml",
        "CEB511Message.xml",
    ],
)
def test_official_samples_have_the_spec_signature_structure(sample):
    root = schema.parse_xml((SAMPLES / sample).read_bytes())
    parts = xmldsig.read_signature(root)
    assert parts.algorithm in (SignatureAlgorithm.SM2_SM3, SignatureAlgorithm.RSA_SHA1)
    assert parts.key_name == "0001"
    keys.certificate_public_key(parts.certificate_der)  # a readable X.509 certificate
    # The samples' values are placeholders (a 20-byte digest under "sm3"): they must not verify.
    with pytest.raises(SignatureInvalid):
        xmldsig.verify(root)


def test_a_signer_refuses_a_certificate_of_another_key(sm2_signer):
    other = keys.generate_key(SignatureAlgorithm.SM2_SM3)
    with pytest.raises(ValueError, match="does not belong"):
        SoftwareSigner(other, certificate_der=sm2_signer.certificate_der, key_name="x")


def test_keys_survive_encrypted_pem(any_signer):
    key = keys.generate_key(any_signer.algorithm)
    pem = keys.private_key_pem(key, b"s3cret")
    assert b"ENCRYPTED" in pem
    again = keys.load_private_key(pem, b"s3cret")
    cert = keys.self_signed_certificate(again, common_name="x")
    SoftwareSigner(again, certificate_der=cert, key_name="k")
    with pytest.raises(keys.KeyError_):
        keys.load_private_key(pem, b"wrong")
