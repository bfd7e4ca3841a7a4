"""Tables for the pages: readable labels and formats, and a safe CSV download under each."""

import functools
import textwrap

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


# A table whose long texts wrap: each row as tall as its longest text needs in its column, so
# none is cut off. st.dataframe wraps text only in rows taller than 4rem (wrapping_row_px).
WIDE_COLUMN_CHARACTERS = 55  # characters a line of a wide ("large", about 400 px) column holds
# A column show() wraps: 32 characters a line. A character of the table's font (Source Sans at
# 14.875 px) is 7.4 px wide on average ("sample removed" is 103.6 px), and a cell pads 9 px
# each side. Two of them beside the History table's ten other columns fit 1920 px.
WRAPPED_COLUMN_PX, WRAPPED_COLUMN_CHARACTERS = 260, 32
TEXT_LINE_PX, ROW_PADDING_PX, MAX_WRAPPED_LINES = 19, 16, 12
# A text column of a table (a channel, an owner) holding a name longer than a line of
# NAME_COLUMN_CHARACTERS is given a width, in pixels with the characters a line of it holds: the
# first in which every name wraps in NAME_LINES lines at most, else the widest, and its rows are as
# tall as the longest name needs, so no cell is cut. Sized to its longest name, such a column
# cut the longest ones and pushed the figures beside it off a laptop's screen.
NAME_COLUMN_WIDTHS = ((300, 40), (400, WIDE_COLUMN_CHARACTERS))
NAME_COLUMN_CHARACTERS = NAME_COLUMN_WIDTHS[0][1]
NAME_LINES = 3


def wrapping_row_px() -> int:
    """The shortest row st.dataframe wraps text in: over 4rem, four times the theme's base
    font size (17 px in .streamlit/config.toml: 69 px, which holds three lines)."""
    return 4 * int(st.get_option("theme.baseFontSize") or 16) + 1


def wrapped_lines(texts, characters: int) -> int:
    """The lines the longest of ``texts`` takes wrapped between words in lines of
    ``characters``: 1 when none is longer."""
    return max(
        (len(textwrap.wrap(text, characters)) for text in texts if isinstance(text, str)),
        default=1,
    )


def wrapped_row_height(texts, characters: int = WIDE_COLUMN_CHARACTERS) -> int | None:
    """The row height in pixels for the longest of ``texts`` to wrap in full in a column whose
    line holds ``characters`` (a wide one by default), up to MAX_WRAPPED_LINES lines; None, a
    table's one line, when every text fits on one."""
    lines = min(wrapped_lines(texts, characters), MAX_WRAPPED_LINES)
    return None if lines <= 1 else max(ROW_PADDING_PX + TEXT_LINE_PX * lines, wrapping_row_px())


def _name_columns(frame: pd.DataFrame, columns: dict) -> tuple[dict[str, int], int | None]:
    """The width of each text column holding a name longer than NAME_COLUMN_CHARACTERS, by its
    label, and the rows' height that lets every such name wrap in full (NAME_COLUMN_WIDTHS)."""
    texts = {
        label: [text for text in frame[column] if isinstance(text, str)]
        for column, (label, kind) in columns.items()
        if kind == "text"
    }
    long = {
        label: names
        for label, names in texts.items()
        if max(map(len, names), default=0) > NAME_COLUMN_CHARACTERS
    }
    names = [name for column in long.values() for name in column]
    width, characters = next(
        (
            (width, characters)
            for width, characters in NAME_COLUMN_WIDTHS
            if wrapped_lines(names, characters) <= NAME_LINES
        ),
        NAME_COLUMN_WIDTHS[-1],
    )
    return dict.fromkeys(long, width), wrapped_row_height(names, characters)


def show(
    frame: pd.DataFrame,
    columns: dict[str, tuple[str, str]],
    key: str,
    max_rows: int = 30,
    money_unit: str = "",
    missing: dict[str, str | pd.Series] | None = None,
    widths: dict[str, int] | None = None,
    wrapped: tuple[str, ...] = (),
) -> None:
    """Show ``frame``'s ``columns`` ({column: (label, kind)}) and offer them as CSV, written
    when the button is clicked rather than on every run.

    Up to ``max_rows`` rows show without scrolling, so a shared screen sees every channel.
    Amounts (kinds "euro" and "cents") are labelled with ``money_unit`` ("€", "BRL"), if known.
    A missing value is "–", or what ``missing`` ({column: words}) says for its column (words
    per row: a Series aligned with ``frame``); the CSV keeps it an empty cell.
    ``widths`` ({column: pixels}) sets a column's width: st.dataframe fits a column to the
    values of its first rows only, and cuts a longer one further down. The ``wrapped`` columns
    are WRAPPED_COLUMN_PX wide and their long texts wrap, every row as tall as the longest needs
    (wrapped_row_height): texts of any length, such as uploaded file names, read in full.
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
    row_height, column_config = _sized(frame, columns, worded, widths or {}, wrapped)
    st.dataframe(
        shown,
        hide_index=True,
        placeholder="–",  # a missing value, which the browser would show as "None"
        height="content" if len(frame) <= max_rows else "auto",
        row_height=row_height,
        column_config=column_config,
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


def _sized(frame, columns: dict, worded: dict, widths: dict[str, int], wrapped) -> tuple:
    """The rows' height (None: one line) and each column's config: the ``wrapped`` columns
    WRAPPED_COLUMN_PX wide, long names given room (_name_columns), every row as tall as the
    longest of those texts needs."""
    name_widths, name_row_height = _name_columns(frame, columns)
    texts = [text for column in wrapped for text in frame[column]]
    heights = [name_row_height, wrapped_row_height(texts, WRAPPED_COLUMN_CHARACTERS)]
    widths = {**widths, **dict.fromkeys(wrapped, WRAPPED_COLUMN_PX)}
    row_height = max((height for height in heights if height), default=None)
    return row_height, _column_config(columns, worded, widths, name_widths)


def _column_config(
    columns: dict, worded: dict, widths: dict[str, int], name_widths: dict[str, int]
) -> dict:
    """Each column's config by its label: of its kind (text when it has words for a missing
    value), as wide as ``widths`` ({column: pixels}) says, else as ``name_widths`` ({label:
    pixels}, _name_columns), else fitted by st.dataframe."""
    return {
        label: _COLUMN.get("text" if label in worded else kind, st.column_config.NumberColumn)(
            label, width=widths.get(column, name_widths.get(label))
        )
        for column, (label, kind) in columns.items()
    }


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
