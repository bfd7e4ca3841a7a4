"""Tables as CSV files that are safe to open in a spreadsheet."""

import pandas as pd

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets
# (CSV injection); a leading apostrophe makes it plain text again.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with byte order mark, so Excel reads accents) of ``frame``.

    Text cells that a spreadsheet would run as a formula are neutralised; numbers, including
    negative ones, stay numbers.
    """
    text_columns = [
        column
        for column in frame.columns
        if pd.api.types.is_object_dtype(frame[column])
        or pd.api.types.is_string_dtype(frame[column])
    ]
    safe = frame.copy()
    for column in text_columns:
        safe[column] = safe[column].map(_neutralise)
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
