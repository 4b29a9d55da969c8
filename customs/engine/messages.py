"""Shopper-facing texts of the engine in English and Simplified Chinese.

Plain dicts of ``{code: {"en": ..., "zh-hans": ...}}`` with ``str.format`` placeholders: the
engine stays free of gettext, and the Django layer can show these texts as they are or look
the code up in its own catalogue. Both languages of one code use the same placeholders (a test
checks it). Amount placeholders arrive formatted (``26,000.00``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .types import Message, TaxKind

LANGUAGES = ("en", "zh-hans")

Texts = Mapping[str, str]

# Blocking reasons (the order cannot be paid as it stands) and notices (it can, read this).
MESSAGES: dict[str, dict[str, str]] = {
    # -- blocking --------------------------------------------------------------------------
    "cbec_transaction_limit": {
        "en": (
            "This order's dutiable value is {value} {currency}, over the {limit} {currency} "
            "limit for one cross-border purchase. Remove some items or split the order."
        ),
        "zh-hans": (
            "本单完税价格为 {value} {currency}，超过跨境电商零售进口单次交易限值 "
            "{limit} {currency}。请删除部分商品或分开下单。"
        ),
    },
    "cbec_yearly_limit": {
        "en": (
            "This order ({value} {currency}) would take your cross-border purchases this year "
            "over the {limit} {currency} yearly limit. You have {remaining} {currency} left "
            "this year."
        ),
        "zh-hans": (
            "本单（{value} {currency}）将使您本年度跨境电商零售进口交易总额超过年度限值 "
            "{limit} {currency}。您本年度剩余额度为 {remaining} {currency}。"
        ),
    },
    "cbec_no_product_record": {
        "en": (
            "{sku} has no customs product record yet, so it cannot be sold from the bonded "
            "warehouse (1210)."
        ),
        "zh-hans": "商品 {sku} 尚未完成海关备案，暂不能以保税备货（1210）方式销售。",
    },
    "parcel_limit": {
        "en": (
            "A personal parcel may hold at most {limit} {currency} of goods unless it is one "
            "indivisible item; this one holds {value} {currency}. Split it into several parcels."
        ),
        "zh-hans": (
            "个人邮寄物品每个包裹限值为 {limit} {currency}（单件不可分割物品除外），"
            "本包裹为 {value} {currency}。请分成多个包裹寄送。"
        ),
    },
    "excise_not_allowed": {
        "en": (
            "{sku} is an excise good (alcohol or tobacco) and cannot be sold to {destination} "
            "under {regime}."
        ),
        "zh-hans": "商品 {sku} 属于消费税应税商品（酒类或烟草），不能按{regime}销往 {destination}。",
    },
    "over_threshold": {
        "en": (
            "This order's value of {value} {currency} is over the {limit} {currency} limit of "
            "{regime}, so it cannot be sold this way."
        ),
        "zh-hans": "本单货值 {value} {currency} 超过{regime}的限值 {limit} {currency}，无法按此方式销售。",
    },
    "no_regime": {
        "en": (
            "Duties and taxes cannot be calculated for {destination} ({mode}) on {date}: "
            "no tax regime is set up for it."
        ),
        "zh-hans": "无法计算 {destination}（{mode}）在 {date} 的税费：尚未配置适用的税制。",
    },
    # -- notices ---------------------------------------------------------------------------
    "general_trade_rates": {
        "en": (
            "This single item is over the {limit} {currency} limit for one purchase: it still "
            "clears as a cross-border purchase, but at full general-trade tax rates, and its "
            "value counts towards your yearly limit."
        ),
        "zh-hans": (
            "单件不可分割商品超过单次交易限值 {limit} {currency}：仍可通过跨境电商零售渠道进口，"
            "但按货物税率全额征收关税、进口环节增值税和消费税，交易额计入年度交易总额。"
        ),
    },
    "regime_switched": {
        "en": "The goods are worth more than {limit} {currency}, so {regime} applies instead of {previous}.",
        "zh-hans": "商品价值超过 {limit} {currency}，不适用{previous}，改按{regime}计税。",
    },
    "regime_switched_yearly": {
        "en": (
            "This order would take your purchases this year over the {limit} {currency} yearly "
            "limit of {previous}, so {regime} applies."
        ),
        "zh-hans": "本单将使您本年度交易总额超过{previous}年度限值 {limit} {currency}，改按{regime}计税。",
    },
    "postal_tax_waived": {
        "en": "The postal tax of {amount} {currency} is {threshold} {currency} or less, so it is waived.",
        "zh-hans": "行邮税税额 {amount} {currency} 不超过 {threshold} {currency}，予以免征。",
    },
    "postal_tax_on_arrival": {
        "en": (
            "Postal tax is assessed by customs when the parcel arrives and paid by the "
            "recipient; the amount shown is an estimate."
        ),
        "zh-hans": "行邮税由海关在包裹进境时核定并由收件人缴纳，所示金额为估算。",
    },
    "taxes_on_arrival": {
        "en": (
            "These taxes are not charged at checkout: the carrier or customs collects them when "
            "the parcel is imported. The amounts shown are an estimate."
        ),
        "zh-hans": "以下税费不在结算时收取，由承运商或海关在进口时收取，所示金额为估算。",
    },
    "general_trade_importer_pays": {
        "en": (
            "These goods are imported under general trade: the importer pays duty and import "
            "taxes at the border. The amounts shown are for the importer's landed cost."
        ),
        "zh-hans": "本商品以一般贸易方式进口，关税及进口环节税由进口商在通关时缴纳，所示金额用于核算进口成本。",
    },
}

# Regime names by regime code; every version (row) of a regime shares its code and name.
REGIME_NAMES: dict[str, dict[str, str]] = {
    "CN_CBEC_1210": {
        "en": "China cross-border e-commerce retail import (bonded, 1210)",
        "zh-hans": "跨境电商零售进口（保税备货 1210）",
    },
    "CN_CBEC_9610": {
        "en": "China cross-border e-commerce retail import (direct purchase, 9610)",
        "zh-hans": "跨境电商零售进口（直购进口 9610）",
    },
    "CN_POSTAL": {
        "en": "China personal parcel (postal tax)",
        "zh-hans": "个人邮寄物品（行邮税）",
    },
    "CN_GENERAL": {
        "en": "China general trade import (0110)",
        "zh-hans": "一般贸易进口（0110）",
    },
    "EU_IOSS": {
        "en": "EU import one-stop shop (IOSS, up to EUR 150)",
        "zh-hans": "欧盟进口一站式申报（IOSS，150 欧元以下）",
    },
    "EU_IMPORT": {
        "en": "EU standard import (import VAT and duty)",
        "zh-hans": "欧盟一般进口（进口增值税及关税）",
    },
    "GB_LVG": {
        "en": "UK low-value goods (VAT at sale, up to GBP 135)",
        "zh-hans": "英国低价值商品（销售时征收增值税，135 英镑以下）",
    },
    "GB_IMPORT": {
        "en": "UK standard import (import VAT and duty)",
        "zh-hans": "英国一般进口（进口增值税及关税）",
    },
    "US_LV": {
        "en": "US low-value shipment (de minimis, up to USD 800)",
        "zh-hans": "美国低价值货物（小额豁免，800 美元以下）",
    },
    "US_DUTY": {
        "en": "US import duty",
        "zh-hans": "美国进口关税",
    },
    "AU_LVG": {
        "en": "Australia low-value goods (GST at checkout, up to AUD 1,000)",
        "zh-hans": "澳大利亚低价值商品（结算时征收商品及服务税，1,000 澳元以下）",
    },
    "AU_IMPORT": {
        "en": "Australia standard import (GST and duty at the border)",
        "zh-hans": "澳大利亚一般进口（入境时征收商品及服务税及关税）",
    },
    "SG_LVG": {
        "en": "Singapore low-value goods (GST at checkout, up to SGD 400)",
        "zh-hans": "新加坡低价值商品（结算时征收商品及服务税，400 新元以下）",
    },
    "SG_IMPORT": {
        "en": "Singapore standard import (GST at the border)",
        "zh-hans": "新加坡一般进口（入境时征收商品及服务税）",
    },
}

TAX_KIND_NAMES: dict[TaxKind, dict[str, str]] = {
    TaxKind.DUTY: {"en": "Import duty", "zh-hans": "关税"},
    TaxKind.FLAT_DUTY: {"en": "Flat import duty", "zh-hans": "定额关税"},
    TaxKind.CONSUMPTION_TAX: {"en": "Consumption tax", "zh-hans": "消费税"},
    TaxKind.VAT: {"en": "VAT", "zh-hans": "增值税"},
    TaxKind.GST: {"en": "GST", "zh-hans": "商品及服务税"},
    TaxKind.POSTAL_TAX: {"en": "Postal tax", "zh-hans": "行邮税"},
}


def regime_name(code: str) -> Texts:
    """The names of regime ``code``; a code without names shows as itself in both languages."""
    return REGIME_NAMES.get(code) or {"en": code, "zh-hans": code}


def make_message(code: str, **params: str | Texts) -> Message:
    """Render message ``code`` in both languages.

    A parameter is a plain string, or a ``{"en": ..., "zh-hans": ...}`` mapping when its words
    differ by language (a regime name). ``Message.params`` keeps the English values.
    """
    texts = MESSAGES[code]
    english = {k: v if isinstance(v, str) else v["en"] for k, v in params.items()}
    chinese = {k: v if isinstance(v, str) else v["zh-hans"] for k, v in params.items()}
    return Message(
        code=code,
        en=texts["en"].format(**english),
        zh_hans=texts["zh-hans"].format(**chinese),
        params=MappingProxyType(english),
    )
