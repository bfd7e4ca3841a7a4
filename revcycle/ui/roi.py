"""Cost and return per channel on the pages: the report (revcycle.roi.report) cached per view,
the Revenue page's section (the model and the cohort toggle, tables, chart, notes) and the
Overview's two tiles."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from revcycle import settings
from revcycle.chart_text import LEGEND_BESIDE, name_ticks
from revcycle.paths import db_path
from revcycle.roi import report
from revcycle.roi.currency import UNSTATED
from revcycle.roi.report import Figures
from revcycle.ui import attribution, filters, format, money, page, tables
from revcycle.ui.charts import NEUTRAL, as_text, house_layout
from revcycle.ui.data import run, version

SPEND_COLOR = "#BBBBBB"
COHORT_WORDS = {
    False: "Same period: revenue won, and pipeline created, in the period.",
    True: "Cohort: what the period's leads brought in at any time since.",
}


# The figures are put together in Python from cached query results: caching them as well makes
# a switch back to a model or mode seen before instant. The database file, its data version and
# the currency setting are in the key, so a new upload never shows old figures.
@st.cache_data(show_spinner=False, max_entries=200)
def _figures(
    db_file: str, data_version: int, currency: str | None, request: tuple, params: dict
) -> Figures:
    model, cohort, brief = request
    return report.per_channel(
        run,
        model,
        params["start_date"],
        params["end_date"],
        params,
        cohort=cohort,
        default_currency=currency,
        brief=brief,
    )


def figures(model: str, cohort: bool, params: dict, brief: bool = False) -> Figures:
    """Cost and return per channel for the view (report.per_channel)."""
    request = (model, cohort, brief)
    return _figures(str(db_path()), version(), settings.currency(), request, params)


def spend_currency(found: Figures) -> money.Currency:
    """The currency of the channels' spend, to show its amounts in (the total row's): mixed
    when their spend is in several, each row then in its own; with no spend in the period, the
    spend's currency over all of it."""
    total = found.rows[found.rows["is_total"]].iloc[0]
    code = total["currency"] if total["has_spend"] else found.money.currency
    return money.Currency(code=code, is_mixed=bool(total["is_spend_mixed"]), listed="")


def per_unit_spent(value, currency: money.Currency) -> str:
    """What one unit spent brought back, for a tile: "€3.42", "BRL 3.42", "3.42"."""
    if pd.isna(value):
        return "–"
    shown = format.multiple(value)
    if currency.code in money.SIGNS:
        return f"{money.SIGNS[currency.code]}{shown}"
    return f"{format.plain(currency.code)} {shown}" if currency.code else shown


def say_refusals(found: Figures) -> None:
    """Why kinds of figure cannot be shown (currencies, filters), each as a warning."""
    for refusal in found.refusals:
        # The currencies listed are the exports' own text: plain, never Markdown.
        st.warning(format.plain(refusal), icon=":material/currency_exchange:")


def overview_tiles(params: dict, revenue: money.Currency) -> None:
    """The Overview's tiles: won revenue per unit spent and cost per opportunity, of the
    channels with spend, crediting each deal to its lead's source as the other tiles do; and,
    under them, why a figure is withheld. The label names the spend's currency, or with no
    spend loaded the ``revenue``'s."""
    found = figures(report.LEAD_SOURCE, False, params, brief=True)
    total = found.rows[found.rows["is_total"]].iloc[0]
    spent = spend_currency(found)
    unit = (spent.unit if found.money.has_spend else revenue.unit) or "unit"
    if not total["has_spend"]:
        won, cost = report.NO_SPEND, report.NO_SPEND
    else:
        won = per_unit_spent(total["won_per_spent"], spent)
        cost = spent.whole(total["cost_per_opportunity"])
    page.tiles(
        [
            (
                f"Won revenue per {format.plain(unit)} spent",  # a code from the uploads
                won,
                "Won revenue of the channels with spend ÷ their spend in the period.",
            ),
            (
                "Cost per opportunity",
                cost,
                "Spend ÷ the opportunities of the channels with spend, in the period.",
            ),
        ]
    )
    for refusal in found.refusals:
        st.caption(format.plain(refusal))


def spend_and_return(found: Figures, unit: str) -> go.Figure:
    """Per channel with spend, what was spent beside the won revenue credited to it."""
    rows = found.rows[found.rows["has_spend"] & ~found.rows["is_total"]]
    rows = rows.sort_values("spend_cents")
    # No bar for a return that is not known (the model cannot credit the channel, or its
    # deals have no amount): the label says so, so no gap reads as nothing brought in.
    unknown = rows["won_cents"].isna().map({True: " (return unknown)", False: ""})
    channels = rows["channel"].map(as_text) + unknown
    figure = go.Figure(
        [
            go.Bar(
                y=channels,
                x=rows[column].astype(float) / 100,
                name=name,
                orientation="h",
                marker={"color": color},
                customdata=channels,  # the whole name, where the axis shortens it
                hovertemplate="%{fullData.name}<br>%{customdata}: %{x:,.2f}<extra></extra>",
            )
            for name, column, color in (
                ("Spend", "spend_cents", SPEND_COLOR),
                ("Won revenue credited", "won_cents", NEUTRAL),
            )
        ]
    )
    figure.update_layout(barmode="group", legend=LEGEND_BESIDE)
    figure.update_xaxes(title_text=as_text(unit or "amount"))
    # A long name shortened on the axis, whole in the hover; "(return unknown)" never cut.
    figure.update_yaxes(**name_ticks(rows["channel"], notes=unknown))
    return house_layout(figure, "Spend and the won revenue it brought in", 160 + 56 * len(rows))


