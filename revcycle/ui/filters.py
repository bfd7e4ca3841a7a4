"""The shared sidebar filters: period preset or dates, channels, owners, segments.

Every page file draws its own filter widgets, and Streamlit keeps a widget's state per page.
So the filters live in session state under the widgets' keys and travel with the person:
- arriving on a page, its widgets are set from the URL (a shared link, the frame's navigation
  links) or, when the URL has none, from the page before;
- after every run the URL is rewritten from the widgets, so the address bar always holds the
  exact view and a shared link reproduces it.
A page's own choices that change what it shows (a tab, a model, a mode, a version compared) go
into the link the same way, through ``linked_choice`` (``linked_tabs``, ``linked_number``): read
from the link on arrival, written back after every run, each left out at its default.
Values in a link that the data does not have are left out and said so, never guessed.
The agreed response time is not a filter: every lead is judged by the agreement in force when it
was created (revcycle.agreements), so two screens never show two different "Within agreed time"
figures.
"""

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import pandas as pd
import streamlit as st

from revcycle import filter_values, periods, settings
from revcycle.periods import DEFAULT_PRESET, PRESETS, preset_period
from revcycle.ui import format
from revcycle.ui.data import run

FILTER_KEYS = ("preset", "period", "channel", "owner", "segment")
# Parameters older links carry that no longer set anything: on arrival the notice says why and
# the address bar drops them. "sla" was the sidebar's response time before agreements.
RETIRED = {
    "sla": "the response time now comes from the agreement, per channel and in force when "
    "each lead was created (see Follow-up), so left out",
}
MULTI_FILTERS = (
    ("channel", "Channels", "All channels"),
    ("owner", "Owners", "All owners"),
    ("segment", "Segments", "All segments"),
)
CARRIED = "carried_filters"  # session state: the filters as URL values, for the next page
ON_PAGE = "filters_drawn_on"  # session state: the page that drew the filters last
ARRIVED_WITH = "arrived_with"  # session state: the link's other parameters, on arrival
PAGE_NOTES = "link_notes"  # session state: notes on the page's own parameters, this run
PRESET_BY_LABEL = {label.lower(): preset for preset, label in PRESETS.items()}
MAX_NAMED = 5  # a notice names at most this many of a filter's values and counts the rest
MAX_QUOTED = 40  # characters of a link's value a notice quotes


class Read(NamedTuple):
    """A filter's value read from a link (None: left out), and a note when it was changed."""

    value: object
    note: str | None


@dataclass(frozen=True)
class Filters:
    start_date: date
    end_date: date
    channels: list[str] | None  # None: no filter
    owners: list[str] | None
    segments: list[str] | None
    period_label: str = ""  # the period as the heading names it: "last 12 weeks", or its dates
    # The chosen channels no lead or deal has: only touches' or spend's (see not_lead_sources).
    not_lead_sources: tuple[str, ...] = ()
    # The chosen channels no lead has: those above, and "(no lead)" (see without_leads).
    without_leads: tuple[str, ...] = ()

    @property
    def chooses_no_lead_source(self) -> bool:
        """Whether channels are chosen and no lead or deal has any of them."""
        return filter_values.chooses_none_of_the_lead_sources(self.channels, self.not_lead_sources)

    @property
    def chooses_no_leads(self) -> bool:
        """Whether channels are chosen and no lead has any of them."""
        return bool(self.without_leads) and len(self.without_leads) == len(self.channels)

    def params(self) -> dict:
        """The bound parameters every metric query takes."""
        return {
            "start_date": self.start_date,
            "end_date": self.end_date,
            "channels": self.channels,
            "owners": self.owners,
            "segments": self.segments,
        }


class DataDays(NamedTuple):
    """The first and last day with data (events or spend), the day it is as of (where presets
    end) and the last event's day: the as-of day, unless some event is dated after the data was
    loaded (metrics/data_period)."""

    first: date
    as_of: date
    last: date
    last_event: date


