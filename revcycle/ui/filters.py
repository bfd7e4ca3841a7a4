"""The shared sidebar filters: period preset or dates, channels, owners, segments, SLA.

Every page file draws its own filter widgets, and Streamlit keeps a widget's state per page.
So the filters live in session state under the widgets' keys and travel with the person:
- arriving on a page, its widgets are set from the URL (a shared link, the frame's navigation
  links) or, when the URL has none, from the page before;
- after every run the URL is rewritten from the widgets, so the address bar always holds the
  exact view and a shared link reproduces it.
Values in a link that the data does not have are left out and said so, never guessed.
"""

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from revcycle.periods import DEFAULT_PRESET, PRESETS, preset_period
from revcycle.ui import format
from revcycle.ui.data import run

DEFAULT_SLA_HOURS = 24
MAX_SLA_HOURS = 24 * 14
FILTER_KEYS = ("preset", "period", "channel", "owner", "segment", "sla")
MULTI_FILTERS = (
    ("channel", "Channels", "All channels"),
    ("owner", "Owners", "All owners"),
    ("segment", "Segments", "All segments"),
)
CARRIED = "carried_filters"  # session state: the filters as URL values, for the next page
ON_PAGE = "filters_drawn_on"  # session state: the page that drew the filters last
PRESET_BY_LABEL = {label.lower(): preset for preset, label in PRESETS.items()}


@dataclass(frozen=True)
class Filters:
    start_date: date
    end_date: date
    channels: list[str] | None  # None: no filter
    owners: list[str] | None
    segments: list[str] | None
    sla_hours: float  # the response time marketing and sales agreed on
    period_label: str = ""  # the period as the heading names it: "last 12 weeks", or its dates

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


def in_url() -> dict[str, list[str]]:
    """The filters' query parameters as the address bar holds them now."""
    return {key: st.query_params.get_all(key) for key in FILTER_KEYS if key in st.query_params}


def _preset_from(values: list[str]) -> str | None:
    text = values[0].strip() if values else ""
    return text if text in PRESETS else PRESET_BY_LABEL.get(text.lower())


def _period_from(values: list[str], first_date: date, last_date: date) -> tuple | None:
    try:
        days = sorted(date.fromisoformat(value.strip()) for value in values[:2])
    except ValueError:
        return None
    if not days:
        return None
    return tuple(min(max(day, first_date), last_date) for day in (days[0], days[-1]))


def _sla_from(values: list[str]) -> int | None:
    try:
        hours = int(float(values[0]))
    except (ValueError, IndexError):
        return None
    return hours if 1 <= hours <= MAX_SLA_HOURS else None


def _widget_values(url: dict[str, list[str]], bounds: tuple[date, date], options: dict) -> tuple:
    """Widget values from URL values, and a sentence for each value that had to be left out."""
    values, ignored = {}, []
    readers = {
        "preset": _preset_from,
        "period": lambda given: _period_from(given, *bounds),
        "sla": _sla_from,
    }
    for key, read in readers.items():
        if key in url:
            value = read(url[key])
            if value is None:
                ignored.append(f"{key} {', '.join(url[key])!r}")
            else:
                values[key] = value
    for key, *_ in MULTI_FILTERS:
        known = [value for value in url.get(key, []) if value in options[key]]
        ignored += [f"{key} {value!r}" for value in url.get(key, []) if value not in known]
        values[key] = known
    return values, ignored


def _arrive(page: str, bounds: tuple[date, date], options: dict) -> list[str]:
    """On arriving at ``page``, set its widgets from the URL, or else from the page before.

    Only on arrival: on the same page the widgets hold the truth, and a URL without filters
    means they were reset. Returns what a link asked for that the data does not have.
    """
    if st.session_state.get(ON_PAGE) == page:
        return []
    st.session_state[ON_PAGE] = page
    url = in_url() or st.session_state.get(CARRIED, {})
    values, ignored = _widget_values(url, bounds, options)
    for key in FILTER_KEYS:
        st.session_state.pop(key, None)
    st.session_state.update(values)
    return ignored


def _defaults(first_date: date, last_date: date) -> dict:
    start, end = preset_period(DEFAULT_PRESET, last_date)
    return {
        "preset": DEFAULT_PRESET,
        "period": (max(start, first_date), end),
        "channel": [],
        "owner": [],
        "segment": [],
        "sla": DEFAULT_SLA_HOURS,
    }


