"""Receipt status codes and customs' error codes, with what they mean for a document.

``progress(code)`` orders statuses so that a receipt is applied only when it moves a document
forward (receipts arrive late, twice and out of order); rejections and errors are final, and
the "already exists" answers to a resend are recognised as duplicates that change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    """What a receipt status means for the document it names."""

    PROGRESS = "progress"  # accepted, stored, under review, approved, released...
    REJECTED = "rejected"  # 100: customs refused it, returnInfo says why
    FAILED = "failed"  # 4, or a negative processing error
    DUPLICATE = "duplicate"  # "already declared": the answer to a resend; changes nothing
    DETAINED = "detained"  # 501..599
    RETURNED = "returned"  # 700


@dataclass(frozen=True, slots=True)
class Status:
    code: str
    rank: int  # larger moves forward; final outcomes rank above every progress status
    outcome: Outcome
    en: str
    zh_hans: str


_STATUSES = [
    Status("1", 10, Outcome.PROGRESS, "stashed at the e-port", "电子口岸已暂存"),
    Status("2", 20, Outcome.PROGRESS, "accepted by the e-port", "电子口岸申报中"),
    Status("3", 30, Outcome.PROGRESS, "sent to customs", "发送海关成功"),
    Status("120", 40, Outcome.PROGRESS, "stored by customs", "海关入库"),
    Status("300", 50, Outcome.PROGRESS, "manual review", "人工审核"),
    Status("399", 60, Outcome.PROGRESS, "approved", "海关审结"),
    Status("500", 70, Outcome.PROGRESS, "inspection", "查验"),
    Status("800", 80, Outcome.PROGRESS, "released", "放行"),
    Status("899", 90, Outcome.PROGRESS, "closed", "结关"),
    Status("501", 85, Outcome.DETAINED, "detained, transferred to clearance", "扣留移送通关"),
    Status("502", 85, Outcome.DETAINED, "detained, transferred to anti-smuggling", "扣留移送缉私"),
    Status("503", 85, Outcome.DETAINED, "detained, transferred to legal", "扣留移送法规"),
    Status("599", 85, Outcome.DETAINED, "detained", "其它扣留"),
    Status("700", 95, Outcome.RETURNED, "returned shipment", "退运"),
    Status("4", 100, Outcome.FAILED, "sending to customs failed", "发送海关失败"),
    Status("100", 100, Outcome.REJECTED, "rejected by customs", "海关退单"),
]
STATUSES = {s.code: s for s in _STATUSES}

# "Already exists / already declared": what customs answers when the same document comes twice.
DUPLICATE_CODES = frozenset(
    {
        "-301010",
        "-401007",
        "-504012",
        "-504015",
        "-505012",
        "-621004",
        "-623009",
        "-625022",
        "-625033",
    }
)

# Error codes the gateway simulator uses, with customs' Chinese texts (spec table 7-2; [*] are
# filled in) and an English gloss.
ERRORS: dict[str, tuple[str, str]] = {
    "-301010": ("已存在相同编号的订单", "an order with this number exists already"),
    "-401007": ("已存在相同编号的支付单", "a payment with this number exists already"),
    "-504015": ("已存在相同编号的运单", "a waybill with this number exists already"),
    "-505012": ("物流运单状态已存在", "this waybill status exists already"),
    "-621001": ("清单报文校验失败，[{detail}]", "the list failed validation: {detail}"),
    "-621003": ("清单申报失败，[{detail}]", "the list could not be declared: {detail}"),
    "-621004": ("清单[{cop_no}]已经申报过，请勿重复申报", "list {cop_no} was declared already"),
    "-621005": (
        "清单[{cop_no}]的购买金额超过单笔限额[{limit}]",
        "list {cop_no} is over the single-purchase limit of {limit}",
    ),
    "-621018": (
        "清单[{cop_no}]中购买人[{buyer}]已用购买额度为[{used}]，本次购买将超过年度限额[{limit}]",
        "in list {cop_no} buyer {buyer} has used {used}; this purchase would exceed the yearly "
        "limit of {limit}",
    ),
    "-621029": ("验签失败！", "the signature does not verify"),
    "-623003": ("系统中不存在清单编号为[{invt_no}]的清单！", "there is no list {invt_no}"),
    "-623005": (
        "清单的状态不符合撤单申报要求(清单编号[{invt_no}])！",
        "list {invt_no} is not in a state that can be cancelled",
    ),
    "-623029": ("验签失败！", "the signature does not verify"),
    "-625204": ("未找到清单[{invt_no}]", "there is no list {invt_no}"),
    "-625208": ("验签失败！", "the signature does not verify"),
    "-625209": (
        "退货申请单[{cop_no}],在关联的清单中未找到表体序号为[{gnum}]的数据",
        "return {cop_no}: the list has no line {gnum}",
    ),
    "-625210": (
        "退货申请单[{cop_no}]申报时已超过清单[{invt_no}]放行之日[{released}]起{days}天的退货期限",
        "return {cop_no}: more than {days} days since list {invt_no} was released on {released}",
    ),
    "-625211": (
        "退货申请单[{cop_no}]表体序号[{gnum}]退货数量[{qty}]超过清单申报数量[{listed}]"
        "减已退货数量[{returned}]",
        "return {cop_no}: line {gnum} returns {qty}, more than the {listed} listed less the "
        "{returned} returned already",
    ),
}


def error_text(code: str, **values: object) -> str:
    """Customs' Chinese text for an error code, with its placeholders filled in."""
    return ERRORS[code][0].format(**values)


def status(code: str) -> Status:
    """The meaning of a receipt status; unknown negatives are processing errors."""
    known = STATUSES.get(code)
    if known is not None:
        return known
    if code in DUPLICATE_CODES:
        return Status(code, 0, Outcome.DUPLICATE, "already declared", "已申报")
    if code.startswith("-"):
        return Status(code, 100, Outcome.FAILED, "processing error", "处理异常")
    return Status(code, 0, Outcome.PROGRESS, "unknown status", "未知状态")


def moves_forward(current: str | None, incoming: str) -> bool:
    """Whether a receipt with status ``incoming`` should be applied over ``current``.

    A duplicate answer never applies; a final outcome (rejected, failed) is never replaced;
    otherwise the status must rank higher than the current one.
    """
    new = status(incoming)
    if new.outcome is Outcome.DUPLICATE:
        return False
    if current is None:
        return True
    old = status(current)
    if old.rank >= 100:
        return False
    return new.rank > old.rank
