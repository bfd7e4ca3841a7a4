"""What a deals export leaves out that a revenue figure needs, in one sentence each: the same
words on every page, in the meeting's pack and on the command line. A deal without a close date
is in no period; a deal without an amount counts as a deal but adds nothing to a sum of money,
so the sum is said to leave it out, never shown as if it were complete (or 0 when none has
one)."""

from collections.abc import Callable, Mapping

import pandas as pd

Query = Callable[..., pd.DataFrame]


def undated_wins(query: Query, scope: Mapping) -> str | None:
    """The sentence saying how many won deals in ``scope`` (channels, owners, segments) have no
    close date, which no period holds (the pages' and the command's alike); None for none."""
    count = int(query("metrics/won_deals_without_close_date", **scope).iloc[0, 0])
    if not count:
        return None
    deals, them, their = (
        ("won deal has", "it", "its") if count == 1 else ("won deals have", "them", "their")
    )
    return (
        f"{count:,} {deals} no close date in the export, so no period, All time included, "
        f"counts {them} or {their} revenue: export {them} with {their} close date"
    )


def unknown_wins(count: int, period: str) -> str:
    """Why ``period`` ("this week") has unknown won revenue: ``count`` won deals have no close
    date, and no deal with one was won in it (is_undated_win)."""
    count = int(count)
    deals, them, their = (
        ("won deal has", "it", "its") if count == 1 else ("won deals have", "them", "their")
    )
    return (
        f"{count:,} {deals} no close date in the export and no deal with one was won "
        f"{period}, so the won revenue {period} is unknown, not 0: export {them} with {their} "
        "close date."
    )


def undated_maybe_in(count, period: str) -> str | None:
    """Beside a known won revenue of ``period`` ("this week"): the ``count`` won deals with no
    close date that may have been won in it too, and that it leaves out; None for none."""
    if pd.isna(count) or not int(count):
        return None
    count = int(count)
    deals, them = ("won deal has", "it") if count == 1 else ("won deals have", "them")
    return (
        f"{count:,} {deals} no close date in the export and may have been won {period} too: "
        f"the won revenue leaves {them} out."
    )


# Beside undated_wins where a period's wins are shown (revenue_by_channel, weekly_numbers).
UNKNOWN_WINS = (
    "A period in which no deal with a close date was won shows its won deals and won revenue "
    "as unknown (–), not 0: those wins may be in it."
)


def without_amount(count_without, count_all, deals: tuple[str, str], figure: str) -> str | None:
    """How many of ``count_all`` deals (``deals``: singular and plural, "won deal in the
    period") have no amount, so ``figure`` ("the won revenue") leaves them out; when none has
    one, that ``figure`` cannot be measured. None when every deal has an amount."""
    if pd.isna(count_without) or pd.isna(count_all) or not int(count_without):
        return None
    count_without, count_all = int(count_without), int(count_all)
    one, many = deals
    if count_without == count_all:
        deal = f"The {one} has no" if count_all == 1 else f"None of the {count_all:,} {many} has an"
        return (
            f"{deal} amount in the export, so {figure} cannot be measured: export the deals "
            "with their amount."
        )
    has, them = ("has", "it") if count_without == 1 else ("have", "them")
    return (
        f"{count_without:,} of the {count_all:,} {many} {has} no amount in the export: "
        f"{figure} leaves {them} out."
    )


def unpriced_in_period(total: Mapping) -> list[str]:
    """What revenue_by_channel's total row leaves out for deals without an amount: the won
    revenue and the open pipeline."""
    sentences = (
        without_amount(
            total["count_won_without_amount"],
            total["count_won_deals"],
            ("won deal in the period", "won deals in the period"),
            "the won revenue",
        ),
        without_amount(
            total["count_open_without_amount"],
            total["count_open_deals"],
            ("open deal created in the period", "open deals created in the period"),
            "the open pipeline",
        ),
    )
    return [sentence for sentence in sentences if sentence]
