"""XML <-> dataclass mapping shared by the builders and the parsers.

One table per document type, derived once from its dataclass (field order = XSD sequence
order, element names from the field names), so writing and reading can never disagree about a
field. Value formats are the spec's: ``YYYYMMDDhhmmss`` for report times, ``YYYYMMDDhhmmssSSS``
for receipt times, ``YYYYMMDD`` for dates, decimals without exponent or trailing zeros.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo

from lxml import etree

from . import types as t

NS = "http://www.chinaport.gov.cn/ceb"
Q = "{" + NS + "}"
CHINA_TIME = ZoneInfo("Asia/Shanghai")

# Fields whose element holds a 17-character receipt time (with milliseconds).
_MILLISECOND_TIMES = {"return_time"}


class CebFormatError(ValueError):
    """A message does not have the shape or value formats the spec requires."""

    def __init__(self, path: str, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


def camel(name: str) -> str:
    """``goods_value`` -> ``goodsValue`` (the spec's element names)."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    attr: str
    element: str  # element name, or the prefix of a Party's Code/Name pair
    kind: str  # str int decimal datetime date party lines enum
    optional: bool
    sub: type | None = None  # line type, or the enum type
    cdata: bool = False  # written as a CDATA section (CEB900's original message)


def _kind(hint: object) -> tuple[str, bool, type | None]:
    args = typing.get_args(hint)
    optional = type(None) in args
    if optional:
        (hint,) = [a for a in args if a is not type(None)]
    if typing.get_origin(hint) is tuple:
        return "lines", optional, typing.get_args(hint)[0]
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        return "enum", optional, hint
    kinds = {str: "str", int: "int", Decimal: "decimal", datetime: "datetime", date: "date"}
    if hint in kinds:
        return kinds[hint], optional, None
    if hint is t.Party:
        return "party", optional, None
    raise TypeError(f"unsupported field type {hint!r}")


@cache
def fields_of(cls: type) -> tuple[FieldSpec, ...]:
    """The XML fields of document class ``cls`` in element order."""
    hints = typing.get_type_hints(cls, vars(t))
    out = []
    for f in dataclasses.fields(cls):
        kind, optional, sub = _kind(hints[f.name])
        element = f.metadata.get("xml") or camel(f.name)
        out.append(FieldSpec(f.name, element, kind, optional, sub, bool(f.metadata.get("cdata"))))
    return tuple(out)


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------


def format_decimal(value: Decimal, path: str = "amount") -> str:
    """``Decimal('19050.00')`` -> ``19050``; refuses floats, non-finite and > 5 decimals."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise CebFormatError(path, "must be a finite Decimal")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -5 and value != value.quantize(Decimal("0.00001")):
        raise CebFormatError(path, "at most 5 decimals (N19,5)")
    text = format(value.normalize(), "f") if value else "0"
    digits = text.replace("-", "").replace(".", "")
    if len(digits.lstrip("0") or "0") > 19:
        raise CebFormatError(path, "at most 19 digits (N19,5)")
    return text


def format_time(value: datetime, *, milliseconds: bool = False) -> str:
    """A report time in China Standard Time: ``20260301093000`` (or with milliseconds)."""
    if value.tzinfo is None:
        raise CebFormatError("time", "must be timezone-aware")
    local = value.astimezone(CHINA_TIME)
    text = local.strftime("%Y%m%d%H%M%S")
    return text + f"{local.microsecond // 1000:03d}" if milliseconds else text


def parse_time(text: str, path: str) -> datetime:
    try:
        if len(text) == 17:
            base = datetime.strptime(text[:14], "%Y%m%d%H%M%S")
            return base.replace(microsecond=int(text[14:]) * 1000, tzinfo=CHINA_TIME)
        if len(text) == 14:
            return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=CHINA_TIME)
    except ValueError:
        pass
    raise CebFormatError(path, f"not a YYYYMMDDhhmmss[SSS] time: {text!r}")


def _to_text(spec: FieldSpec, value: object, path: str) -> str:
    kind = spec.kind
    if kind == "decimal":
        return format_decimal(value, path)  # type: ignore[arg-type]
    if kind == "int":
        if type(value) is not int:
            raise CebFormatError(path, "must be an int")
        return str(value)
    if kind == "datetime":
        return format_time(value, milliseconds=spec.attr in _MILLISECOND_TIMES)  # type: ignore[arg-type]
    if kind == "date":
        return value.strftime("%Y%m%d")  # type: ignore[union-attr]
    if kind == "enum":
        return str(value.value)  # type: ignore[union-attr]
    if not isinstance(value, str):
        raise CebFormatError(path, "must be a string")
    return value


def _from_text(spec: FieldSpec, text: str, path: str) -> object:
    kind = spec.kind
    try:
        if kind == "decimal":
            return Decimal(text)
        if kind == "int":
            return int(text)
        if kind == "date":
            return datetime.strptime(text, "%Y%m%d").date()
        if kind == "enum":
            return spec.sub(text)  # type: ignore[misc]
    except (InvalidOperation, ValueError) as exc:
        raise CebFormatError(path, f"bad value {text!r}") from exc
    if kind == "datetime":
        return parse_time(text, path)
    return text


# --------------------------------------------------------------------------------------------
# Writing and reading one element
# --------------------------------------------------------------------------------------------


def write_fields(parent: etree._Element, doc: object, path: str) -> None:
    """Append ``doc``'s fields to ``parent`` as elements, in XSD order; None is omitted."""
    sub = etree.SubElement
    for spec in fields_of(type(doc)):
        if spec.kind == "lines":
            continue
        value = getattr(doc, spec.attr)
        here = f"{path}.{spec.attr}"
        if value is None:
            if not spec.optional:
                raise CebFormatError(here, "is required")
            continue
        if spec.kind == "party":
            sub(parent, Q + spec.element + "Code").text = value.code
            sub(parent, Q + spec.element + "Name").text = value.name
            continue
        text = _to_text(spec, value, here)
        sub(parent, Q + spec.element).text = etree.CDATA(text) if spec.cdata else text


def read_fields(element: etree._Element, cls: type, path: str, lines: tuple = ()) -> object:
    """Build a ``cls`` from ``element``'s children; empty optional elements read as None."""
    texts: dict[str, str] = {}
    for child in element:
        if isinstance(child.tag, str) and child.tag.startswith(Q):
            texts[child.tag[len(Q) :]] = child.text or ""
    values: dict[str, object] = {}
    for spec in fields_of(cls):
        here = f"{path}.{spec.element}"
        if spec.kind == "lines":
            values[spec.attr] = lines
            continue
        if spec.kind == "party":
            code = texts.get(spec.element + "Code", "")
            name = texts.get(spec.element + "Name", "")
            if not code and not name:
                if not spec.optional:
                    raise CebFormatError(here + "Code", "is required")
                values[spec.attr] = None
            else:
                values[spec.attr] = t.Party(code, name)
            continue
        text = texts.get(spec.element)
        if text is None or (text == "" and spec.optional):
            if not spec.optional:
                field_default = _defaults(cls).get(spec.attr, dataclasses.MISSING)
                if field_default is dataclasses.MISSING:
                    raise CebFormatError(here, "is required")
                continue
            values[spec.attr] = None
            continue
        values[spec.attr] = _from_text(spec, text, here)
    return cls(**values)


@cache
def _defaults(cls: type) -> dict[str, object]:
    return {
        f.name: f.default for f in dataclasses.fields(cls) if f.default is not dataclasses.MISSING
    }
