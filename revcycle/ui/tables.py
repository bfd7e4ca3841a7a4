"""Tables for the pages: readable labels and formats, and a safe CSV download under each."""

import pandas as pd
import streamlit as st

from revcycle.export import safe_csv

# How a kind of value is shown; the download keeps the raw value.
_CONFIG = {
    "text": lambda label: st.column_config.TextColumn(label),
    "count": lambda label: st.column_config.NumberColumn(label, format="localized"),
    # Whole euros, with the browser's thousands separator; the CSV keeps the cents.
    "euro": lambda label: st.column_config.NumberColumn(label, format="localized"),
    "percent": lambda label: st.column_config.NumberColumn(label, format="%.1f%%"),
    "hours": lambda label: st.column_config.NumberColumn(label, format="%.1f h"),
    "days": lambda label: st.column_config.NumberColumn(label, format="%.0f days"),
    "datetime": lambda label: st.column_config.DatetimeColumn(label, format="D MMM YYYY, HH:mm"),
}


def show(
    frame: pd.DataFrame,
    columns: dict[str, tuple[str, str]],
    key: str,
    max_rows: int = 30,
    money_unit: str = "",
) -> None:
    """Show ``frame``'s ``columns`` ({column: (label, kind)}) and offer them as CSV.

    Up to ``max_rows`` rows show without scrolling, so a shared screen sees every channel.
    Amounts (kind "euro") are labelled with ``money_unit`` ("€", "BRL"); none when unknown.
    """
    columns = {
        column: (f"{label} ({money_unit})" if kind == "euro" and money_unit else label, kind)
        for column, (label, kind) in columns.items()
    }
    labelled = frame[list(columns)].rename(
        columns={column: label for column, (label, _) in columns.items()}
    )
    shown = labelled.copy()
    for label, kind in columns.values():
        if kind == "percent":
            shown[label] = shown[label] * 100  # shares are fractions; the format adds the %
        elif kind == "euro":
            shown[label] = shown[label].astype(float).round(0)
        elif kind == "text":
            shown[label] = shown[label].astype(object).where(shown[label].notna(), "–")
    st.dataframe(
        shown,
        hide_index=True,
        height="content" if len(frame) <= max_rows else "auto",
        column_config={label: _CONFIG[kind](label) for label, kind in columns.values()},
        key=key,
    )
    st.download_button(
        "Download CSV",
        data=safe_csv(labelled),
        file_name=f"revcycle-{key.replace('_', '-')}.csv",
        mime="text/csv",
        key=f"{key}_download",
        icon=":material/download:",
    )
