"""What the simulated customs does with a message: check it, judge it, answer it later.

For each envelope: DXP envelope against its XSD (a transport error if not), seen-before check
by CopMsgId (a resent envelope is processed once), business message against the import XSD
(CEB900 if not), signature (CEB900 -1001, or the list's own "验签失败" code), then each
document: duplicates, three-document matching (``customs.ceb.matching``, the same function the
platform runs before sending), the single and yearly limits and the taxes (the duty engine's
``quote`` over the shipped rate tables: the rules are the engine's, the figures are computed
here from the list alone, independently of the platform's). Receipts are scheduled with
delays, so they arrive asynchronously and in status order, unless faults say otherwise.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal

from lxml import etree

from customs.ceb import codes, dxp, matching, messages, rules, schema
from customs.ceb import types as t
from customs.ceb.codec import CHINA_TIME, CebFormatError
from customs.engine import LineItem, QuoteRequest, TaxKind, load_ratebook, quote
from customs.gateway import records
from customs.gateway.sealing import Route, seal_receipts, seal_record_answers
from customs.signing import xmldsig
from customs.signing.algorithms import SignatureInvalid

from .state import State, now

RETURN_DAYS = 30  # a released list's goods may be declared back (CEB625) this long after
SIMULATOR_ID = dxp.IMPORT_RECEIVER  # the simulator answers as the customs import system


@dataclass
class Faults:
    """Faults injected on demand (POST /_faults, or command-line flags).

    Rates are probabilities per request or per receipt message. ``reorder_ms`` delivers each
    receipt with a random extra delay of up to that many milliseconds, so later statuses can
    overtake earlier ones.
    """

    latency_ms: int = 0
    http_500_rate: float = 0.0
    drop_rate: float = 0.0  # HTTP: close the connection without answering, before processing
    timeout_rate: float = 0.0  # HTTP: process, then answer only after timeout_s
    timeout_s: float = 15.0
    duplicate_rate: float = 0.0  # deliver a receipt message twice
    reorder_ms: int = 0
    inspection_rate: float = 0.0  # lists that go through 500 (inspection) before release

    def update(self, values: dict) -> Faults:
        known = {k: type(getattr(self, k))(v) for k, v in values.items() if hasattr(self, k)}
        return replace(self, **known)


@dataclass
class Timing:
    """Seconds between the statuses of a document's receipts."""

    step: float = 1.0


@dataclass
class Outcome:
    """The synchronous answer to an envelope (the transport's reply)."""

    code: str  # 0000 accepted; 0001/0002 format; 2001 unknown receiver
    message: str
    cop_msg_id: str = ""
    duplicate: bool = False


@dataclass
class _Batch:
    """Receipts decided while handling one message, delivered later in one go per step."""

    steps: dict[tuple[str, int], list] = field(default_factory=dict)

    def add(self, code: str, step: int, receipt) -> None:
        self.steps.setdefault((code, step), []).append(receipt)


