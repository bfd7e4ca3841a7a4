"""The ``attribution`` command: per channel, the deals and the amount a model credits it."""

import datetime

import duckdb
import pandas as pd

from revcycle import deal_gaps, settings
from revcycle.attribution import report
from revcycle.attribution.models import MODEL_NAMES, MODELS
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

# Without --start/--end every deal counts, whenever it was won (or created, for pipeline).
ALL_TIME = (datetime.date(1900, 1, 1), datetime.date(9999, 12, 31))


def add_parser(commands) -> None:
    """The ``attribution`` command's arguments, on the main parser's sub-commands."""
    parser = commands.add_parser(
        "attribution", help="credited deals and amount per channel under an attribution model"
    )
    parser.add_argument("--model", choices=MODELS, default="linear")
    parser.add_argument(
        "--basis",
        choices=report.BASES,
        default="revenue",
        help="revenue: deals won in the period; pipeline: deals created in it and still open",
    )
    add_period_and_scope(parser)


def run(con: duckdb.DuckDBPyConnection, args) -> int:
    """Print the model's credit per channel; exit code 0, also when no deal is in scope."""
    start, end = args.start or ALL_TIME[0], args.end or ALL_TIME[1]
    chosen = scope(args)

    def query(name, **params):
        return execute(con, name, **params)

    check_period_and_scope(query, args)
    currencies = query("metrics/amount_currencies", default_currency=settings.currency()).iloc[0]
    mixed = int(currencies["count_currencies"]) > 1
    say_notes(_notes(query, args, start, end, chosen, currencies if mixed else None))
    if mixed:  # amounts in several currencies are never added: each currency's credit apart
        rows = report.per_currency(
            query, args.model, args.basis, start, end, chosen, settings.currency()
        )
        rows = rows.assign(share=_share_of_currency(rows))
    else:
        rows = report.attribution(query, args.model, args.basis, start, end, chosen)
    if args.format == "csv":
        write_csv(csv_frame(rows))
        return 0
    for line in table_lines(rows, MODEL_NAMES[args.model], args.basis):
        print(line)
    return 0


def _share_of_currency(rows: pd.DataFrame) -> pd.Series:
    """Each row's share of its currency's credited amount."""
    totals = rows.groupby("currency", dropna=False)["credited_cents"].transform("sum")
    return rows["credited_cents"] / totals.where(totals != 0)


def _notes(query, args, start, end, chosen, mixed_currencies) -> list[str]:
    notes = []
    if args.model == "markov":
        _, trust = report.markov(query, args.basis, start, end, chosen)
        notes += [f"the data-driven figures are not to be trusted: {why}" for why in trust.reasons]
    if args.basis == "revenue" and (undated := deal_gaps.undated_wins(query, chosen)):
        notes.append(undated)
    counts = report.deals_without_amount(query, args.basis, start, end, chosen)
    if unpriced := report.without_amount_sentence(counts, args.basis):
        notes.append(unpriced)
    if mixed_currencies is not None:
        notes.append(
            f"the deals' amounts are in several currencies ({mixed_currencies['currencies_listed']}"
            "), which are never added: each currency's credit is shown apart"
        )
    return notes


def csv_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """The CSV's columns: channel, then (amounts in several currencies) currency, empty when a
    deal states none; credited_deals, credited_amount (to the cent), share (of the currency's
    credit, when there are several)."""
    frame = pd.DataFrame({"channel": rows["channel"].map(one_line)})
    if "currency" in rows:
        frame["currency"] = rows["currency"].fillna("")
    return frame.assign(
        credited_deals=rows["credited_deals"].round(4),
        credited_amount=[
            amount(cents) if known else ""  # no amount: unknown, never 0.00
            for cents, known in zip(rows["credited_cents"], _amount_known(rows), strict=True)
        ],
        share=pd.to_numeric(rows["share"]).round(6),
    )


def _amount_known(rows: pd.DataFrame) -> list[bool]:
    """Per row, whether its credited amount is known: not when all its deals have none."""
    if "is_amount_known" not in rows:
        return [True] * len(rows)
    return rows["is_amount_known"].astype(bool).tolist()


def table_lines(rows: pd.DataFrame, model_name: str, basis: str) -> list[str]:
    """The credit as aligned lines for a terminal, a heading and a total line around it; for
    amounts in several currencies, a block per currency, each with its own total."""
    what = "won revenue" if basis == "revenue" else "open pipeline"
    several = "currency" in rows
    lines = [f"{model_name}: {what} per channel" + (", in each currency" if several else "")]
    if rows.empty:
        return [*lines, "no deals in this period and scope"]
    width = max(len("channel"), *(len(one_line(name)) for name in rows["channel"]))
    lines.append(f"{'channel':<{width}}  {'deals':>9}  {'amount':>16}  {'share':>6}")
    blocks = rows.groupby("currency", dropna=False, sort=False) if several else [(None, rows)]
    for code, block in blocks:
        if several:
            lines.append(f"{settings.NO_CURRENCY if pd.isna(code) else one_line(code)}:")
        for row, known in zip(block.itertuples(), _amount_known(block), strict=True):
            cents = amount(row.credited_cents, ",") if known else "no amount"
            share = f"{row.share:.1%}"
            name = one_line(row.channel)
            lines.append(f"{name:<{width}}  {row.credited_deals:>9.2f}  {cents:>16}  {share:>6}")
        total = amount(int(block["credited_cents"].sum()), ",")
        lines.append(f"{'total':<{width}}  {block['credited_deals'].sum():>9.2f}  {total:>16}")
    return lines
