"""The enveloped XML signature of CEB messages (spec §6), for SM2-SM3 and RSA-SHA1.

Shape, fixed by the spec::

    <ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
      <ds:SignedInfo>
        <ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>
        <ds:SignatureMethod Algorithm="...#sm2-sm3 | ...#rsa-sha1"/>
        <ds:Reference URI="">
          <ds:Transforms><ds:Transform Algorithm="...#enveloped-signature"/></ds:Transforms>
          <ds:DigestMethod Algorithm="...#sm3 | ...#sha1"/>
          <ds:DigestValue>base64(digest(C14N(message without Signature)))</ds:DigestValue>
        </ds:Reference>
      </ds:SignedInfo>
      <ds:SignatureValue>base64(sign(C14N(SignedInfo)))</ds:SignatureValue>
      <ds:KeyInfo><ds:KeyName>certificate number</ds:KeyName>
        <ds:X509Data><ds:X509Certificate>base64(DER)</ds:X509Certificate></ds:X509Data>
      </ds:KeyInfo>
    </ds:Signature>

The Signature is the last child of the message root. SignedInfo is canonicalised in place
(inclusive C14N 1.0 carries the root's ``xmlns:ceb`` into it), which is exactly what a USB-key
client receives as ``inData`` and signs. Signing goes through a :class:`~.signers.Signer`, so
the same code serves the software key, the remote agent and the PKCS#11 module.
"""

from __future__ import annotations

import base64
import copy
from dataclasses import dataclass

from lxml import etree

from .algorithms import SignatureAlgorithm, SignatureInvalid, verify_with_public_key
from .keys import KeyError_, certificate_public_key

DS_NS = "http://www.w3.org/2000/09/xmldsig#"
DS = "{" + DS_NS + "}"
C14N_URI = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
ENVELOPED_URI = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"


def canonical(element: etree._Element) -> bytes:
    """Inclusive C14N 1.0 without comments of ``element`` (and its in-scope namespaces)."""
    return etree.tostring(element, method="c14n", exclusive=False, with_comments=False)


def signed_info_element(algorithm: SignatureAlgorithm, digest: bytes) -> etree._Element:
    """A ds:SignedInfo for ``algorithm`` over a document whose digest is ``digest``."""
    sub = etree.SubElement
    info = etree.Element(DS + "SignedInfo", nsmap={"ds": DS_NS})
    sub(info, DS + "CanonicalizationMethod").set("Algorithm", C14N_URI)
    sub(info, DS + "SignatureMethod").set("Algorithm", algorithm.signature_uri)
    reference = sub(info, DS + "Reference")
    reference.set("URI", "")
    transforms = sub(reference, DS + "Transforms")
    sub(transforms, DS + "Transform").set("Algorithm", ENVELOPED_URI)
    sub(reference, DS + "DigestMethod").set("Algorithm", algorithm.digest_uri)
    sub(reference, DS + "DigestValue").text = base64.b64encode(digest).decode()
    return info


def prepare(root: etree._Element, algorithm: SignatureAlgorithm) -> tuple[etree._Element, bytes]:
    """Append an unsigned ds:Signature to ``root``; return it and the bytes to be signed.

    The bytes are the canonical SignedInfo as it sits in the document. ``root`` must not be
    signed already.
    """
    if root.find(DS + "Signature") is not None:
        raise ValueError("the message is signed already")
    digest = algorithm.digest(canonical(root))
    signature = etree.SubElement(root, DS + "Signature", nsmap={"ds": DS_NS})
    signature.append(signed_info_element(algorithm, digest))
    return signature, canonical(signature[0])


def complete(
    signature: etree._Element, value: bytes, *, key_name: str, certificate_der: bytes
) -> None:
    """Add SignatureValue and KeyInfo (certificate number and certificate) to a prepared one."""
    sub = etree.SubElement
    sub(signature, DS + "SignatureValue").text = base64.b64encode(value).decode()
    key_info = sub(signature, DS + "KeyInfo")
    sub(key_info, DS + "KeyName").text = key_name
    x509_data = sub(key_info, DS + "X509Data")
    sub(x509_data, DS + "X509Certificate").text = base64.b64encode(certificate_der).decode()


