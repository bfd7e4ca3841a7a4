"""Tables for the pages: readable labels and formats, and a safe CSV download under each."""

import pandas as pd
import streamlit as st

from revcycle.export import safe_csv

# How a kind of value is shown; the download keeps the raw value.
_CONFIG = {
    "text": lambda label: st.column_config.TextColumn(label),
    "count": lambda label: st.column_config.NumberColumn(label, format="localized"),
    "euro": lambda label: st.column_config.NumberColumn(label, format="euro"),
    "percent": lambda label: st.column_config.NumberColumn(label, format="%.1f%%"),
    "hours": lambda label: st.column_config.NumberColumn(label, format="%.1f h"),
    "days": lambda label: st.column_config.NumberColumn(label, format="%.0f days"),
}


def show(
    frame: pd.DataFrame, columns: dict[str, tuple[str, str]], key: str, max_rows: int = 30
) -> None:
    """Show ``frame``'s ``columns`` ({column: (label, kind)}) and offer them as CSV.

    Up to ``max_rows`` rows show without scrolling, so a shared screen sees every channel.
    """
    labelled = frame[list(columns)].rename(
        columns={column: label for column, (label, _) in columns.items()}
    )
    shown = labelled.copy()
    for label, kind in columns.values():
        if kind == "percent":
            shown[label] = shown[label] * 100  # shares are fractions; the format adds the %
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
