"""The shared sidebar filters: period preset or dates, channels, owners, segments, SLA.

Every filter widget is bound to a query parameter (``bind="query-params"``), so the address
bar always holds the exact view and a shared link reproduces it.
"""

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from revcycle.periods import DEFAULT_PRESET, PRESETS, preset_period
from revcycle.ui.data import run

DEFAULT_SLA_HOURS = 24
FILTER_KEYS = ("preset", "period", "channel", "owner", "segment", "sla")
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
    for key in FILTER_KEYS:
        st.session_state.pop(key, None)


def _period(first_date: date, last_date: date) -> tuple[date, date]:
    preset = st.selectbox(
        "Period",
        list(PRESETS),
        index=list(PRESETS).index(DEFAULT_PRESET),
        format_func=PRESETS.get,
        key="preset",
        bind="query-params",
        help="Presets end on the last day with data. Events (lead created, MQL, SQL, deal "
        "created, deal won) count when they fall in the period, both days included.",
    )
    if preset != "custom":
        start, end = preset_period(preset, last_date)
        start, end = max(start, first_date), max(min(end, last_date), first_date)
        st.caption(f"{start:%d %b %Y} – {end:%d %b %Y}")
        return start, end
    default = preset_period(DEFAULT_PRESET, last_date)
    period = st.date_input(
        "From – to",
        value=(max(default[0], first_date), default[1]),
        min_value=first_date,
        max_value=last_date,
        format="YYYY-MM-DD",
        key="period",
        bind="query-params",
    )
    # While a range is half picked, the widget holds one date: keep the period one day long.
    start = period[0] if period else default[0]
    return start, period[1] if len(period) > 1 else start


def sidebar() -> Filters:
    """Draw the filters in the sidebar and return the current selection."""
    first_date, last_date = data_bounds()
    values = run("metrics/filter_values")
    with st.sidebar:
        st.header("Filters")
        start_date, end_date = _period(first_date, last_date)
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
        st.button("Reset filters", key="reset_filters", width="stretch", on_click=_reset)
    return Filters(
        start_date,
        end_date,
        selections["channel"] or None,
        selections["owner"] or None,
        selections["segment"] or None,
        float(sla_hours),
    )
