"""The signer backends behind one interface: the remote signing agent client against a local
stand-in speaking the e-port USB-key client protocol, and the PKCS#11 adapter against SoftHSM2
(RSA; SoftHSM has no SM2). Messages they sign verify like the software key's."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import threading
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from customs.ceb import messages, schema
from customs.signing import xmldsig
from customs.signing.agent import AgentSigner
from customs.signing.agent_standin import AgentStandIn
from customs.signing.algorithms import SignatureAlgorithm
from customs.signing.pkcs11 import Pkcs11Signer
from customs.signing.signers import Signer, SignerUnavailable

from .documents import TRANSFER, parcel

SOFTHSM = "/usr/lib/softhsm/libsofthsm2.so"


@pytest.fixture
def standin(any_signer):
    agent = AgentStandIn(any_signer, password="88888888").start()
    yield agent
    agent.stop()


def test_agent_signatures_verify_like_the_software_key(standin, any_signer):
    signer = AgentSigner(standin.url, algorithm=any_signer.algorithm, password="88888888")
    try:
        assert isinstance(signer, Signer)
        assert signer.key_name == any_signer.key_name  # read from the agent
        assert signer.certificate_der == any_signer.certificate_der
        root = messages.build([parcel().inventory], transfer=TRANSFER)
        xmldsig.sign(root, signer)
        schema.validate(root)
        assert xmldsig.verify(root).key_name == any_signer.key_name
        signer.health()
        assert standin.signed == 1
    finally:
        signer.close()


def test_a_wrong_pin_and_a_failing_usb_key_are_reported(standin, any_signer):
    with pytest.raises(SignerUnavailable, match="卡口令错误"):
        AgentSigner(standin.url, algorithm=any_signer.algorithm, password="wrong")
    signer = AgentSigner(standin.url, algorithm=any_signer.algorithm, password="88888888")
    try:
        standin.fail_next = 1
        with pytest.raises(SignerUnavailable, match="50070"):
            signer.sign(b"<ds:SignedInfo/>")
        assert len(signer.sign(b"<ds:SignedInfo/>")) in (64, 256)  # and it recovers
    finally:
        signer.close()


def test_an_agent_that_is_down_or_slow_times_out(any_signer):
    with pytest.raises(SignerUnavailable):
        AgentSigner("ws://127.0.0.1:1", algorithm=any_signer.algorithm, connect_timeout=0.5)
    slow = AgentStandIn(any_signer, sign_delay=2.0).start()
    try:
        signer = AgentSigner(
            slow.url, algorithm=any_signer.algorithm, request_timeout=0.5, connect_timeout=0.2
        )
        started = time.monotonic()
        with pytest.raises(SignerUnavailable, match="in time|timed out"):
            signer.sign(b"x")
        assert time.monotonic() - started < 2.0
        signer.close()
    finally:
        slow.stop()


def test_one_worker_per_key_serialises_concurrent_requests(standin, any_signer):
    signer = AgentSigner(standin.url, algorithm=any_signer.algorithm, password="88888888")
    results: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: results.append(signer.sign(b"data"))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    signer.close()
    assert len(results) == 8 and standin.signed == 8


def test_the_agent_reconnects_after_the_connection_drops(any_signer):
    first = AgentStandIn(any_signer).start()
    port = first.port
    signer = AgentSigner(first.url, algorithm=any_signer.algorithm)
    signer.sign(b"one")
    first.stop()
    with pytest.raises(SignerUnavailable):
        signer.sign(b"two")
    second = AgentStandIn(any_signer, port=port).start()
    try:
        assert signer.sign(b"three")
    finally:
        signer.close()
        second.stop()


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory):
    """One SoftHSM2 token for the session: the module reads its configuration once per
    process, so every test must use the same token directory."""
    if not (os.path.exists(SOFTHSM) and shutil.which("softhsm2-util")):
        pytest.fail("SoftHSM2 is missing: make test installs the Debian package softhsm2")
    folder = tmp_path_factory.mktemp("softhsm")
    tokens = folder / "tokens"
    tokens.mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            "silkway",
            "--pin",
            "1234",
            "--so-pin",
            "5678",
        ],
        check=True,
        capture_output=True,
    )
    import pkcs11
    from pkcs11 import Attribute, KeyType

    token = pkcs11.lib(SOFTHSM).get_token(token_label="silkway")
    with token.open(user_pin="1234", rw=True) as session:
        public, _private = session.generate_keypair(KeyType.RSA, 2048, label="ceb", store=True)
        modulus = int.from_bytes(public[Attribute.MODULUS], "big")
        exponent = int.from_bytes(public[Attribute.PUBLIC_EXPONENT], "big")
    # The e-port's CA issues the certificate for the token's key; here a test CA does.
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Silkway token")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")]))
        .public_key(rsa.RSAPublicNumbers(exponent, modulus).public_key())
        .serial_number(7)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(ca_key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.DER)


def test_pkcs11_rsa_signatures_verify(softhsm):
    signer = Pkcs11Signer(
        SOFTHSM,
        token_label="silkway",
        key_label="ceb",
        pin="1234",
        algorithm=SignatureAlgorithm.RSA_SHA1,
        certificate_der=softhsm,
        key_name="HSM-0001",
    )
    try:
        signer.health()
        root = messages.build([parcel().inventory, parcel(2).inventory], transfer=TRANSFER)
        xmldsig.sign(root, signer)
        schema.validate(root)
        assert xmldsig.verify(root).key_name == "HSM-0001"
    finally:
        signer.close()


def test_pkcs11_wrong_pin_is_unavailable(softhsm):
    signer = Pkcs11Signer(
        SOFTHSM,
        token_label="silkway",
        key_label="ceb",
        pin="0000",
        algorithm=SignatureAlgorithm.RSA_SHA1,
        certificate_der=softhsm,
        key_name="HSM-0001",
    )
    with pytest.raises(SignerUnavailable):
        signer.sign(b"data")


def test_pkcs11_sm2_needs_a_vendor_mechanism(softhsm):
    with pytest.raises(ValueError, match="vendor mechanism"):
        Pkcs11Signer(
            SOFTHSM,
            token_label="silkway",
            key_label="ceb",
            pin="1234",
            algorithm=SignatureAlgorithm.SM2_SM3,
            certificate_der=softhsm,
            key_name="x",
        )
