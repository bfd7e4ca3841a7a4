"""The attribution page's data and figures: the report's results cached per view, and the
charts that compare the models."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from revcycle import settings
from revcycle.attribution import report
from revcycle.attribution.markov import Trust
from revcycle.attribution.models import MODEL_NAMES, MODELS
from revcycle.chart_text import LEGEND_BESIDE, name_ticks
from revcycle.paths import db_path
from revcycle.ui.charts import as_text, bar_by_channel, house_layout
from revcycle.ui.data import run, version

# One colour per model (Paul Tol's muted scheme, colour-blind safe); Markov's turns grey when
# its figures are not to be trusted.
MODEL_COLORS = dict(
    zip(
        MODELS,
        ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#AA4499"),
        strict=True,
    )
)
UNTRUSTED = "#BBBBBB"


def _scope(params: dict) -> dict:
    return {name: params[name] for name in ("channels", "owners", "segments")}


# Credit is computed in Python from cached query results: caching the result as well makes a
# switch back to a model seen before instant. The database file and its data version are in
# the key, so a new upload never shows old credit.
@st.cache_data(show_spinner=False, max_entries=200)
def _side_by_side(
    db_file: str, version: int, basis: str, params: dict, by_currency: bool, default: str | None
) -> pd.DataFrame:
    start, end = params["start_date"], params["end_date"]
    return report.all_models(run, basis, start, end, _scope(params), by_currency, default)


@st.cache_data(show_spinner=False, max_entries=200)
def _markov(db_file: str, version: int, basis: str, params: dict) -> Trust:
    return report.markov(run, basis, params["start_date"], params["end_date"], _scope(params))[1]


def side_by_side(basis: str, params: dict, by_currency: bool = False) -> pd.DataFrame:
    """Every model's credited cents per channel, with the spread (report.all_models); with
    ``by_currency``, per channel and currency."""
    default = settings.currency() if by_currency else None
    return _side_by_side(str(db_path()), version(), basis, params, by_currency, default)


def markov_trust(basis: str, params: dict) -> Trust:
    """Whether the Markov figures rest on enough journeys, and why not."""
    return _markov(str(db_path()), version(), basis, params)


def deals_without_amount(basis: str, params: dict) -> tuple[int, int]:
    """How many of the credited deals have no amount, of how many (report's counts)."""
    start, end = params["start_date"], params["end_date"]
    return report.deals_without_amount(run, basis, start, end, _scope(params))


@st.cache_data(show_spinner=False, max_entries=200)
def _one_model(db_file: str, version: int, model: str, basis: str, params: dict) -> pd.DataFrame:
    start, end = params["start_date"], params["end_date"]
    return report.attribution(run, model, basis, start, end, _scope(params))


def one_model(model: str, basis: str, params: dict) -> pd.DataFrame:
    """The chosen model's rows (report.attribution: channel, credited deals and cents, share)."""
    return _one_model(str(db_path()), version(), model, basis, params)


@st.cache_data(show_spinner=False, max_entries=200)
def _per_currency(
    db_file: str, version: int, model: str, basis: str, params: dict, default: str | None
) -> pd.DataFrame:
    start, end = params["start_date"], params["end_date"]
    return report.per_currency(run, model, basis, start, end, _scope(params), default)


def per_currency(model: str, basis: str, params: dict) -> pd.DataFrame:
    """The chosen model's credit per channel and currency (report.per_currency)."""
    return _per_currency(str(db_path()), version(), model, basis, params, settings.currency())


def top_paths(channel: str, basis: str, params: dict) -> pd.DataFrame:
    """The most common journeys through ``channel`` (report.top_paths)."""
    return report.top_paths(
        run, channel, basis, params["start_date"], params["end_date"], _scope(params)
    )


# Every model's bars for one channel: a row this tall (eight bars and the gap to the next).
MODELS_ROW_PX = 64
MODELS_FRAME_PX = 150


def models_grouped(wide: pd.DataFrame, unit: str, markov_ok: bool) -> go.Figure:
    """Grouped bars: per channel a row, one bar per model, in the models' colours and the
    legend's order; the chart grows a row per channel, a long name shortened on the axis and
    whole in the hover, and the legend stands right of the bars, never over them."""
    channels = wide["channel"].map(as_text).tolist()
    figure = go.Figure()
    for model in MODELS:
        untrusted = model == "markov" and not markov_ok
        figure.add_trace(
            go.Bar(
                y=channels,
                x=(wide[model] / 100).tolist(),
                orientation="h",
                name=MODEL_NAMES[model],
                # Hatched as well as grey, so it reads as "not to be trusted" without colour.
                marker={
                    "color": UNTRUSTED if untrusted else MODEL_COLORS[model],
                    "pattern": {"shape": "/" if untrusted else ""},
                },
                # The whole name: %{y} would show the axis's shortened one.
                customdata=channels,
                hovertemplate="%{fullData.name}<br>%{customdata}: %{x:,.2f}<extra></extra>",
            )
        )
    figure.update_layout(
        barmode="group",
        bargap=0.2,
        xaxis_title=as_text(unit or "amount"),
        legend=LEGEND_BESIDE,
    )
    # The first channel on top, and in each row the models from the top in the legend's order.
    figure.update_yaxes(autorange="reversed", **name_ticks(wide["channel"]))
    height = MODELS_FRAME_PX + MODELS_ROW_PX * len(channels)
    return house_layout(figure, "Credit per channel under every model", height)


def spread_bars(wide: pd.DataFrame, unit: str) -> go.Figure:
    """Per channel, how far apart the models are: highest credit − lowest, largest on top; a
    channel whose spread is unknown (a model credits it only deals without an amount) has none."""
    return bar_by_channel(
        wide.assign(spread=wide["spread_cents"] / 100).dropna(subset=["spread"]),
        "spread",
        "How much each channel's credit depends on the model",
        f"highest − lowest credit {unit}".strip(),
        colors={},  # one colour: the bars compare channels, not tell them apart
    )
