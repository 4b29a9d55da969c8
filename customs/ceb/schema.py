"""Validation against the official XSDs shipped in ``customs/ceb/xsd/`` (202205 edition).

The schemas are parsed once per process (lxml's XMLSchema is thread-safe for validation) with
a parser that never touches the network or expands entities, and so are the documents we
validate: a message from outside cannot make us fetch a URL or blow up an entity.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

XSD_DIR = Path(__file__).resolve().parent / "xsd"
IMPORT_XSD = XSD_DIR / "ceb-import-202205.xsd"
DXP_XSD = XSD_DIR / "dxp-terminal-202205.xsd"


def safe_parser() -> etree.XMLParser:
    """A parser for untrusted XML: no network, no DTD, no entity expansion, no huge trees."""
    return etree.XMLParser(
        no_network=True,
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


class SchemaError(ValueError):
    """A message does not validate against its XSD; ``errors`` lists libxml2's findings."""

    def __init__(self, schema: str, errors: list[str]):
        super().__init__(f"{schema}: " + "; ".join(errors[:5]))
        self.schema = schema
        self.errors = errors


@cache
def _schema(path: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(path), safe_parser()))


def parse_xml(data: bytes) -> etree._Element:
    """Parse untrusted bytes into an element; raises etree.XMLSyntaxError on malformed input."""
    return etree.fromstring(data, safe_parser())


def validate(element: etree._Element, *, xsd: Path = IMPORT_XSD) -> None:
    """Raise SchemaError unless ``element`` is valid against ``xsd`` (the import XSD)."""
    schema = _schema(xsd)
    if not schema.validate(element):
        errors = [f"line {e.line}: {e.message}" for e in schema.error_log]
        raise SchemaError(xsd.name, errors)


def is_valid(element: etree._Element, *, xsd: Path = IMPORT_XSD) -> bool:
    """Whether ``element`` is valid against ``xsd``."""
    return bool(_schema(xsd).validate(element))
