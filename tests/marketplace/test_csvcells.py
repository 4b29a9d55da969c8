"""The spreadsheet-safe CSV cell rule and its inverse (marketplace/csvcells.py)."""

import csv
import io

import pytest

from marketplace.csvcells import cell_for_export, cell_from_import, csv_lines

CELLS = [
    "",
    "plain",
    "麦卢卡蜂蜜",
    '=HYPERLINK("https://evil.example","x")',
    "+SUM(1,2)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "-",
    "=",
    "\t=1+1",
    "\r=1+1",
    "'",
    "''",
    "'=already quoted",
    "'plain apostrophe",
    "a=b",
    " =x",
]


@pytest.mark.parametrize("cell", CELLS)
def test_import_undoes_exactly_what_export_did(cell):
    exported = cell_for_export(cell)
    assert cell_from_import(exported) == cell
    assert not exported or exported[0] not in "=+-@\t\r"


@pytest.mark.parametrize("number", ["0", "12.50", "-5", "-0.25", "199"])
def test_plain_numbers_stay_numbers(number):
    assert cell_for_export(number) == number
    assert cell_from_import(number) == number


def test_csv_lines_neutralise_every_cell():
    text = "".join(csv_lines([["name", "price"], ["=1+1", "-3"], [None, 7]]))
    assert list(csv.reader(io.StringIO(text))) == [
        ["name", "price"],
        ["'=1+1", "-3"],
        ["", "7"],
    ]
