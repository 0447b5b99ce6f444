"""Reading CSV files as dealer and importer systems export them."""

from __future__ import annotations

import csv
import io

from marketplace.errors import Invalid


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252; binary data is refused."""
    if b"\x00" in data[:4096]:
        raise Invalid("this is not a text file", "file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_rows(text: str) -> tuple[list[str], list[int], list[list[str]]]:
    """The header, and the data rows with their line numbers (header = line 1); ``,`` or ``;`` detected.

    Blank lines are skipped. A file without quotes is split directly (twice as fast as the csv
    module, and the common case of DMS exports); one with quotes goes through the csv module.
    """
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    if '"' not in text:
        lines = text.split("\n")
        kept = [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]
        if not kept:
            raise Invalid("the file is empty", "file")
        header = kept[0][1].rstrip("\r").split(delimiter)
        numbers = [number for number, _ in kept[1:]]
        rows = [line.rstrip("\r").split(delimiter) for _, line in kept[1:]]
        return [name.strip().lower() for name in header], numbers, rows
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise Invalid("the file is empty", "file")
    except csv.Error as error:
        raise Invalid(f"unreadable CSV: {error}", "file")
    numbers, rows = [], []
    try:
        for row in reader:
            if len(row) > 1 or (row and row[0].strip()):  # skip blank lines
                numbers.append(reader.line_num)
                rows.append(row)
    except csv.Error as error:
        raise Invalid(f"unreadable CSV at line {reader.line_num}: {error}", "file")
    return [name.strip().lower() for name in header], numbers, rows


# What a spreadsheet would run as a formula when a cell starts with it (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """``value`` as a cell of a CSV we write: a text a spreadsheet would run as a formula is kept text."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in _FORMULA_START else text