def choose_view(params: dict) -> tuple[str, bool]:
    """The model that credits the revenue and the same-period / cohort toggle; both are part
    of the view, so they are read from the link once and kept in it. The data-driven model
    is said to be untrustworthy where it is, as on the Attribution page."""
    left, right = st.columns([2, 1])
    model = filters.linked_choice(
        "roi_model",
        "roi_model",
        report.MODELS,
        report.LEAD_SOURCE,
        "a model of cost and return",
        shown=report.MODEL_NAMES.get,
    )
    left.selectbox(
        "Revenue credited by", report.MODELS, format_func=report.MODEL_NAMES.get, key="roi_model"
    )
    cohort = filters.linked_choice(
        "roi_cohort",
        "roi_cohort",
        (False, True),
        False,
        "1 or 0",
        shown={False: "off", True: "on"}.get,
        written=lambda on: "1" if on else "0",
    )
    right.toggle("Cohort of the period's leads", key="roi_cohort")
    st.caption(f"{report.MODEL_SENTENCES[model]} {COHORT_WORDS[cohort]}")
    trust = attribution.markov_trust("revenue", params) if model == "markov" else None
    if trust is not None and not trust.ok:
        st.warning(
            "The data-driven (Markov) credit is not to be trusted here. "
            + format.plain(" ".join(trust.reasons)),  # they name channels: anyone's text
            icon=":material/warning:",
        )
    return model, cohort


def _in_unit(found: Figures, spent: money.Currency) -> pd.Series:
    """Per row, whether its credited revenue is shown: in its row's currency, which is the
    table's (or, in a table of several, named on the row)."""
    rows = found.rows
    same = rows["currency"].fillna(UNSTATED) == (spent.code or UNSTATED)
    return rows["is_returnable"] & (same | spent.is_mixed | _won_nothing(found))


def _won_nothing(found: Figures) -> pd.Series:
    """Per row, a channel without spend that was credited no deal: 0 in whatever currency."""
    rows = found.rows
    return ~rows["has_spend"] & (rows["count_won_currencies"] == 0)


def _shown(found: Figures, spent: money.Currency) -> pd.DataFrame:
    """The amounts in units of their currency, as the tables show them (to the cent); the
    credited revenue only where it stands beside the spend, in its currency."""
    rows = found.rows
    returnable = _in_unit(found, spent)
    return rows.assign(
        spend=rows["spend_cents"].astype(float) / 100,
        won=(rows["won_cents"].astype(float) / 100).where(returnable),
        pipeline=(rows["pipeline_cents"].astype(float) / 100).where(returnable),
        currency=rows["currency"].where(~rows["is_spend_mixed"], SEVERAL),
    )


SEVERAL = "several"  # the currency of a channel's spend in more than one


def _missing_spend(found: Figures) -> pd.Series:
    """Why a row shows no spend: none recorded, or recorded in several currencies."""
    mixed = found.rows["is_spend_mixed"]
    return mixed.map({True: "not added: several currencies", False: report.NO_SPEND})


# Short headings, so both tables fit a laptop screen beside the sidebar; the caption under
# them says what each is.
COST_COLUMNS = {
    "channel": ("Channel", "text"),
    "spend": ("Spend", "euro"),
    "count_leads": ("Leads", "count"),
    "cost_per_lead": ("Per lead", "euro"),
    "cost_per_mql": ("Per MQL", "euro"),
    "cost_per_sql": ("Per SQL", "euro"),
    "cost_per_opportunity": ("Per opportunity", "euro"),
    "count_new_customers": ("Customers", "count"),
    "cac": ("CAC", "euro"),
}


def _return_columns(found: Figures, spent: money.Currency) -> dict[str, tuple[str, str]]:
    """The return table's columns: the credited amounts only where they share the spend's
    currency, or each row names its own (else the revenue table above has them, in theirs)."""
    unit = spent.unit or "unit"
    amounts = {"won": ("Won revenue", "euro"), "pipeline": ("Pipeline", "euro")}
    return {
        "channel": ("Channel", "text"),
        "spend": ("Spend", "euro"),
        **(amounts if (_in_unit(found, spent) & ~_won_nothing(found)).any() else {}),
        "won_per_spent": (f"Won per {unit}", "multiple"),
        "pipeline_per_spent": (f"Pipeline per {unit}", "multiple"),
        "roi": ("ROI", "percent"),
        "payback": ("Payback", "text"),
    }


def show_tables(found: Figures, spent: money.Currency, returns: bool = True) -> None:
    """Spend and what each lead, MQL, SQL, opportunity and new customer cost; then (with
    ``returns``) spend beside the revenue and pipeline credited, per unit spent, ROI and
    payback."""
    specs = {"roi_costs": COST_COLUMNS}
    if returns:
        specs["roi_returns"] = _return_columns(found, spent)
    for key, spec in specs.items():
        if spent.is_mixed:  # each row's amounts in its own currency, which a column names
            channel, *others = spec.items()
            spec = dict([channel, ("currency", ("Currency", "text")), *others])
        tables.show(
            _shown(found, spent),
            spec,
            key=key,
            money_unit="" if spent.is_mixed else spent.unit,
            missing={"spend": _missing_spend(found)},
        )


def notes(found: Figures) -> None:
    """Why single figures are missing, one line each (channel names are uploads' text)."""
    for note in found.notes:
        st.caption(format.plain(note))
