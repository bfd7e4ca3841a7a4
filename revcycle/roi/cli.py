"""The ``roi`` command: per channel, what was spent and what it brought in, for a scheduled mail
or a spreadsheet."""

from datetime import date

import duckdb
import pandas as pd

from revcycle import settings
from revcycle.attribution import report as attribution
from revcycle.cli_report import (
    add_period_and_scope,
    amount,
    check_period_and_scope,
    one_line,
    say_notes,
    scope,
    write_csv,
)
from revcycle.db import execute
from revcycle.roi import report

ALL_TIME = (date(1900, 1, 1), date(9999, 12, 31))
# The CSV's columns, and the table's headings for them.
HEADINGS = {
    "channel": "channel",
    "spend": "spend",
    "currency": "currency",
    "leads": "leads",
    "opportunities": "opps",
    "won_deals": "won",
    "won_revenue": "won revenue",
    "cost_per_lead": "cost/lead",
    "cost_per_opportunity": "cost/opp",
    "cac": "CAC",
    "roi": "ROI",
    "payback": "payback",
}


def add_parser(commands) -> None:
    """The ``roi`` command's arguments, on the main parser's sub-commands."""
    parser = commands.add_parser(
        "roi", help="spend, cost per opportunity, CAC and ROI per channel under a model"
    )
    parser.add_argument(
        "--model",
        choices=report.MODELS,
        default=report.LEAD_SOURCE,
        help="how won revenue is credited to channels (default: the lead's source)",
    )
    parser.add_argument(
        "--cohort",
        action="store_true",
        help="set the period's spend against what its leads brought in at any time since",
    )
    add_period_and_scope(parser)


def run(con: duckdb.DuckDBPyConnection, args) -> int:
    """Print the figures per channel; exit code 0, also when nothing is in the period."""

    def query(name, **params):
        return execute(con, name, **params)

    check_period_and_scope(query, args)
    start, end = _period(query, args)
    figures = report.per_channel(
        query,
        args.model,
        start,
        end,
        scope(args),
        cohort=args.cohort,
        default_currency=settings.currency(),
    )
    say_notes([*figures.refusals, *_trust_notes(query, args, start, end), *figures.notes])
    if args.format == "csv":
        write_csv(csv_frame(figures))
        return 0
    mode = "their leads' revenue at any time" if args.cohort else "revenue in the same period"
    print(f"{report.MODEL_NAMES[args.model]}: {start} to {end}, spend against {mode}")
    for line in table_lines(csv_frame(figures, thousands=","), figures.rows):
        print(line)
    return 0


def _trust_notes(query, args, start, end) -> list[str]:
    if args.model != "markov":
        return []
    _, trust = attribution.markov(query, "revenue", start, end, scope(args))
    return [f"the data-driven figures are not to be trusted: {why}" for why in trust.reasons]


def _period(query, args):
    """The dates asked for; without them, the data's first and last day (all time while no
    lead or deal is loaded, so spend alone still shows)."""
    if args.start and args.end:
        return args.start, args.end
    period = query("metrics/data_period").iloc[0]
    first, last = pd.Timestamp(period["first_date"]), pd.Timestamp(period["last_date"])
    first = ALL_TIME[0] if pd.isna(first) else first.date()
    last = ALL_TIME[1] if pd.isna(last) else last.date()
    return args.start or first, args.end or last


SEVERAL = "several currencies"  # a spend not added up, in the terminal's table


def csv_frame(figures: report.Figures, thousands: str = "") -> pd.DataFrame:
    """One row per channel, then the total of the channels with spend. Amounts are exact, to
    the cent; a missing figure is an empty cell (the notes say why), never 0 or infinity."""
    rows = figures.rows

    def exact(value) -> str:
        return "" if pd.isna(value) else amount(int(value), thousands)

    def to_the_cent(value) -> str:
        return "" if pd.isna(value) else f"{value:{thousands}.2f}"

    return pd.DataFrame(
        {
            "channel": rows["channel"].map(one_line),
            "spend": rows["spend_cents"].map(exact),
            # The spend's, per row: empty where it has several, or none is stated nor set.
            "currency": rows["currency"].where(rows["currency"].notna(), ""),
            "leads": rows["count_leads"],
            "opportunities": rows["count_opportunities"],
            "won_deals": rows["count_new_customers"],
            # In the deals' currency: left out where it cannot stand beside the spend's.
            "won_revenue": rows["won_cents"].map(exact).where(rows["is_returnable"], ""),
            "cost_per_lead": rows["cost_per_lead"].map(to_the_cent),
            "cost_per_opportunity": rows["cost_per_opportunity"].map(to_the_cent),
            "cac": rows["cac"].map(to_the_cent),
            "roi": rows["roi"].round(4),
            # Beside the spend, as the page's second table: the pipeline credited, what a unit
            # spent brought back in won revenue (ROAS) and in pipeline, and the payback.
            "pipeline": rows["pipeline_cents"].map(exact).where(rows["is_returnable"], ""),
            "won_per_spent": rows["won_per_spent"].round(4),
            "pipeline_per_spent": rows["pipeline_per_spent"].round(4),
            "payback": rows["payback"].where(rows["payback"].notna(), ""),
        }
    )


def table_lines(frame: pd.DataFrame, rows: pd.DataFrame) -> list[str]:
    """The CSV's rows aligned for a terminal: "no spend recorded" where there is none, "several
    currencies" where it is not added up, "–" for another missing figure."""
    shown = frame.astype(object).where(frame.notna() & (frame != ""), "–")
    shown["spend"] = shown["spend"].mask(rows["is_spend_mixed"].to_numpy(), SEVERAL)
    shown["spend"] = shown["spend"].mask(~rows["has_spend"].to_numpy(), report.NO_SPEND)
    shown["roi"] = [value if value == "–" else f"{value:.1%}" for value in shown["roi"]]
    shown = shown.astype(str)
    widths = {
        column: max(len(heading), *shown[column].str.len()) for column, heading in HEADINGS.items()
    }
    rows = [HEADINGS, *shown.to_dict("records")]
    return [
        "  ".join(_aligned(row[column], widths[column], column) for column in HEADINGS)
        for row in rows
    ]


def _aligned(text: str, width: int, column: str) -> str:
    return f"{text:<{width}}" if column in ("channel", "currency") else f"{text:>{width}}"
