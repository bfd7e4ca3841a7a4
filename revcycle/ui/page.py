"""What every page does the same way: its heading, the period line and the empty state."""

import pandas as pd
import streamlit as st

from revcycle.ui import format
from revcycle.ui.data import run
from revcycle.ui.filters import Filters

EMPTY_STATE = "No leads or deals match these filters. Widen the period or clear a filter."
LOW_VOLUME_LEADS = 30  # below this many leads a rate is shown, but flagged as shaky


def heading(title: str, filters: Filters, note: str = "") -> None:
    st.title(title)
    st.caption(f"{filters.start_date:%d %b %Y} – {filters.end_date:%d %b %Y}. {note}".strip())


def freshness_banner() -> None:
    """How fresh the data is, on every page, so nobody argues over last month's export."""
    row = run("metrics/data_freshness").iloc[0]
    if pd.isna(row["last_lead_date"]):
        return
    st.sidebar.info(
        f"Leads up to {pd.Timestamp(row['last_lead_date']):%d %b %Y}, loaded "
        f"{format.ago(pd.Timestamp(row['loaded_at']).to_pydatetime())}.",
        icon=":material/update:",
    )


def stop_if_empty(frame: pd.DataFrame) -> None:
    """Say plainly that nothing matches, instead of drawing empty charts."""
    if frame.empty:
        st.info(EMPTY_STATE, icon=":material/filter_alt_off:")
        st.stop()


def current_filters() -> Filters:
    """The filters the frame drew in the sidebar for this run."""
    return st.session_state["filters"]


def tiles(numbers: list[tuple]) -> None:
    """Big numbers in a row, each as (label, shown value, one-line definition), optionally
    followed by the change against the previous period and whether lower is better."""
    for column, (label, value, definition, *change) in zip(
        st.columns(len(numbers)), numbers, strict=True
    ):
        delta, lower_is_better = (change + [None, False])[:2]
        with column, st.container(border=True, height="stretch"):
            st.metric(
                label, value, delta=delta, delta_color="inverse" if lower_is_better else "normal"
            )
            st.caption(definition)


def tighten_top_margin() -> None:
    """Less blank space above the title, so the numbers fit a shared screen."""
    st.html(
        "<style>.block-container, [data-testid='stMainBlockContainer'] "
        "{padding-top: 2.5rem;}</style>"
    )