def sign(root: etree._Element, signer) -> etree._Element:
    """Sign a message in place with ``signer`` (any backend) and return it."""
    signature, to_sign = prepare(root, signer.algorithm)
    value = signer.sign(to_sign)
    complete(signature, value, key_name=signer.key_name, certificate_der=signer.certificate_der)
    return root


@dataclass(frozen=True, slots=True)
class SignatureParts:
    """What a ds:Signature says, read without checking anything cryptographic."""

    algorithm: SignatureAlgorithm
    digest: bytes
    value: bytes
    key_name: str
    certificate_der: bytes


def _text(element: etree._Element, path: str) -> str:
    found = element.find(path)
    if found is None or not (found.text or "").strip():
        raise SignatureInvalid(f"the signature has no {path.split('}')[-1]}")
    return "".join(found.text.split())


def read_signature(root: etree._Element) -> SignatureParts:
    """Check a message's ds:Signature has the spec's structure and return its parts.

    Used on the official samples (whose values are placeholders) and before verifying.
    Raises SignatureInvalid when an element or an algorithm is not the spec's.
    """
    signature = root.find(DS + "Signature")
    if signature is None:
        raise SignatureInvalid("the message is not signed")
    if signature is not root[len(root) - 1]:
        raise SignatureInvalid("the signature must be the last element of the message")
    info = signature.find(DS + "SignedInfo")
    if info is None:
        raise SignatureInvalid("the signature has no SignedInfo")
    method = info.find(DS + "CanonicalizationMethod")
    if method is None or method.get("Algorithm") != C14N_URI:
        raise SignatureInvalid("canonicalisation must be C14N 20010315")
    signature_method = info.find(DS + "SignatureMethod")
    try:
        algorithm = SignatureAlgorithm.from_signature_uri(
            signature_method.get("Algorithm", "") if signature_method is not None else ""
        )
    except ValueError as exc:
        raise SignatureInvalid(str(exc)) from exc
    references = info.findall(DS + "Reference")
    if len(references) != 1 or references[0].get("URI") != "":
        raise SignatureInvalid('there must be one Reference, URI=""')
    reference = references[0]
    transforms = [t.get("Algorithm") for t in reference.iterfind(f"{DS}Transforms/{DS}Transform")]
    if transforms != [ENVELOPED_URI]:
        raise SignatureInvalid("the only transform must be enveloped-signature")
    digest_method = reference.find(DS + "DigestMethod")
    if digest_method is None or digest_method.get("Algorithm") != algorithm.digest_uri:
        raise SignatureInvalid("the digest method does not match the signature method")
    try:
        digest = base64.b64decode(_text(reference, DS + "DigestValue"), validate=True)
        value = base64.b64decode(_text(signature, DS + "SignatureValue"), validate=True)
        cert = base64.b64decode(
            _text(signature, f"{DS}KeyInfo/{DS}X509Data/{DS}X509Certificate"), validate=True
        )
    except ValueError as exc:
        raise SignatureInvalid(f"not base64: {exc}") from exc
    key_name = _text(signature, f"{DS}KeyInfo/{DS}KeyName")
    return SignatureParts(algorithm, digest, value, key_name, cert)


def verify(root: etree._Element, *, certificate_der: bytes | None = None) -> SignatureParts:
    """Verify a signed message: digest of the document and signature of SignedInfo.

    The key is the certificate in KeyInfo unless ``certificate_der`` (a registered one) is
    given, in which case KeyInfo must carry that same certificate. Raises SignatureInvalid.
    """
    parts = read_signature(root)
    if certificate_der is not None and parts.certificate_der != certificate_der:
        raise SignatureInvalid("signed with a certificate that is not the registered one")
    signature = root.find(DS + "Signature")
    unsigned = copy.deepcopy(root)
    unsigned.remove(unsigned.find(DS + "Signature"))
    if parts.algorithm.digest(canonical(unsigned)) != parts.digest:
        raise SignatureInvalid("the digest does not match the message (altered after signing)")
    try:
        public_key = certificate_public_key(parts.certificate_der)
    except KeyError_ as exc:
        raise SignatureInvalid(str(exc)) from exc
    signed_info = canonical(signature.find(DS + "SignedInfo"))
    verify_with_public_key(public_key, parts.algorithm, signed_info, parts.value)
    return parts