class CustomsOffice:
    """The simulated customs import system (e-port + customs) behind the gateway."""

    def __init__(
        self,
        state: State,
        *,
        timing: Timing | None = None,
        seed: int | None = None,
        require_registered: bool = False,
    ):
        self.state = state
        # Customs trusts the certificates registered for a company; without registrations the
        # simulator accepts the certificate a message carries, unless told to require them.
        self.require_registered = require_registered
        self.timing = timing or Timing()
        self.faults = Faults()
        self.random = random.Random(seed)  # noqa: S311 - fault injection, not security
        self.ratebook = load_ratebook()

    # ---------------------------------------------------------------- envelopes ---------

    def receive(self, envelope: bytes, *, via: str) -> Outcome:
        """Handle one DXP envelope that arrived over ``via`` ("http" or "amqp")."""
        try:
            env = dxp.unwrap(envelope)
        except (CebFormatError, schema.SchemaError) as exc:
            return Outcome("0002", f"数据包不能通过schema验证: {exc}"[:300])
        info = env.info
        if SIMULATOR_ID not in info.receiver_ids:
            return Outcome("2001", "指定的接收方不存在", info.cop_msg_id)
        with self.state.transaction() as db:
            seen = db.execute(
                "SELECT 1 FROM envelopes WHERE cop_msg_id = ?", (info.cop_msg_id,)
            ).fetchone()
            if seen:
                return Outcome("0000", "重复报文，已忽略", info.cop_msg_id, duplicate=True)
            db.execute(
                "INSERT INTO envelopes VALUES (?, ?, ?, ?)",
                (info.cop_msg_id, info.sender_id, info.msg_type, now()),
            )
        self._process(env, via)
        return Outcome("0000", "接收成功", info.cop_msg_id)

    def _process(self, env: dxp.Envelope, via: str) -> None:
        info = env.info
        if info.msg_type == records.REQUEST_TYPE:
            self._process_records(env, via)
            return
        try:
            root = schema.parse_xml(env.data)
        except etree.XMLSyntaxError as exc:
            self._format_failure(info, via, "Unknown", env.data, f"报文格式错误：{exc}")
            return
        try:
            mtype = messages.message_type_of(root)
        except CebFormatError:
            self._format_failure(info, via, "Unknown", env.data, "无法识别的报文类型")
            return
        if not mtype.request:
            self._format_failure(info, via, mtype.root, env.data, "不接受回执类报文")
            return
        try:
            schema.validate(root)
        except schema.SchemaError as exc:
            detail = "; ".join(exc.errors[:3])
            self._format_failure(
                info, via, mtype.root, env.data, f"数据包不能通过schema验证：{detail}"
            )
            return
        parsed = messages.parse(root)
        try:
            self._verify(root)
        except SignatureInvalid as exc:
            if mtype.code in ("621", "623", "625"):
                self._refuse_all(parsed, info, via, codes_for_signature[mtype.code], str(exc))
            else:
                self._format_failure(
                    info, via, mtype.root, env.data, f"数字签名无效：{exc}", "-1001"
                )
            return
        batch = _Batch()
        handler = getattr(self, f"_handle_{mtype.code}")
        receipt_code = messages.RECEIPT_OF[mtype.code]
        for doc in parsed.documents:
            violations = rules.RULES[type(doc)](doc)
            if violations:
                text = "参数校验不通过：" + "；".join(f"{f} {r}" for f, r in violations)
                batch.add(
                    receipt_code,
                    0,
                    self._receipt(doc, "100", text[:1000], pre_no=self._pre_no(doc)),
                )
                continue
            handler(doc, info.sender_id, via, batch)
        self._schedule(batch, info.sender_id, via)

    def _verify(self, root) -> None:
        """Verify the signature, against the registered certificate for its KeyName if any."""
        parts = xmldsig.read_signature(root)
        rows = self.state.query("SELECT der FROM certificates WHERE cert_no = ?", (parts.key_name,))
        if rows:
            xmldsig.verify(root, certificate_der=bytes(rows[0][0]))
        elif self.require_registered:
            raise SignatureInvalid(f"certificate {parts.key_name} is not registered")
        else:
            xmldsig.verify(root)

    # ---------------------------------------------------------- product records --------

    def _process_records(self, env: dxp.Envelope, via: str) -> None:
        """Silkway's SWR101 product-record request (not a CEB message): schema, signature,
        then per record: 2 (申报成功), 120 (海关入库), then 800 recorded with a record number,
        or 100 rejected with customs' reason. The rules are deterministic: the HS code must
        be a full 10-digit code, the Chinese goods name (gname) must be given."""
        info = env.info
        try:
            _, requests = records.parse(env.data)
            root = schema.parse_xml(env.data)
            self._verify(root)
        except (CebFormatError, schema.SchemaError) as exc:
            self._format_failure(
                info, via, records.REQUEST_TYPE, env.data, f"数据包不能通过schema验证：{exc}"
            )
            return
        except SignatureInvalid as exc:
            self._format_failure(
                info, via, records.REQUEST_TYPE, env.data, f"数字签名无效：{exc}", "-1001"
            )
            return
        batch = _Batch()
        for request in requests:
            key = request.guid
            if not self._store_record(key, request, info.sender_id, via):
                continue  # the same submission sent again: its answers are on their way
            batch.add("SWR102", 1, self._record_answer(request, records.ACCEPTED, "申报成功"))
            batch.add("SWR102", 2, self._record_answer(request, records.ENTERED, "海关入库"))
            problem = self._record_problem(request)
            if problem:
                self._set_status("record", key, records.REJECTED, reason=problem)
                batch.add("SWR102", 3, self._record_answer(request, records.REJECTED, problem))
                continue
            serial = self.state.next_number("item_record_no")
            number = f"{request.customs_code}{datetime.now(CHINA_TIME):%Y}R{serial:09d}"
            self._set_status("record", key, records.RECORDED, item_record_no=number)
            batch.add(
                "SWR102",
                3,
                self._record_answer(request, records.RECORDED, "备案通过", item_record_no=number),
            )
        self._schedule(batch, info.sender_id, via, sealer=seal_record_answers)

    def _store_record(self, key: str, request, sender: str, via: str) -> bool:
        with self.state.transaction() as db:
            if db.execute(
                "SELECT 1 FROM documents WHERE kind = 'record' AND key = ?", (key,)
            ).fetchone():
                return False
            extra = {"ebc": request.ebc_code, "cop_g_no": request.cop_g_no, "gcode": request.gcode}
            db.execute(
                "INSERT INTO documents (kind, key, status, xml, accepted, updated, sender, via, "
                "extra) VALUES ('record', ?, ?, ?, 1, ?, ?, ?, ?)",
                (key, records.ACCEPTED, b"", now(), sender, via, json.dumps(extra)),
            )
        return True

    @staticmethod
    def _record_problem(request) -> str:
        """Customs' reason to refuse a record, or "" (deterministic, for tests and the demo)."""
        code = request.gcode
        if len(code) != 10 or not all("0" <= c <= "9" for c in code):
            return f"商品编码[{code}]不是10位海关商品编码，请按《进出口税则》填报完整编码"
        if not request.gname.strip():
            return f"商品[{request.cop_g_no}]的中文品名(gname)为空，不予备案"
        return ""

    @staticmethod
    def _record_answer(request, status: str, info: str, *, item_record_no: str = ""):
        return records.RecordAnswer(
            guid=messages.new_guid(),
            ori_guid=request.guid,
            ebc_code=request.ebc_code,
            cop_g_no=request.cop_g_no,
            return_status=status,
            return_time=datetime.now(UTC),
            return_info=info,
            item_record_no=item_record_no,
        )

    # --------------------------------------------------------------- receipts -----------

    def _schedule(self, batch: _Batch, receiver: str, via: str, sealer=seal_receipts) -> None:
        route = Route(sender_id=SIMULATOR_ID, receiver_id=receiver)
        rows = []
        start = now()
        for (_, step), receipts in sorted(batch.steps.items(), key=lambda kv: kv[0][1]):
            for sealed in sealer(receipts, route=route):
                due = start + step * self.timing.step
                copies = 2 if self.random.random() < self.faults.duplicate_rate else 1
                for _ in range(copies):
                    jitter = self.random.uniform(0, self.faults.reorder_ms / 1000.0)
                    rows.append((receiver, via, due + jitter, sealed.envelope, sealed.message_type))
        if rows:
            with self.state.transaction() as db:
                db.executemany(
                    "INSERT INTO outbox (receiver, via, due, envelope, msg_type) "
                    "VALUES (?, ?, ?, ?, ?)",
                    rows,
                )

    def _format_failure(
        self,
        info: dxp.TransInfo,
        via: str,
        ori_type: str,
        data: bytes,
        text: str,
        status: str = "-1",
    ) -> None:
        failure = t.FormatFailure(
            guid=messages.new_guid(),
            return_status=status,
            return_info=text[:5000],
            return_time=datetime.now(UTC),
            ori_cop_msg_id=info.cop_msg_id,
            ori_message_type=ori_type[:15],
            ori_biz_message=data.decode("utf-8", "replace").replace("]]>", "]]&gt;"),
        )
        batch = _Batch()
        batch.add("900", 0, failure)
        self._schedule(batch, info.sender_id, via)

    def _refuse_all(self, parsed, info, via, code: str, detail: str) -> None:
        batch = _Batch()
        for doc in parsed.documents:
            batch.add(
                messages.RECEIPT_OF[parsed.type.code],
                0,
                self._receipt(doc, code, codes.ERRORS[code][0], pre_no=self._pre_no(doc)),
            )
        self._schedule(batch, info.sender_id, via)

    def _receipt(self, doc, status: str, info: str, *, pre_no: str = "", invt_no=None):
        """The receipt customs sends about ``doc``: its key fields, status, time and text."""
        common = {
            "guid": messages.new_guid(),
            "return_status": status,
            "return_time": datetime.now(UTC),
            "return_info": info,
        }
        cls, key_fields = _RECEIPTS[type(doc)]
        keys = key_fields(doc)
        if cls in (t.InventoryReceipt, t.CancelReceipt, t.ReturnReceipt):
            keys |= {"pre_no": pre_no, "invt_no": invt_no}
        return cls(**common, **keys)

    def _pre_no(self, doc) -> str:
        """The e-port's number for a list-like document: 18 characters, never repeating."""
        number = self.state.next_number("pre_no")
        return f"B{datetime.now(CHINA_TIME):%Y%m%d}{number:09d}"

    # ------------------------------------------------------------- documents ------------

    def _store(
        self,
        kind: str,
        key: str,
        doc,
        status: str,
        sender: str,
        via: str,
        extra: dict | None = None,
    ) -> bool:
        """Record a new document; False if one with this key exists (a duplicate)."""
        element = self._element_of(doc)
        with self.state.transaction() as db:
            row = db.execute(
                "SELECT accepted FROM documents WHERE kind = ? AND key = ?", (kind, key)
            ).fetchone()
            if row:
                return False
            db.execute(
                "INSERT INTO documents (kind, key, status, xml, accepted, updated, sender, via, "
                "extra) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)",
                (kind, key, status, element, now(), sender, via, json.dumps(extra or {})),
            )
        return True

    def _forget(self, kind: str, key: str) -> None:
        with self.state.transaction() as db:
            db.execute("DELETE FROM documents WHERE kind = ? AND key = ?", (kind, key))

    def _set_status(self, kind: str, key: str, status: str, **extra) -> None:
        with self.state.transaction() as db:
            row = db.execute(
                "SELECT extra FROM documents WHERE kind = ? AND key = ?", (kind, key)
            ).fetchone()
            merged = {**json.loads(row[0] if row else "{}"), **extra}
            db.execute(
                "UPDATE documents SET status = ?, updated = ?, extra = ? WHERE kind = ? AND key = ?",
                (status, now(), json.dumps(merged), kind, key),
            )

    @staticmethod
    def _element_of(doc) -> bytes:
        messages.BY_DOC[type(doc)]
        transfer = t.Transfer(cop_code="SIM", cop_name="SIM", dxp_id=SIMULATOR_ID)
        return messages.to_bytes(messages.build([doc], transfer=transfer))

    def document(self, kind: str, key: str):
        """A stored document (parsed back) and its status and extras, or None."""
        rows = self.state.query(
            "SELECT xml, status, extra FROM documents WHERE kind = ? AND key = ?", (kind, key)
        )
        if not rows:
            return None
        xml, status, extra = rows[0]
        return messages.parse(bytes(xml)).documents[0], status, json.loads(extra)

    def _progress(self, batch: _Batch, code: str, doc, statuses, **kwargs) -> None:
        for step, (status, text) in enumerate(statuses, start=1):
            batch.add(code, step, self._receipt(doc, status, text, **kwargs))

    def _handle_311(self, doc: t.OrderDoc, sender: str, via: str, batch: _Batch) -> None:
        kind, key = messages.document_key(doc)
        if not self._store(kind, key, doc, "120", sender, via):
            batch.add("312", 0, self._receipt(doc, "-301010", codes.error_text("-301010")))
            return
        self._progress(batch, "312", doc, [("2", f"新增申报成功[{doc.guid}]"), ("120", "海关入库")])

    def _handle_411(self, doc: t.PaymentDoc, sender: str, via: str, batch: _Batch) -> None:
        kind, key = messages.document_key(doc)
        if not self._store(
            kind, key, doc, "120", sender, via, {"order_no": doc.order_no, "ebp": doc.ebp.code}
        ):
            batch.add("412", 0, self._receipt(doc, "-401007", codes.error_text("-401007")))
            return
        self._progress(batch, "412", doc, [("2", f"新增申报成功[{doc.guid}]"), ("120", "海关入库")])

    def _handle_511(self, doc: t.WaybillDoc, sender: str, via: str, batch: _Batch) -> None:
        kind, key = messages.document_key(doc)
        if not self._store(kind, key, doc, "120", sender, via, {"order_no": doc.order_no}):
            batch.add("512", 0, self._receipt(doc, "-504015", codes.error_text("-504015")))
            return
        self._progress(batch, "512", doc, [("2", f"新增申报成功[{doc.guid}]"), ("120", "海关入库")])

    def _handle_513(self, doc: t.DeliveryDoc, sender: str, via: str, batch: _Batch) -> None:
        kind, key = messages.document_key(doc)
        if not self._store(kind, key, doc, "120", sender, via):
            batch.add("514", 0, self._receipt(doc, "-505012", codes.error_text("-505012")))
            return
        self._progress(batch, "514", doc, [("2", "申报成功"), ("120", "海关入库")])

    def _handle_711(self, doc: t.ManifestDoc, sender: str, via: str, batch: _Batch) -> None:
        """An arrival manifest: entered (120) with customs' entry number; a copy is ignored."""
        kind, key = messages.document_key(doc)
        if not self._store(kind, key, doc, "120", sender, via):
            return
        rkd_no = f"R{datetime.now(CHINA_TIME):%Y%m%d}{self.state.next_number('rkd_no'):09d}"
        self._progress(batch, "712", doc, [("2", "申报成功"), ("120", f"海关入库[{rkd_no}]")])

    def _find_payment(self, doc: t.InventoryDoc) -> t.PaymentDoc | None:
        rows = self.state.query(
            "SELECT key FROM documents WHERE kind = 'payment' AND "
            "json_extract(extra, '$.order_no') = ? AND json_extract(extra, '$.ebp') = ?",
            (doc.order_no, doc.ebp.code),
        )
        found = self.document("payment", rows[0][0]) if rows else None
        return found[0] if found else None

    def _handle_621(self, doc: t.InventoryDoc, sender: str, via: str, batch: _Batch) -> None:
        pre_no = self._pre_no(doc)
        existing = self.document("inventory", doc.cop_no)
        if existing is not None and _refused(existing[1]):
            # A refused list may be corrected and declared again under the same copNo.
            self._forget("inventory", doc.cop_no)
            existing = None
        if existing is not None:
            text = codes.error_text("-621004", cop_no=doc.cop_no)
            batch.add("622", 0, self._receipt(doc, "-621004", text, pre_no=existing[2]["pre_no"]))
            return
        order = self.document("order", f"{doc.ebp.code}/{doc.ebc.code}/{doc.order_no}")
        payment = self._find_payment(doc)
        waybill = self.document("waybill", f"{doc.logistics.code}/{doc.logistics_no}")
        missing = [
            name
            for name, found in (("订单", order), ("支付单", payment), ("运单", waybill))
            if found is None
        ]
        if missing:
            detail = "未找到对应的" + "、".join(missing)
            batch.add(
                "622",
                0,
                self._receipt(
                    doc, "-621003", codes.error_text("-621003", detail=detail), pre_no=pre_no
                ),
            )
            return
        mismatches = matching.match_documents(order[0], payment, waybill[0], doc)
        if mismatches:
            self._store("inventory", doc.cop_no, doc, "100", sender, via, {"pre_no": pre_no})
            text = "三单比对不通过：" + "；".join(m.zh_hans for m in mismatches)
            batch.add("622", 1, self._receipt(doc, "100", text[:1000], pre_no=pre_no))
            return
        assessed = self._assess(doc)
        if isinstance(assessed, tuple):
            code, text = assessed
            self._store("inventory", doc.cop_no, doc, code, sender, via, {"pre_no": pre_no})
            batch.add("622", 1, self._receipt(doc, code, text[:1000], pre_no=pre_no))
            return
        invt_no = self._invt_no(doc)
        self._store(
            "inventory",
            doc.cop_no,
            doc,
            "800",
            sender,
            via,
            {
                "pre_no": pre_no,
                "invt_no": invt_no,
                "value": str(assessed.dutiable_value),
                "buyer": doc.buyer_id_number,
                "year": doc.decl_time.year,
                "released_at": now(),  # the simulator's clock: the return window starts
            },
        )
        self._add_to_year(doc.buyer_id_number, doc.decl_time.year, assessed.dutiable_value)
        statuses = [("2", "申报成功"), ("120", "海关入库"), ("399", "海关审结")]
        if self.random.random() < self.faults.inspection_rate:
            statuses.append(("500", "查验"))
        statuses.append(("800", "放行"))
        for step, (status, text) in enumerate(statuses, start=1):
            batch.add(
                "622",
                step,
                self._receipt(
                    doc, status, text, pre_no=pre_no, invt_no=invt_no if step >= 3 else None
                ),
            )
        batch.add("816", 3, self._tax_bill(doc, assessed, invt_no))

    def _invt_no(self, doc: t.InventoryDoc) -> str:
        """4-digit customs office + 4-digit year + I + 9-digit serial (18 characters)."""
        serial = self.state.next_number("invt_no")
        return f"{doc.customs_code}{doc.decl_time.year}I{serial:09d}"

    def _year_total(self, id_number: str, year: int) -> Decimal:
        rows = self.state.query(
            "SELECT total FROM buyers WHERE id_number = ? AND year = ?", (id_number, year)
        )
        return Decimal(rows[0][0]) if rows else Decimal("0.00")

    def _add_to_year(self, id_number: str, year: int, amount: Decimal) -> None:
        with self.state.transaction() as db:
            row = db.execute(
                "SELECT total FROM buyers WHERE id_number = ? AND year = ?", (id_number, year)
            ).fetchone()
            total = (Decimal(row[0]) if row else Decimal(0)) + amount
            db.execute(
                "INSERT OR REPLACE INTO buyers VALUES (?, ?, ?)",
                (id_number, year, str(max(total, Decimal(0)))),
            )

    def _assess(self, doc: t.InventoryDoc):
        """The engine's quote for the list, or (code, text) when a limit refuses it."""
        lines = []
        for line in doc.lines:
            whole = line.qty == line.qty.to_integral_value() and line.qty >= 1
            lines.append(
                LineItem(
                    sku=line.item_no or str(line.gnum),
                    hs_code=line.gcode,
                    quantity=int(line.qty) if whole else 1,
                    unit_price=line.price if whole else line.total_price,
                    currency="CNY",
                    has_product_record=bool(line.item_record_no)
                    or doc.trade_mode is t.TradeMode.DIRECT,
                )
            )
        mode = doc.trade_mode.mode
        used = self._year_total(doc.buyer_id_number, doc.decl_time.year)
        request = QuoteRequest(
            destination="CN",
            mode=mode,
            order_date=doc.decl_time,
            currency="CNY",
            lines=tuple(lines),
            freight=doc.freight,
            insurance=doc.insured_fee,
            buyer_year_to_date=used,
        )
        result = quote(request, self.ratebook)
        for message in result.blocking:
            if message.code == "cbec_transaction_limit":
                return "-621005", codes.error_text(
                    "-621005", cop_no=doc.cop_no, limit=message.params["limit"]
                )
            if message.code == "cbec_yearly_limit":
                return "-621018", codes.error_text(
                    "-621018",
                    cop_no=doc.cop_no,
                    buyer=doc.buyer_name,
                    used=f"{used:,.2f}",
                    limit=message.params["limit"],
                )
        if result.blocking:
            return "100", "；".join(m.zh_hans for m in result.blocking)
        return result

    def _tax_bill(self, doc: t.InventoryDoc, result, invt_no: str) -> t.TaxBill:
        lines = []
        totals = {
            TaxKind.DUTY: Decimal(0),
            TaxKind.VAT: Decimal(0),
            TaxKind.CONSUMPTION_TAX: Decimal(0),
        }
        for invt_line, line in zip(doc.lines, result.lines, strict=True):
            amounts = {
                TaxKind.DUTY: Decimal("0.00"),
                TaxKind.VAT: Decimal("0.00"),
                TaxKind.CONSUMPTION_TAX: Decimal("0.00"),
            }
            for tax in line.taxes:
                if tax.kind in amounts:
                    amounts[tax.kind] += tax.due
            for kind, amount in amounts.items():
                totals[kind] += amount
            lines.append(
                t.TaxBillLine(
                    gnum=invt_line.gnum,
                    gcode=invt_line.gcode,
                    tax_price=line.dutiable_value,
                    customs_tax=amounts[TaxKind.DUTY],
                    value_added_tax=amounts[TaxKind.VAT],
                    consumption_tax=amounts[TaxKind.CONSUMPTION_TAX],
                )
            )
        return t.TaxBill(
            guid=messages.new_guid(),
            return_time=datetime.now(UTC),
            invt_no=invt_no,
            tax_no=f"{invt_no}01",
            customs_tax=totals[TaxKind.DUTY],
            value_added_tax=totals[TaxKind.VAT],
            consumption_tax=totals[TaxKind.CONSUMPTION_TAX],
            status="1",
            assure_code=doc.assure_code[:64],
            ebc_code=doc.ebc.code,
            logistics_code=doc.logistics.code,
            agent_code=doc.agent.code,
            customs_code=doc.customs_code,
            lines=tuple(lines),
        )

    def _released_list(self, invt_no: str):
        rows = self.state.query(
            "SELECT key FROM documents WHERE kind = 'inventory' AND "
            "json_extract(extra, '$.invt_no') = ?",
            (invt_no,),
        )
        return self.document("inventory", rows[0][0]) if rows else None

    def _returned_units(self, invt_no: str, *, but: str) -> dict[int, Decimal]:
        """Units of each line of list ``invt_no`` that its accepted returns (other than
        ``but``, the one being judged) took back."""
        rows = self.state.query(
            "SELECT extra FROM documents WHERE kind = 'return' AND status = '399' AND key != ? "
            "AND json_extract(extra, '$.invt_no') = ?",
            (but, invt_no),
        )
        returned: dict[int, Decimal] = {}
        for (extra,) in rows:
            for gnum, qty in json.loads(extra).get("lines", {}).items():
                returned[int(gnum)] = returned.get(int(gnum), Decimal(0)) + Decimal(qty)
        return returned

    def _handle_623(self, doc: t.CancelDoc, sender: str, via: str, batch: _Batch) -> None:
        pre_no = self._pre_no(doc)
        found = self._released_list(doc.invt_no)
        if found is None:
            batch.add(
                "624",
                0,
                self._receipt(
                    doc, "-623003", codes.error_text("-623003", invt_no=doc.invt_no), pre_no=pre_no
                ),
            )
            return
        invt, status, extra = found
        if status not in ("399", "800") or not self._store(
            "cancel", doc.cop_no, doc, "399", sender, via, {"pre_no": pre_no}
        ):
            batch.add(
                "624",
                0,
                self._receipt(
                    doc, "-623005", codes.error_text("-623005", invt_no=doc.invt_no), pre_no=pre_no
                ),
            )
            return
        self._set_status("inventory", invt.cop_no, "cancelled")
        self._add_to_year(invt.buyer_id_number, invt.decl_time.year, -Decimal(extra["value"]))
        self._progress(
            batch,
            "624",
            doc,
            [("2", "申报成功"), ("120", "海关入库"), ("399", "撤销审结")],
            pre_no=pre_no,
            invt_no=doc.invt_no,
        )

    def _handle_625(self, doc: t.ReturnDoc, sender: str, via: str, batch: _Batch) -> None:
        pre_no = self._pre_no(doc)
        found = self._released_list(doc.invt_no)
        if found is None or found[1] != "800":
            batch.add(
                "626",
                0,
                self._receipt(
                    doc, "-625204", codes.error_text("-625204", invt_no=doc.invt_no), pre_no=pre_no
                ),
            )
            return
        invt, _, extra = found
        released_at = extra.get("released_at")
        if released_at is not None and now() - released_at > RETURN_DAYS * 86400:
            released = datetime.fromtimestamp(released_at, CHINA_TIME).date().isoformat()
            text = codes.error_text(
                "-625210",
                cop_no=doc.cop_no,
                invt_no=doc.invt_no,
                released=released,
                days=RETURN_DAYS,
            )
            batch.add("626", 0, self._receipt(doc, "-625210", text, pre_no=pre_no))
            return
        listed = {line.gnum: line for line in invt.lines}
        returned = self._returned_units(doc.invt_no, but=doc.cop_no)
        for line in doc.lines:
            if line.gnum not in listed:
                batch.add(
                    "626",
                    0,
                    self._receipt(
                        doc,
                        "-625209",
                        codes.error_text("-625209", cop_no=doc.cop_no, gnum=line.gnum),
                        pre_no=pre_no,
                    ),
                )
                return
            already = returned.get(line.gnum, Decimal(0))
            if line.qty > listed[line.gnum].qty - already:
                text = codes.error_text(
                    "-625211",
                    cop_no=doc.cop_no,
                    gnum=line.gnum,
                    qty=line.qty,
                    listed=listed[line.gnum].qty,
                    returned=already,
                )
                batch.add("626", 0, self._receipt(doc, "-625211", text, pre_no=pre_no))
                return
        lines = {str(line.gnum): str(line.qty) for line in doc.lines}
        extra = {"pre_no": pre_no, "invt_no": doc.invt_no, "lines": lines}
        if not self._store("return", doc.cop_no, doc, "399", sender, via, extra):
            batch.add(
                "626", 0, self._receipt(doc, "-625022", "退货申请单已经申报过", pre_no=pre_no)
            )
            return
        value = sum((listed[line.gnum].price * line.qty for line in doc.lines), Decimal(0))
        self._add_to_year(invt.buyer_id_number, invt.decl_time.year, -value)
        self._progress(
            batch,
            "626",
            doc,
            [("2", "申报成功"), ("120", "海关入库"), ("399", "退货审结")],
            pre_no=pre_no,
            invt_no=doc.invt_no,
        )

    # ------------------------------------------------------------- delivery -------------

    def due_receipts(self, *, via: str, receiver: str | None = None, limit: int = 100):
        """Receipts due now and not yet delivered (id, receiver, envelope), oldest first."""
        sql = (
            "SELECT id, receiver, envelope FROM outbox WHERE delivered = 0 AND via = ? AND due <= ?"
        )
        params: tuple = (via, now())
        if receiver is not None:
            sql += " AND receiver = ?"
            params += (receiver,)
        return self.state.query(sql + " ORDER BY due LIMIT ?", params + (limit,))

    def mark_delivered(self, ids: list[int], receiver: str | None = None) -> None:
        """Mark receipts delivered (AMQP: published; HTTP: acknowledged by ``receiver``)."""
        with self.state.transaction() as db:
            if receiver is None:
                db.executemany("UPDATE outbox SET delivered = 1 WHERE id = ?", [(i,) for i in ids])
            else:
                db.executemany(
                    "UPDATE outbox SET delivered = 1 WHERE id = ? AND receiver = ?",
                    [(i, receiver) for i in ids],
                )

    def summary(self) -> dict:
        """Documents by kind with status and how often each was accepted (for tests)."""
        docs = self.state.query("SELECT kind, key, status, accepted, extra FROM documents")
        pending = self.state.query("SELECT COUNT(*) FROM outbox WHERE delivered = 0")[0][0]
        return {
            "documents": [
                {"kind": k, "key": key, "status": s, "accepted": a, **json.loads(e)}
                for k, key, s, a, e in docs
            ],
            "pending_receipts": pending,
            "envelopes": self.state.query("SELECT COUNT(*) FROM envelopes")[0][0],
        }


