"""Customs profiles in use: which profile applies, and the signer, transport and envelope
parameters it gives the declaration layer.

``profile_for(merchant)`` (``profiles_for`` for several) is the read; ``signer_for(key)``, ``transport_for(profile)``,
``route_for(profile)`` and ``transfer_for(profile)`` turn a profile into the library's objects;
``signing_key_generate`` and ``signing_key_set_secret`` are the writes (a generated key is
stored encrypted at rest with the kernel's crypto, never shown back).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Q

from customs.ceb import types as t
from customs.gateway.sealing import Route
from customs.gateway.transports import AmqpTransport, HttpTransport, Transport
from customs.signing import keys
from customs.signing.agent import AgentSigner
from customs.signing.algorithms import SignatureAlgorithm
from customs.signing.pkcs11 import Pkcs11Signer
from customs.signing.signers import Signer, SoftwareSigner

from .models import CustomsCompany, CustomsProfile, SigningKey


class NoCustomsProfile(LookupError):
    """No profile applies: the operator has not set up customs docking for this merchant."""


def profile_for(merchant) -> CustomsProfile:
    """The merchant's own customs profile, else the platform-wide one (``merchant`` is a
    merchant, its id, or None)."""
    merchant_id = getattr(merchant, "pk", merchant)
    found = profiles_for([merchant_id])[merchant_id]
    if found is None:
        raise NoCustomsProfile("no customs profile is set up")
    return found


PROFILE_RELATED = (
    "platform",
    "ecommerce",
    "payment",
    "logistics",
    "guarantor",
    "agent",
    "bonded_zone",
    "signing_key",
)


def profiles_for(merchant_ids) -> dict[int | None, CustomsProfile | None]:
    """``profile_for`` for several merchants (ids, None for none) in one query: each
    merchant's own profile, else the platform-wide one, else None."""
    merchant_ids = set(merchant_ids)
    ids = merchant_ids - {None}
    rows = (
        CustomsProfile.objects.select_related(*PROFILE_RELATED)
        .filter(Q(merchant__isnull=True) | Q(merchant_id__in=ids))
        .order_by(F("merchant").asc(nulls_last=True), "pk")
    )
    own: dict[int | None, CustomsProfile] = {}
    for row in rows:
        own.setdefault(row.merchant_id, row)
    platform = own.get(None)
    return {m: own.get(m, platform) for m in set(merchant_ids)}


def party(company: CustomsCompany | None) -> t.Party | None:
    """A customs company as the messages name it."""
    return None if company is None else t.Party(company.code, company.name)


def signer_for(key: SigningKey) -> Signer:
    """The Signer of a signing key, whatever its backend."""
    algorithm = SignatureAlgorithm(key.algorithm)
    certificate = keys.load_certificate(key.certificate.encode())
    if key.backend == SigningKey.Backend.SOFTWARE:
        password = key.private_key_password.encode() if key.private_key_password else None
        signer = SoftwareSigner.from_pem(
            key.private_key.encode(),
            certificate_der=certificate,
            key_name=key.cert_no,
            password=password,
        )
        if signer.algorithm is not algorithm:
            raise ValueError("the private key does not match the signature method")
        return signer
    if key.backend == SigningKey.Backend.AGENT:
        return AgentSigner(
            key.agent_url,
            algorithm=algorithm,
            password=key.agent_password,
            certificate_der=certificate,
            key_name=key.cert_no,
        )
    return Pkcs11Signer(
        key.pkcs11_module,
        token_label=key.pkcs11_token,
        key_label=key.pkcs11_key_label,
        pin=key.pkcs11_pin,
        algorithm=algorithm,
        certificate_der=certificate,
        key_name=key.cert_no,
    )


def transport_for(profile: CustomsProfile) -> Transport:
    """The transport a profile sends with (HTTP to a proxy or the simulator, or AMQP)."""
    if profile.transport == CustomsProfile.Transport.AMQP:
        return AmqpTransport(
            profile.gateway_url,
            sender_id=profile.dxp_id,
            receiver_id=profile.receiver_id,
            prefix=profile.queue_prefix,
        )
    return HttpTransport(profile.gateway_url, sender_id=profile.dxp_id)


def route_for(profile: CustomsProfile) -> Route:
    """Sender and receiver ids of the DXP envelope."""
    return Route(sender_id=profile.dxp_id, receiver_id=profile.receiver_id)


def transfer_for(profile: CustomsProfile) -> t.Transfer:
    """BaseTransfer: the platform transmits (its code must match the certificate's company)."""
    return t.Transfer(
        cop_code=profile.platform.code, cop_name=profile.platform.name, dxp_id=profile.dxp_id
    )


@transaction.atomic
def signing_key_generate(
    *, name: str, algorithm: SignatureAlgorithm, cert_no: str, common_name: str
) -> SigningKey:
    """A new software signing key with a self-signed certificate (demo, tests, simulator).

    Production keys come with a certificate from the e-port's CA: upload them instead.
    """
    private = keys.generate_key(algorithm)
    certificate = keys.self_signed_certificate(private, common_name=common_name)
    return SigningKey.objects.create(
        name=name,
        algorithm=algorithm.value,
        backend=SigningKey.Backend.SOFTWARE,
        certificate=keys.certificate_pem(certificate),
        cert_no=cert_no,
        private_key=keys.private_key_pem(private).decode(),
    )


@transaction.atomic
def signing_key_set_secret(*, key: SigningKey, field: str, value: str) -> SigningKey:
    """Replace one secret of a signing key (private key, password or PIN); blank keeps it."""
    if field not in {"private_key", "private_key_password", "agent_password", "pkcs11_pin"}:
        raise ValueError(f"{field} is not a secret of a signing key")
    if value:
        setattr(key, field, value)
        key.save(update_fields=[field])
    return key
