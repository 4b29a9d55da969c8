"""Benchmark of customs message signing and sealing, side by side with a trivial baseline.

    .venv/bin/python bench/bench_customs_signing.py

Rows, best of N repeats (time.perf_counter, one core):

- ``baseline``: serialising a built 100-document CEB621 message (``etree.tostring``): the
  least any send path does per message, the yardstick the ratios are taken against;
- ``sign value <alg>``: one signature over a canonical SignedInfo (what a USB key does), per
  algorithm; messages/s, and documents/s when each message carries 100 documents;
- ``build+sign <alg> x1 / x100``: building a message of 1 and of 100 lists (with the spec's
  rules) and its enveloped signature (canonicalise, digest, sign), documents/s;
- ``seal <alg> x100``: the whole send path per 100 lists (build with the spec's rules, sign,
  XSD-validate, DXP envelope and its validation), documents/s.

Prints a table, then one JSON summary line; exits 1 when sealing with SM2 falls below 400
documents per second (the issue's end-to-end target, which the send path must leave room for).
"""

from __future__ import annotations

import json
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lxml import etree  # noqa: E402

from customs.ceb import messages  # noqa: E402
from customs.gateway.sealing import Route, seal  # noqa: E402
from customs.signing import keys, xmldsig  # noqa: E402
from customs.signing.algorithms import SignatureAlgorithm  # noqa: E402
from customs.signing.signers import SoftwareSigner  # noqa: E402
from tests.customs.docking.documents import TRANSFER, parcel  # noqa: E402

TARGET_SEAL_DOCS_PER_SECOND = 400
REPEATS = 5
BATCH = 100


def best(fn: Callable[[], object], runs: int) -> float:
    """Best seconds per call of ``fn`` over REPEATS rounds of ``runs`` calls."""
    fn()
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        for _ in range(runs):
            fn()
        times.append((time.perf_counter() - start) / runs)
    return min(times)


def main() -> int:
    lists = [parcel(n).inventory for n in range(1, BATCH + 1)]
    built = messages.build(lists, transfer=TRANSFER)
    route = Route(sender_id=TRANSFER.dxp_id)
    baseline = best(lambda: etree.tostring(built), 200)
    rows = [("baseline (serialise 100 lists)", 1 / baseline, BATCH / baseline)]
    summary: dict = {"baseline_docs_per_s": round(BATCH / baseline)}
    for algorithm in SignatureAlgorithm:
        key = keys.generate_key(algorithm)
        signer = SoftwareSigner(
            key,
            certificate_der=keys.self_signed_certificate(key, common_name="bench"),
            key_name="bench",
        )
        info = xmldsig.canonical(xmldsig.signed_info_element(algorithm, b"\0" * 32))
        per_sign = best(lambda signer=signer, info=info: signer.sign(info), 200)
        rows.append((f"sign value {algorithm}", 1 / per_sign, BATCH / per_sign))

        def sign_one(signer=signer):
            xmldsig.sign(messages.build(lists[:1], transfer=TRANSFER), signer)

        def sign_batch(signer=signer):
            xmldsig.sign(messages.build(lists, transfer=TRANSFER), signer)

        one = best(sign_one, 100)
        batch = best(sign_batch, 5)
        rows.append((f"build+sign {algorithm} x1", 1 / one, 1 / one))
        rows.append((f"build+sign {algorithm} x100", 1 / batch, BATCH / batch))
        sealed = best(
            lambda signer=signer: seal(lists, signer=signer, route=route, transfer=TRANSFER), 5
        )
        rows.append((f"seal {algorithm} x100", 1 / sealed, BATCH / sealed))
        summary[algorithm.value] = {
            "signatures_per_s": round(1 / per_sign),
            "sign_docs_per_s_batched": round(BATCH / per_sign),
            "build_sign_docs_per_s_x1": round(1 / one),
            "build_sign_docs_per_s_x100": round(BATCH / batch),
            "seal_docs_per_s_x100": round(BATCH / sealed),
            "seal_vs_baseline": round(baseline / (sealed / BATCH) / BATCH, 4),
        }
    print(
        f"customs signing on {platform.python_implementation()} {platform.python_version()}, "
        f"best of {REPEATS}; documents are CEB621 lists, {BATCH} per batched message"
    )
    print(f"{'case':<34}{'messages/s':>12}{'documents/s':>13}{'vs baseline':>13}")
    base_docs = BATCH / baseline
    for name, per_message, per_doc in rows:
        print(f"{name:<34}{per_message:>12,.1f}{per_doc:>13,.0f}{per_doc / base_docs:>13.4f}")
    sm2 = summary[SignatureAlgorithm.SM2_SM3.value]["seal_docs_per_s_x100"]
    summary["target_seal_docs_per_s"] = TARGET_SEAL_DOCS_PER_SECOND
    summary["met"] = sm2 >= TARGET_SEAL_DOCS_PER_SECOND
    print(json.dumps(summary))
    return 0 if summary["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
