"""Customs profiles: which profile a merchant declares with, keys encrypted at rest and never
shown back, and the back-office screens operators manage them in."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from customs.ceb import messages, schema
from customs.gateway.transports import AmqpTransport, HttpTransport
from customs.profiles import services
from customs.profiles.models import CustomsCompany, CustomsProfile, SigningKey
from customs.signing import keys, xmldsig
from customs.signing.algorithms import SignatureAlgorithm

from .documents import parcel

pytestmark = pytest.mark.django_db


def company(role, code, name, merchant=None):
    return CustomsCompany.objects.create(role=role, code=code, name=name, merchant=merchant)


def make_profile(name="平台通用", merchant=None, key=None, **changes) -> CustomsProfile:
    R = CustomsCompany.Role
    key = key or services.signing_key_generate(
        name=f"key {name}",
        algorithm=SignatureAlgorithm.SM2_SM3,
        cert_no="0001",
        common_name="丝路跨境平台",
    )
    values = {
        "name": name,
        "merchant": merchant,
        "platform": CustomsCompany.objects.get_or_create(
            role=R.PLATFORM, code="3301963K69", defaults={"name": "丝路跨境平台"}
        )[0],
        "ecommerce": company(R.ECOMMERCE, f"E{CustomsProfile.objects.count():09d}", name),
        "payment": CustomsCompany.objects.get_or_create(
            role=R.PAYMENT, code="312226T001", defaults={"name": "丝路支付"}
        )[0],
        "logistics": CustomsCompany.objects.get_or_create(
            role=R.LOGISTICS, code="1101180326", defaults={"name": "丝路物流"}
        )[0],
        "guarantor": CustomsCompany.objects.get_or_create(
            role=R.GUARANTOR, code="3301963K69", defaults={"name": "丝路跨境平台"}
        )[0],
        "agent": CustomsCompany.objects.get_or_create(
            role=R.AGENT, code="3301963K69", defaults={"name": "丝路跨境平台"}
        )[0],
        "customs_code": "2923",
        "port_code": "2923",
        "dxp_id": "DXPENT0000458763",
        "gateway_url": "http://127.0.0.1:8765",
        "signing_key": key,
    }
    values.update(changes)
    return CustomsProfile.objects.create(**values)


def test_a_merchant_declares_with_its_own_profile_else_the_platforms(tenants):
    platform = make_profile()
    own = make_profile("新西兰自然", merchant=tenants.a.merchant)
    assert services.profile_for(tenants.a.merchant) == own
    assert services.profile_for(tenants.b.merchant) == platform
    assert services.profile_for(None) == platform


def test_without_any_profile_docking_is_not_set_up(tenants):
    with pytest.raises(services.NoCustomsProfile):
        services.profile_for(tenants.a.merchant)


def test_there_is_one_platform_wide_profile():
    make_profile()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_profile("second default")


def test_private_keys_are_encrypted_at_rest_and_sign(tenants):
    profile = make_profile()
    key = profile.signing_key
    with connection.cursor() as cursor:
        cursor.execute("SELECT private_key FROM customs_signingkey WHERE id = %s", [key.pk])
        stored = cursor.fetchone()[0]
    assert "PRIVATE KEY" not in stored and stored.startswith("gAAAA")  # a Fernet token
    signer = services.signer_for(SigningKey.objects.get(pk=key.pk))
    root = messages.build([parcel().inventory], transfer=services.transfer_for(profile))
    xmldsig.sign(root, signer)
    schema.validate(root)
    assert xmldsig.verify(root).key_name == "0001"
    assert services.transfer_for(profile).cop_code == "3301963K69"
    assert services.route_for(profile).receiver_id == "DXPEDCCEB0000002"


def test_the_profile_picks_the_transport():
    profile = make_profile()
    assert isinstance(services.transport_for(profile), HttpTransport)
    profile.transport = CustomsProfile.Transport.AMQP
    profile.gateway_url = "amqp://guest:guest@127.0.0.1:5672//"
    transport = services.transport_for(profile)
    assert isinstance(transport, AmqpTransport) and transport.receiver_id == "DXPEDCCEB0000002"
    transport.close()


@pytest.fixture
def ops(client_for, operator):
    return client_for(operator)


def test_operators_open_every_profile_screen(ops):
    profile = make_profile()
    for model in ("customsprofile", "customscompany", "signingkey"):
        assert ops.get(reverse(f"admin:customs_{model}_changelist")).status_code == 200
        assert ops.get(reverse(f"admin:customs_{model}_add")).status_code == 200
    assert (
        ops.get(reverse("admin:customs_customsprofile_change", args=[profile.pk])).status_code
        == 200
    )


def test_secrets_are_never_shown_back_and_blank_keeps_them(ops):
    key = make_profile().signing_key
    url = reverse("admin:customs_signingkey_change", args=[key.pk])
    page = ops.get(url).content.decode()
    assert "PRIVATE KEY" not in page
    form = {
        "name": key.name,
        "algorithm": key.algorithm,
        "backend": key.backend,
        "certificate": key.certificate,
        "cert_no": "0002",
        "private_key": "",
        "private_key_password": "",
        "agent_url": "",
        "agent_password": "",
        "pkcs11_module": "",
        "pkcs11_token": "",
        "pkcs11_key_label": "",
        "pkcs11_pin": "",
        "active": "on",
    }
    response = ops.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    key.refresh_from_db()
    assert key.cert_no == "0002" and "PRIVATE KEY" in key.private_key


def test_a_private_key_that_does_not_match_the_certificate_is_refused(ops):
    key = make_profile().signing_key
    other = keys.private_key_pem(keys.generate_key(SignatureAlgorithm.SM2_SM3)).decode()
    form = {
        "name": "x",
        "algorithm": "sm2-sm3",
        "backend": "software",
        "certificate": key.certificate,
        "cert_no": "9",
        "private_key": other,
        "active": "on",
    }
    response = ops.post(reverse("admin:customs_signingkey_add"), form)
    assert response.status_code == 200
    assert "does not belong to the certificate" in response.content.decode()
    assert not SigningKey.objects.filter(name="x").exists()


def test_the_profile_screens_are_for_operators_only(client_for, tenants):
    seller = client_for(tenants.a.owner)
    response = seller.get(reverse("admin:customs_signingkey_changelist"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_demo_profile_sends_to_the_simulator_and_signs_with_sm2(settings):
    from customs.profiles.demo import seed_customs_profiles_demo

    settings.CUSTOMS_GATEWAY_URL = "http://127.0.0.1:8765"
    profile = seed_customs_profiles_demo()
    assert seed_customs_profiles_demo() == profile  # idempotent
    assert CustomsProfile.objects.count() == 1
    transport = services.transport_for(profile)
    assert isinstance(transport, HttpTransport) and transport.base_url == "http://127.0.0.1:8765"
    signer = services.signer_for(profile.signing_key)
    assert signer.algorithm is SignatureAlgorithm.SM2_SM3
    root = messages.build([parcel().order], transfer=services.transfer_for(profile))
    assert xmldsig.verify(xmldsig.sign(root, signer)).key_name == "DEMO0001"