def data_days() -> DataDays:
    """The data's days. With spend but no lead or deal loaded (the first upload over the
    sample can be spend alone), the spend's days, as of its last; with neither (touches
    alone), today for all, so every page can show its empty state."""
    row = run("metrics/data_period").iloc[0]
    if pd.isna(row["first_date"]):
        return DataDays(*[settings.today()] * len(DataDays._fields))
    days = {day: row[f"{day}_date"] for day in DataDays._fields}
    for day in ("as_of", "last_event"):  # no event: the spend's last day
        days[day] = row["last_date"] if pd.isna(days[day]) else days[day]
    return DataDays(**{day: pd.Timestamp(value).date() for day, value in days.items()})


def funnel_start() -> periods.FunnelStart | None:
    """Where a comparison of the funnel's numbers can begin (periods.funnel_start): spend or
    deals exported further back than the leads do not move it."""
    return periods.funnel_start(run("metrics/data_period").iloc[0])


def in_url() -> dict[str, list[str]]:
    """The filters' query parameters as the address bar holds them now."""
    return {key: st.query_params.get_all(key) for key in FILTER_KEYS if key in st.query_params}


def _quoted(values: list[str]) -> str:
    """A link's values as a notice quotes them: at most MAX_NAMED, each cut at MAX_QUOTED
    characters, so a link of a thousand long values still gets one short line."""
    named = [
        repr(value if len(value) <= MAX_QUOTED else value[:MAX_QUOTED] + "…")
        for value in values[:MAX_NAMED]
    ]
    rest = len(values) - len(named)
    return ", ".join(named) + (f" and {rest:,} more" if rest else "")


def _preset_from(values: list[str]) -> Read:
    text = values[0].strip()
    preset = text if text in PRESETS else PRESET_BY_LABEL.get(text.lower())
    return Read(preset, None if preset else "not a period the dashboard offers, so left out")


def _period_from(values: list[str], first_date: date, last_date: date) -> Read:
    try:
        days = [date.fromisoformat(value.strip()) for value in values]
    except ValueError:
        days = []
    if not 1 <= len(days) <= 2:
        return Read(None, "not one or two dates written YYYY-MM-DD, so left out")
    # In order and inside the data's days: the date picker refuses anything else.
    period = tuple(min(max(day, first_date), last_date) for day in (min(days), max(days)))
    if [f"{day}" for day in period] == values:  # as the page writes it back: not changed
        return Read(period, None)
    return Read(period, f"read as {period[0]} – {period[1]}, the days the data holds")


def _whole_number_from(values: list[str], low: int, high: int, unit: str) -> Read:
    try:
        number = float(values[0])
    except ValueError:
        number = math.nan
    if not math.isfinite(number):  # "inf", "1e309" and "nan" are floats too
        return Read(None, f"not a number of {unit}, so left out")
    whole = min(max(round(number), low), high)
    if f"{whole}" == values[0]:  # as the page writes it back: not changed
        return Read(whole, None)
    return Read(whole, f"read as {whole}, in whole {unit} from {low} to {high}")


def _widget_values(url: dict[str, list[str]], bounds: tuple[date, date], options: dict) -> tuple:
    """Widget values from URL values, and a note for each value that was left out or changed."""
    values, notes = {}, []
    readers = {
        "preset": _preset_from,
        "period": lambda given: _period_from(given, *bounds),
    }
    for key, read in readers.items():
        given = url.get(key, [])
        if not given:
            continue
        if key != "period" and len(given) > 1:  # a repeated parameter: its first value counts
            notes.append(f"{key} given {len(given):,} times, so only the first is read")
            given = given[:1]
        value, note = read(given)
        if value is not None:
            values[key] = value
        if note:
            notes.append(f"{key} {_quoted(given)}: {note}")
    if "period" in values and "preset" not in url:  # dates alone: the link means those dates
        values["preset"] = "custom"
    for key, *_ in MULTI_FILTERS:
        given = list(dict.fromkeys(url.get(key, [])))  # each value once, in the link's order
        known = set(options[key])
        values[key] = [value for value in given if value in known]
        unknown = [value for value in given if value not in known]
        if unknown:
            notes.append(f"{key} {_quoted(unknown)}: not in the data, so left out")
    return values, notes


