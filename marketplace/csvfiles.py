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


def read_rows(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the data rows with their line numbers (header = line 1); ``,`` or ``;`` detected."""
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise Invalid("the file is empty", "file")
    except csv.Error as error:
        raise Invalid(f"unreadable CSV: {error}", "file")
    rows = []
    try:
        for row in reader:
            if len(row) > 1 or (row and row[0].strip()):  # skip blank lines
                rows.append((reader.line_num, row))
    except csv.Error as error:
        raise Invalid(f"unreadable CSV at line {reader.line_num}: {error}", "file")
    return [name.strip().lower() for name in header], rows