def _list_keys(doc) -> dict:
    return {
        "cop_no": doc.cop_no,
        "ebp_code": doc.ebp.code,
        "ebc_code": doc.ebc.code,
        "agent_code": doc.agent.code,
        "customs_code": doc.customs_code,
    }


# Receipt class per request document, and the request fields the receipt repeats.
_RECEIPTS = {
    t.ManifestDoc: (
        t.ManifestReceipt,
        lambda d: {
            "customs_code": d.customs_code,
            "operator_code": d.operator.code,
            "cop_no": d.cop_no,
        },
    ),
    t.OrderDoc: (
        t.OrderReceipt,
        lambda d: {"ebp_code": d.ebp.code, "ebc_code": d.ebc.code, "order_no": d.order_no},
    ),
    t.PaymentDoc: (
        t.PaymentReceipt,
        lambda d: {"pay_code": d.pay.code, "pay_transaction_id": d.pay_transaction_id},
    ),
    t.WaybillDoc: (
        t.WaybillReceipt,
        lambda d: {"logistics_code": d.logistics.code, "logistics_no": d.logistics_no},
    ),
    t.DeliveryDoc: (
        t.DeliveryReceipt,
        lambda d: {
            "logistics_code": d.logistics.code,
            "logistics_no": d.logistics_no,
            "logistics_status": d.logistics_status,
        },
    ),
    t.InventoryDoc: (t.InventoryReceipt, _list_keys),
    t.CancelDoc: (t.CancelReceipt, _list_keys),
    t.ReturnDoc: (t.ReturnReceipt, _list_keys),
}


def _refused(status: str) -> bool:
    """Whether a stored document was refused (rejected, or a negative processing error)."""
    return status == "100" or status.startswith("-")


codes_for_signature = {"621": "-621029", "623": "-623029", "625": "-625208"}