def _arrive(page: str, bounds: tuple[date, date], options: dict) -> list[str]:
    """On arriving at ``page``, set its widgets from the URL, or else from the page before.

    Only on arrival: on the same page the widgets hold the truth, and a URL without filters
    means they were reset. Returns a note on each value of the link that was left out or
    changed, and keeps the page's other parameters for ``LinkNotice.say``.
    """
    if st.session_state.get(ON_PAGE) == page:
        return []
    st.session_state[ON_PAGE] = page
    retired = [
        f"{key} {_quoted(st.query_params.get_all(key))}: {why}"
        for key, why in RETIRED.items()
        if key in st.query_params
    ]
    for key in RETIRED:
        st.query_params.pop(key, None)
    st.session_state[ARRIVED_WITH] = {
        key: st.query_params.get_all(key) for key in st.query_params if key not in FILTER_KEYS
    }
    url = in_url() or st.session_state.get(CARRIED, {})
    values, notes = _widget_values(url, bounds, options)
    notes += retired
    for key in FILTER_KEYS:
        st.session_state.pop(key, None)
    st.session_state.update(values)
    return notes


def from_link(key: str) -> list[str] | None:
    """On arrival, the values a link gave the page's own parameter ``key`` (None if none),
    taken so the notice does not report them; ``link_note`` says what was not taken."""
    return st.session_state.get(ARRIVED_WITH, {}).pop(key, None)


def link_note(key: str, given: list[str], note: str) -> None:
    """Say, in the notice under the filters, what became of the link's ``key``."""
    st.session_state.setdefault(PAGE_NOTES, []).append(f"{key} {_quoted(given)}: {note}")


def linked_choice(
    name: str,
    key: str,
    options: Iterable,
    default: object,
    what: str,
    *,
    shown: Callable[[object], str] = str,
    written: Callable[[object], str] = str,
) -> object:
    """A page's own choice, one of ``options``, kept in session state under ``key`` (the
    widget's key) and part of the link as ``?name=``, each option written ``written(option)``.

    The link's value is taken on arrival when it names an option; else the session's choice
    stands, else ``default``. A link's other value is said (not ``what``, so ``shown(choice)``
    is shown), never dropped silently. The URL is written back from the choice, left out at
    the default, so a plain link stays short. Call it just before drawing the widget: the
    widget then shows the choice returned."""
    by_text = {written(option): option for option in options}
    linked = from_link(name)
    if linked and linked[0] in by_text:
        st.session_state[key] = by_text[linked[0]]
    chosen = st.session_state.get(key)
    if chosen not in by_text.values():  # none yet, a choice clicked off, or one gone
        chosen = st.session_state[key] = default
    if linked and (linked[0] not in by_text or len(linked) > 1):
        link_note(name, linked, f"not {what}, so {shown(chosen)} is shown")
    _write_param(name, None if chosen == default else written(chosen))
    return chosen


def linked_tabs(name: str, tabs: dict[str, str], key: str) -> Sequence:
    """``st.tabs`` whose open tab is part of the link: ``tabs`` maps how the link writes each
    tab (``?name=owner``) to its label; the first tab is the default, left out of the link.

    Streamlit's tabs keep the open tab's label under ``key`` once they rerun the page when
    another is opened (1.67's ``on_change="rerun"``); plain tabs keep it in the browser alone,
    where no link can see it. Every tab's content is still drawn, as with plain tabs: what a
    page's tabs show comes from queries it runs anyway, and the browser opens the tab at once."""
    labels = list(tabs.values())
    code = {label: code for code, label in tabs.items()}
    linked_choice(name, key, labels, labels[0], "a tab of this page", written=code.get)
    return st.tabs(labels, key=key, on_change="rerun")


def linked_number(label: str, key: str, bounds: tuple[int, int], default: int, unit: str) -> int:
    """A page's own number input ``key`` of whole ``unit`` within ``bounds``, read from the link
    on arrival as the filters' numbers are, and mirrored in the URL. Streamlit's
    ``bind="query-params"`` breaks the page on an int input given "inf" (its int(float("inf"))
    raises), so this one reads the link itself."""
    low, high = bounds
    given = from_link(key)
    if given:
        value, note = _whole_number_from(given[:1], low, high, unit)
        if value is not None:
            st.session_state[key] = value
        if len(given) > 1:
            note = f"given {len(given):,} times, so only the first is read"
        if note:
            link_note(key, given, note)
    st.session_state.setdefault(key, default)
    value = st.number_input(label, low, high, step=1, key=key)
    _write_param(key, None if value == default else f"{value}")
    return value


