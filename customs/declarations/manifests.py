"""Arrival manifests (CEB711) of consolidated direct-mail consignments, on the one send path
(docs/CUSTOMS.md, "Arrival manifests (CEB711)").

A manifest belongs to no order: fulfilment, which holds the consignments, builds it
(``logistics.fulfilment.services.consolidation.consignment_manifest``) when the operator
closes the consignment and writes it, unsigned, on the outbox as ``declarations.manifest``
(the two apps do not import each other: the message is the seam). ``manifest_declare``
stores it as a ``manifest`` document with the platform's customs profile instead of an order
declaration and puts it on ``declarations.send``: the same batching, signing key lock, XSD
validation, transport and retries as every document. Its CEB712 receipts move it like any
document's (never backwards); once customs has entered it (120) ``fulfilment.manifest_entered``
goes back on the outbox with the entry number, and fulfilment marks the consignment arrived.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from customs.ceb import codes, messages
from customs.ceb import types as t
from customs.profiles.services import profile_for
from marketplace.outbox import outbox_enqueue, outbox_handler

from . import documents as stored
from .lock_objects import lock_document
from .models import Declaration
from .services import _enqueue_send, _state_after

MANIFEST = "declarations.manifest"
MANIFEST_ENTERED = "fulfilment.manifest_entered"
Kind, State = Declaration.Kind, Declaration.State


def manifest_declare(*, manifest: str) -> Declaration:
    """Store the unsigned CEB711 ``manifest`` (XML text) and enqueue it; idempotent by copNo."""
    doc = stored.load(manifest.encode())
    if not isinstance(doc, t.ManifestDoc):
        raise ValueError("not an arrival manifest")
    kind, key = messages.document_key(doc)
    existing = Declaration.objects.filter(kind=kind, doc_key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            row = Declaration.objects.create(
                profile=profile_for(None),
                kind=Kind.MANIFEST,
                doc_key=key,
                guid=doc.guid,
                document=manifest.encode(),
            )
            _enqueue_send(row)
    except IntegrityError:  # two deliveries of the message at once: the first one stored it
        return Declaration.objects.get(kind=kind, doc_key=key)
    return row


@outbox_handler(MANIFEST, queue="customs")
def declare_manifest(payload: dict) -> int:
    return manifest_declare(manifest=payload["manifest"]).pk


def manifest_receipt_apply(found: Declaration, doc) -> tuple[bool, str, list[Declaration]]:
    """A CEB712 about a manifest: move it forward only, and tell fulfilment when entered."""
    code = doc.return_status
    with transaction.atomic():
        row = lock_document(found.pk)
        if not codes.moves_forward(row.return_status or None, code):
            return (
                False,
                f"manifest {row.doc_key}: {code} after {row.return_status}, ignored",
                [row],
            )
        before = row.state
        row.return_status, row.return_info = code, doc.return_info or ""
        row.return_time = doc.return_time
        if row.state not in {State.STOPPED, State.DEAD}:
            row.state = _state_after(row, code)
        row.save(
            update_fields=["return_status", "return_info", "return_time", "state", "updated_at"]
        )
        if row.state == State.DONE and before != State.DONE:
            outbox_enqueue(
                kind=MANIFEST_ENTERED,
                payload={"cop_no": row.doc_key, "rkd_no": getattr(doc, "rkd_no", None) or ""},
                key=f"manifest-entered:{row.doc_key}",
            )
    return True, f"manifest {row.doc_key}: {code}", [row]
