"""The shared sidebar filters: period, channels, owners, segments, mirrored in the URL.

Every filter widget is bound to a query parameter (``bind="query-params"``), so the address
bar always holds the exact view and a shared link reproduces it.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from revcycle.ui.data import run

DEFAULT_WEEKS = 12
DEFAULT_SLA_HOURS = 24
MULTI_FILTERS = (
    ("channel", "Channels", "All channels"),
    ("owner", "Owners", "All owners"),
    ("segment", "Segments", "All segments"),
)


@dataclass(frozen=True)
class Filters:
    start_date: date
    end_date: date
    channels: list[str] | None  # None: no filter
    owners: list[str] | None
    segments: list[str] | None
    sla_hours: float  # the response time marketing and sales agreed on

    def params(self) -> dict:
        """The bound parameters every metric query takes."""
        return {
            "start_date": self.start_date,
            "end_date": self.end_date,
            "channels": self.channels,
            "owners": self.owners,
            "segments": self.segments,
        }


def data_bounds() -> tuple[date, date]:
    """The first and last day with data."""
    row = run("metrics/data_period").iloc[0]
    return pd.Timestamp(row["first_date"]).date(), pd.Timestamp(row["last_date"]).date()


def _reset() -> None:
    # Forgetting a widget's state (in a callback, before the widgets are drawn again) brings
    # back its default; its query parameter goes with it.
    for key in ("period", "sla", *(dimension for dimension, _, _ in MULTI_FILTERS)):
        st.session_state.pop(key, None)


def sidebar() -> Filters:
    """Draw the filters in the sidebar and return the current selection."""
    first_date, last_date = data_bounds()
    default_period = (
        max(first_date, last_date - timedelta(weeks=DEFAULT_WEEKS) + timedelta(days=1)),
        last_date,
    )
    values = run("metrics/filter_values")
    with st.sidebar:
        st.header("Filters")
        period = st.date_input(
            "Period",
            value=default_period,
            min_value=first_date,
            max_value=last_date,
            key="period",
            bind="query-params",
            help="Events (lead created, MQL, SQL, deal created, deal won) that fall in these "
            "days, both included.",
        )
        selections = {}
        for dimension, label, placeholder in MULTI_FILTERS:
            options = values.loc[values["dimension"] == dimension, "dimension_value"].tolist()
            selections[dimension] = st.multiselect(
                label, options, key=dimension, bind="query-params", placeholder=placeholder
            )
        sla_hours = st.number_input(
            "Agreed response time (hours)",
            min_value=1,
            max_value=24 * 14,
            value=DEFAULT_SLA_HOURS,
            step=1,
            key="sla",
            bind="query-params",
            help="The follow-up SLA: how soon after a lead arrives sales should contact it.",
        )
        st.button(
            "Reset filters",
            key="reset_filters",
            width="stretch",
            on_click=_reset,
        )
    # While a range is half picked, the widget holds one date: keep the period one day long.
    start_date = period[0] if period else default_period[0]
    end_date = period[1] if len(period) > 1 else start_date
    return Filters(
        start_date,
        end_date,
        selections["channel"] or None,
        selections["owner"] or None,
        selections["segment"] or None,
        float(sla_hours),
    )