def _write_url(defaults: dict) -> None:
    """Mirror the widgets in the address bar; a filter at its default is left out."""
    shown = {key: st.session_state.get(key, default) for key, default in defaults.items()}
    if shown["preset"] != "custom":
        shown["period"] = defaults["period"]
    url = {
        "preset": [PRESETS[shown["preset"]]],
        "period": [f"{day:%Y-%m-%d}" for day in shown["period"]],
        "channel": list(shown["channel"]),
        "owner": list(shown["owner"]),
        "segment": list(shown["segment"]),
        "sla": [f"{shown['sla']:g}"],
    }
    for key in FILTER_KEYS:
        if shown[key] == defaults[key] or not url[key]:
            st.query_params.pop(key, None)
        elif st.query_params.get_all(key) != url[key]:
            st.query_params[key] = url[key]
    st.session_state[CARRIED] = in_url()


def _reset() -> None:
    # Forgetting the widgets' state (in a callback, before they are drawn again) brings back
    # their defaults; the URL follows at the end of the run.
    for key in FILTER_KEYS:
        st.session_state.pop(key, None)


def _period(first_date: date, last_date: date) -> tuple[date, date]:
    preset = st.selectbox(
        "Period",
        list(PRESETS),
        format_func=PRESETS.get,
        key="preset",
        help="Presets end on the last day with data; All time starts on the first. Events "
        "(lead created, MQL, SQL, deal created, deal won) count when they fall in the period, "
        "both days included.",
    )
    if preset != "custom":
        start, end = preset_period(preset, last_date, first_date)
        start, end = max(start, first_date), max(min(end, last_date), first_date)
        st.caption(f"{start:%d %b %Y} – {end:%d %b %Y}")
        return start, end
    held = st.session_state.get("period")
    if held:
        # The data can shrink under a session (the first real upload replaces the sample):
        # a period held from before is brought inside the new bounds, not refused.
        st.session_state["period"] = tuple(min(max(day, first_date), last_date) for day in held)
    period = st.date_input(
        "From – to",
        min_value=first_date,
        max_value=last_date,
        format="YYYY-MM-DD",
        key="period",
    )
    # While a range is half picked, the widget holds one date: keep the period one day long.
    start = period[0] if period else first_date
    return start, period[1] if len(period) > 1 else start


def sidebar(page: str) -> Filters:
    """Draw the filters in the sidebar for ``page`` and return the current selection."""
    first_date, last_date = data_bounds()
    values = run("metrics/filter_values")
    options = {
        dimension: values.loc[values["dimension"] == dimension, "dimension_value"].tolist()
        for dimension, *_ in MULTI_FILTERS
    }
    ignored = _arrive(page, (first_date, last_date), options)
    defaults = _defaults(first_date, last_date)
    for key, default in defaults.items():
        st.session_state.setdefault(key, default)
    with st.sidebar:
        st.header("Filters")
        if ignored:
            st.caption(
                "Not in the data, so left out of the link's filters: "
                + format.plain("; ".join(ignored))
            )
        start_date, end_date = _period(first_date, last_date)
        chosen = {
            dimension: st.multiselect(
                label, options[dimension], key=dimension, placeholder=placeholder
            )
            for dimension, label, placeholder in MULTI_FILTERS
        }
        sla_hours = st.number_input(
            "Agreed response time (hours)",
            min_value=1,
            max_value=MAX_SLA_HOURS,
            step=1,
            key="sla",
            help="The follow-up SLA: how soon after a lead arrives sales should contact it.",
        )
        st.button("Reset filters", key="reset_filters", width="stretch", on_click=_reset)
    _write_url(defaults)
    return Filters(
        start_date,
        end_date,
        chosen["channel"] or None,
        chosen["owner"] or None,
        chosen["segment"] or None,
        float(sla_hours),
        _period_label(st.session_state["preset"], start_date, end_date),
    )


def _period_label(preset: str, start_date: date, end_date: date) -> str:
    if preset == "custom":
        return f"{start_date:%d %b %Y} – {end_date:%d %b %Y}"
    label = PRESETS[preset]
    return label[:1].lower() + label[1:]
