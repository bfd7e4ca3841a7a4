"""Tables for the pages: readable labels and formats, and a safe CSV download under each."""

import functools

import pandas as pd
import streamlit as st

from revcycle.export import safe_csv
from revcycle.ui import format

# How a kind of value is shown, by the same functions as the tiles, so a missing value is
# "–", a share never "-0.0%" and a flag "yes" or "no". The table keeps the raw values, so a
# column still sorts by number; the download keeps them too.
SHOWN = {
    "text": format.text,
    "count": format.count,
    # Whole units of the currency the header names; the CSV keeps the cents.
    "euro": format.whole_number,
    # Booked amounts to the cent (won revenue, open pipeline), so what the screen shows adds
    # up to the deals export exactly: "3,750.50".
    "cents": format.to_the_cent,
    # A count a model credits in part (a third of a deal): "0.33", and "2" when whole.
    "in_part": format.count_in_part,
    "percent": format.percent,
    # Amount per amount, both in the currency the label names: "3.42".
    "multiple": format.multiple,
    "hours": format.hours,
    "days": format.days,
    "datetime": format.moment,
    "day": format.day,
    "probability": format.probability,
}
# The kinds that are amounts of money: their labels name the currency.
AMOUNT_KINDS = ("euro", "cents")
_COLUMN = {
    "text": st.column_config.TextColumn,
    "datetime": st.column_config.DatetimeColumn,
    "day": st.column_config.DateColumn,
}


# A table whose long texts wrap: each row as tall as its longest text needs in a wide
# ("large", about 400 px) column, so none is cut off; st.dataframe wraps text in taller rows.
WIDE_COLUMN_CHARACTERS = 55  # characters a line of a wide column holds
TEXT_LINE_PX, ROW_PADDING_PX, MAX_WRAPPED_LINES = 19, 16, 12


def wrapped_row_height(texts) -> int | None:
    """The row height in pixels for the longest of ``texts`` to wrap in full in a wide column
    (up to MAX_WRAPPED_LINES lines); None, a table's one line, when every text fits on one."""
    longest = max((len(str(text)) for text in texts if isinstance(text, str)), default=0)
    lines = min(-(-longest // WIDE_COLUMN_CHARACTERS), MAX_WRAPPED_LINES)
    return None if lines <= 1 else ROW_PADDING_PX + TEXT_LINE_PX * lines


def show(
    frame: pd.DataFrame,
    columns: dict[str, tuple[str, str]],
    key: str,
    max_rows: int = 30,
    money_unit: str = "",
    missing: dict[str, str | pd.Series] | None = None,
    widths: dict[str, int] | None = None,
) -> None:
    """Show ``frame``'s ``columns`` ({column: (label, kind)}) and offer them as CSV, written
    when the button is clicked rather than on every run.

    Up to ``max_rows`` rows show without scrolling, so a shared screen sees every channel.
    Amounts (kinds "euro" and "cents") are labelled with ``money_unit`` ("€", "BRL"), if known.
    A missing value is "–", or what ``missing`` ({column: words}) says for its column (words
    per row: a Series aligned with ``frame``); the CSV keeps it an empty cell.
    ``widths`` ({column: pixels}) sets a column's width: st.dataframe fits a column to the
    values of its first rows only, and cuts a longer one further down.
    """
    columns = {
        column: (f"{label} ({money_unit})" if kind in AMOUNT_KINDS and money_unit else label, kind)
        for column, (label, kind) in columns.items()
    }
    labelled = frame[list(columns)].rename(
        columns={column: label for column, (label, _) in columns.items()}
    )
    # The browser shows a table's one placeholder for every missing value: a column with its
    # own words for one is sent as text.
    worded = {
        columns[column][0]: words for column, words in (missing or {}).items() if column in columns
    }
    display = _worded(labelled, columns, worded)
    shown = display.style.format(
        {label: SHOWN[kind] for label, kind in columns.values() if label not in worded},
        na_rep="–",
    )
    st.dataframe(
        shown,
        hide_index=True,
        placeholder="–",  # a missing value, which the browser would show as "None"
        height="content" if len(frame) <= max_rows else "auto",
        column_config={
            label: _COLUMN.get("text" if label in worded else kind, st.column_config.NumberColumn)(
                label, width=(widths or {}).get(column)
            )
            for column, (label, kind) in columns.items()
        },
        key=key,
    )
    st.download_button(
        "Download CSV",
        data=functools.partial(table_csv, labelled, counts_of(columns)),
        file_name=f"revcycle-{key.replace('_', '-')}.csv",
        mime="text/csv",
        key=f"{key}_download",
        icon=":material/download:",
        on_click="ignore",
    )


def _worded(labelled: pd.DataFrame, columns: dict, worded: dict) -> pd.DataFrame:
    """The table with each column that has words for a missing value ({label: words, or a
    Series of them a row}) as text: those words where missing, else the value as shown."""
    display = labelled.copy()
    for label, kind in columns.values():
        if label in worded:
            words = worded[label]
            words = [words] * len(display) if isinstance(words, str) else list(words)
            display[label] = [
                said if pd.isna(value) else SHOWN[kind](value)
                for value, said in zip(display[label], words, strict=True)
            ]
    return display


def counts_of(columns: dict[str, tuple[str, str]]) -> list[str]:
    """The labels of the columns that hold counts."""
    return [label for label, kind in columns.values() if kind == "count"]


def table_csv(labelled: pd.DataFrame, count_labels: list[str]) -> bytes:
    """The table's CSV (safe_csv): its raw values, counts as whole numbers. A count column
    that misses a value is a float column in pandas, which would write 401 as "401.0"."""
    rows = labelled.copy()
    for label in count_labels:
        values = rows[label]
        if pd.api.types.is_float_dtype(values) and values.dropna().mod(1).eq(0).all():
            rows[label] = values.astype("Int64")  # a missing count stays an empty cell
    return safe_csv(rows)
