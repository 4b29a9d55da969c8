"""The simulator's checks on customs returns (CEB625), against the real process: a return
more than 30 days after the list's release is refused (-625210, with the release date), and
several returns of one list never take back more units of a line than it listed (-625211)."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import replace
from decimal import Decimal as D

from customs.ceb import messages
from customs.ceb import types as t
from customs.gateway.sealing import seal

from .conftest import wait_for
from .documents import TRANSFER, parcel
from .receipts import collect
from .test_gateway import declare, http, released
from .test_messages import refund


def _released_list(simulator, signer, route, n: int):
    transport = http(simulator)
    p = parcel(n)  # one line of 2 units
    declare(transport, [p], signer, route)
    wait_for(lambda: simulator.documents("waybill"))
    declare(transport, [p], signer, route, kinds=("inventory",))
    receipts = collect(transport, until=lambda r: released(r, [p]))
    return transport, next(d.invt_no for c, d in receipts if c == "622" and d.invt_no)


def _return(transport, signer, route, doc) -> t.ReturnReceipt:
    for message in seal([doc], signer=signer, route=route, transfer=TRANSFER):
        transport.send(message)

    def answered(got):
        return any(
            c == "626"
            and d.cop_no == doc.cop_no
            and (d.return_status == "399" or d.return_status.startswith("-"))
            for c, d in got
        )

    got = collect(transport, until=answered)
    return [d for c, d in got if c == "626" and d.cop_no == doc.cop_no][-1]


def _units(doc, qty: int, cop_no: str):
    line = replace(doc.lines[0], qty=D(qty))
    return replace(doc, cop_no=cop_no, guid=messages.new_guid(), lines=(line,))


def test_returns_of_one_list_never_take_back_more_than_it_listed(simulator, sm2_signer, route):
    transport, invt_no = _released_list(simulator, sm2_signer, route, 610)
    base = replace(refund(610), invt_no=invt_no)
    first = _return(transport, sm2_signer, route, _units(base, 1, "SWR6100000001"))
    assert first.return_status == "399"
    # 1 of the 2 listed units is back: 2 more are refused, with the figures
    over = _return(transport, sm2_signer, route, _units(base, 2, "SWR6100000002"))
    assert over.return_status == "-625211"
    assert "[2]" in over.return_info and "[1]" in over.return_info
    last = _return(transport, sm2_signer, route, _units(base, 1, "SWR6100000003"))
    assert last.return_status == "399"
    again = _return(transport, sm2_signer, route, _units(base, 1, "SWR6100000004"))
    assert again.return_status == "-625211"


def test_a_return_more_than_30_days_after_release_is_refused(simulator, sm2_signer, route):
    transport, invt_no = _released_list(simulator, sm2_signer, route, 620)
    # the list was released 31 days ago, by the simulator's own records
    db = sqlite3.connect(simulator.state_dir / "state.sqlite3")
    (key, extra), *_ = db.execute(
        "SELECT key, extra FROM documents WHERE kind = 'inventory'"
    ).fetchall()
    extra = {**json.loads(extra), "released_at": time.time() - 31 * 86400}
    db.execute("UPDATE documents SET extra = ? WHERE key = ?", (json.dumps(extra), key))
    db.commit()
    db.close()
    late = _return(transport, sm2_signer, route, replace(refund(620), invt_no=invt_no))
    assert late.return_status == "-625210"
    assert "30" in late.return_info and "放行" in late.return_info