def _write_param(name: str, value: str | None) -> None:
    """A page's own parameter in the address bar: ``value``, or left out when None."""
    if value is None:
        st.query_params.pop(name, None)
    elif st.query_params.get_all(name) != [value]:
        st.query_params[name] = value


@dataclass
class LinkNotice:
    """The one line saying what a link asked for that a page could not show, under the filters'
    heading. Written once the page has drawn, after its own choices (linked_choice) read theirs."""

    slot: object  # an st.empty() in the sidebar
    notes: list[str]

    def say(self) -> None:
        notes = self.notes + st.session_state.pop(PAGE_NOTES, [])
        # The link's values no widget on the page took (one its mode does not show) are not
        # taken on a later run: a link is read on arrival only.
        st.session_state.pop(ARRIVED_WITH, None)
        if notes:
            # The link's values are anyone's text: plain, never Markdown.
            self.slot.caption(format.plain("Changed from the link: " + "; ".join(notes) + "."))


def _defaults(days: DataDays) -> dict:
    start, end = preset_period(DEFAULT_PRESET, days.as_of)
    return {
        "preset": DEFAULT_PRESET,
        "period": (max(start, days.first), end),
        "channel": [],
        "owner": [],
        "segment": [],
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


def _period(days: DataDays) -> tuple[date, date]:
    first_date, last_date = days.first, days.last
    preset = st.selectbox(
        "Period",
        list(PRESETS),
        format_func=PRESETS.get,
        key="preset",
        help="Presets end on the last day with data; All time starts on the first. Events "
        "(lead created, MQL, SQL, deal created, deal won) count when they fall in the period, "
        "both days included. An event dated after the data was loaded (a typo) is in All "
        "time and custom dates only.",
    )
    if preset != "custom":
        start, end = preset_period(preset, days.as_of, first_date, last_date)
        start, end = max(start, first_date), max(min(end, last_date), first_date)
        st.caption(f"{start:%d %b %Y} – {end:%d %b %Y}")
        if days.as_of < days.last_event:
            latest, as_of = f"{days.last_event:%d %b %Y}", f"{days.as_of:%d %b %Y}"
            st.caption(
                f"Some events are dated after the data was loaded (the latest {latest}): "
                f"typos, which the upload warned about. Presets end on {as_of}; All time "
                "includes them."
            )
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


NOT_A_LEAD_SOURCE = "not a lead source"


def sidebar(page: str) -> tuple[Filters, LinkNotice]:
    """Draw the filters in the sidebar for ``page``; the current selection, and the notice
    on what a link asked for that the page cannot show, for the frame to write last."""
    days = data_days()
    options, others = filter_values.offered(run), filter_values.not_lead_sources(run)
    leadless = filter_values.without_leads(run)
    shown_as = {
        "channel": lambda name: f"{name} ({NOT_A_LEAD_SOURCE})" if name in others else name,
    }
    notes = _arrive(page, (days.first, days.last), options)
    defaults = _defaults(days)
    for key, default in defaults.items():
        st.session_state.setdefault(key, default)
    with st.sidebar:
        st.header("Filters")
        notice = LinkNotice(st.empty(), notes)
        start_date, end_date = _period(days)
        chosen = {
            dimension: st.multiselect(
                label,
                options[dimension],
                format_func=shown_as.get(dimension, str),
                key=dimension,
                placeholder=placeholder,
            )
            for dimension, label, placeholder in MULTI_FILTERS
        }
        st.button("Reset filters", key="reset_filters", width="stretch", on_click=_reset)
    _write_url(defaults)
    selection = Filters(
        start_date,
        end_date,
        chosen["channel"] or None,
        chosen["owner"] or None,
        chosen["segment"] or None,
        _period_label(st.session_state["preset"], start_date, end_date),
        tuple(channel for channel in chosen["channel"] if channel in others),
        tuple(channel for channel in chosen["channel"] if channel in leadless),
    )
    return selection, notice


def _period_label(preset: str, start_date: date, end_date: date) -> str:
    if preset == "custom":
        return f"{start_date:%d %b %Y} – {end_date:%d %b %Y}"
    label = PRESETS[preset]
    return label[:1].lower() + label[1:]
