"""Spreadsheets out, the same way in every app: written to a temporary file and streamed as a download
(uploads in are `uploads.py`).

Every export writes its rows through `sheet()`, so that text can never become a live formula (a complaint
titled `=HYPERLINK(...)` stays the words it was) and a stray control character never breaks a workbook."""

import datetime
import os
import re
import tempfile
from datetime import date
from decimal import Decimal

from django.http import FileResponse

from . import clock

# Text starting with these is taken for a formula (or a DDE call) by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters below U+0020 other than tab and newline: openpyxl refuses most of them and Excel shows
# none of them, so they are dropped (input refuses them already; rows from before that rule still export).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def workbook():
    """A new write-only workbook: rows stream to disk, so a million rows are never held in memory."""
    from openpyxl import Workbook

    return Workbook(write_only=True)


class SafeSheet:
    """A write-only worksheet whose `append` writes text as text: risky text gets openpyxl's string type
    and Excel's quote-prefix style (the cell shows the text, and editing it does not turn it into a formula);
    numbers, dates and money stay what they were."""

    def __init__(self, sheet):
        self._sheet = sheet

    def append(self, values) -> None:
        self._sheet.append([self._cell(value) for value in values])

    def _cell(self, value):
        if value is None or isinstance(value, (bool, int, float, Decimal, date, datetime.time)):
            return value
        text = CONTROL_CHARACTERS.sub("", str(value))  # str(): lazy translations, enum labels
        if not text.startswith(FORMULA_STARTS):
            return text
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self._sheet, value=text)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell


def sheet(book, title: str) -> SafeSheet:
    """A new sheet of `book` (from `workbook()`) that every export writes its rows through."""
    return SafeSheet(book.create_sheet(title))


def save_workbook(workbook, prefix: str) -> str:
    """Save an openpyxl workbook (write-only mode streams rows to disk) to a temporary file; its path."""
    with tempfile.NamedTemporaryFile(prefix=prefix, suffix=".xlsx", delete=False) as handle:
        workbook.save(handle)
    return handle.name


def xlsx_download(path: str, name: str, stamp: bool = True) -> FileResponse:
    """Stream a saved workbook as a download. The name is unlinked at once: the open file streams on and
    no temporary file is left behind, however the response ends."""
    handle = open(path, "rb")  # noqa: SIM115 (the response closes it)
    os.unlink(path)
    suffix = clock.now().strftime("-%Y%m%d-%H%M") if stamp else ""
    return FileResponse(handle, as_attachment=True, filename=f"{name}{suffix}.xlsx")


class StreamingSheet:
    """One sheet of an XlsxWriter workbook in `constant_memory` mode, for the exports that run as jobs: each
    row is written out when the next one starts, so memory stays flat however many rows pass. The same
    guarantees as `SafeSheet`: text is always written as a string (never a formula), control characters are
    dropped, and risky text carries the quote prefix so that editing the cell keeps it text."""

    def __init__(self, book, sheet):
        self._sheet = sheet
        self._row = 0
        self._quoted = book.add_format({"quote_prefix": True})
        self._date = book.add_format({"num_format": "yyyy-mm-dd"})
        self._datetime = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})

    def append(self, values) -> None:
        sheet, row = self._sheet, self._row
        # Direct calls per type: `write()`'s own dispatch would turn "=..." into a formula.
        for column, value in enumerate(values):
            if value is None:
                continue
            kind = type(value)
            if kind is str:
                text = CONTROL_CHARACTERS.sub("", value) if _HAS_CONTROL(value) else value
                if text.startswith(FORMULA_STARTS):
                    sheet.write_string(row, column, text, self._quoted)
                elif text:
                    sheet.write_string(row, column, text)
            elif kind is bool:
                sheet.write_boolean(row, column, value)
            elif kind in (int, float, Decimal):
                sheet.write_number(row, column, float(value))
            elif kind is datetime.datetime:
                sheet.write_datetime(row, column, value.replace(tzinfo=None), self._datetime)
            elif kind is date:
                sheet.write_datetime(row, column, value, self._date)
            else:  # lazy translations, enum labels, anything else: its text
                self.append_text(column, str(value))
        self._row += 1

    def append_text(self, column: int, value: str) -> None:
        text = CONTROL_CHARACTERS.sub("", value)
        if text.startswith(FORMULA_STARTS):
            self._sheet.write_string(self._row, column, text, self._quoted)
        elif text:
            self._sheet.write_string(self._row, column, text)


_HAS_CONTROL = CONTROL_CHARACTERS.search


class StreamingWorkbook:
    """An .xlsx written straight to `path` with XlsxWriter in `constant_memory` mode (a temporary file per
    sheet, one row in memory); `sheet()` gives the safe writer. Close it to finish the file."""

    def __init__(self, path: str):
        import xlsxwriter

        self.path = path
        self._book = xlsxwriter.Workbook(
            path,
            {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
        )

    def sheet(self, title: str) -> StreamingSheet:
        return StreamingSheet(self._book, self._book.add_worksheet(title[:31]))

    def close(self) -> None:
        self._book.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
