"""The meeting's headline: three to five sentences made from the week's numbers by fixed rules
(no language model), each naming the section of the page that backs it.

Channel, owner and reason names come from uploads: the sentences carry them as they are, and
the page shows them as plain text (``revcycle.ui.format.plain``), never as Markdown.
"""

import math
from typing import NamedTuple

import numpy as np
import pandas as pd

from revcycle.meeting.numbers import follow_up_unknowns

SECTIONS = ("tiles", "leak", "breaches", "quality", "spend", "actions")
NO_LEAK = "No step dropped beyond chance this week."
# The tile a headline speaks of: the first of these the week can tell.
HEADLINE_TILES = ("won_revenue", "sqls", "mqls", "leads")
# Signs people read at a glance (as the page's money); any other currency is written as its code.
SIGNS = {"EUR": "€", "USD": "$", "GBP": "£"}


class Sentence(NamedTuple):
    text: str
    section: str  # one of SECTIONS: the anchor of the section that backs the sentence


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else plural or word + 's'}"


def compact_number(value: float) -> str:
    """84,213 as "84k", 1,250,000 as "1.2M", 950 as "950": what a headline needs."""
    size = abs(value)
    if size >= 999_500:
        return f"{value / 1e6:.1f}".removesuffix(".0") + "M"
    if size >= 9_995:
        return f"{value / 1e3:.0f}k"
    if size >= 1_000:
        return f"{value / 1e3:.1f}".removesuffix(".0") + "k"
    return f"{value:,.0f}"


def money_words(amount: float, currency: str | None) -> str:
    """ "€84k", "BRL 84k", or "84k" when the currency is unknown."""
    number = compact_number(amount)
    if currency in SIGNS:
        return f"{'-' if amount < 0 else ''}{SIGNS[currency]}{number.lstrip('-')}"
    return f"{currency} {number}" if currency else number


def _known(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _tile_value_words(tile: pd.Series, value: float) -> str:
    if tile["unit"] == "money":
        return money_words(value, tile["currency"])
    if tile["unit"] == "share":
        return f"{value:.0%}"
    return f"{value:,.0f}"


def _against(share: float, what: str) -> str:
    """ "12% under target", "5% over the 4-week average", "on target"."""
    if round(share, 2) == 1:
        return f"on {what}"
    return f"{abs(share - 1):.0%} {'under' if share < 1 else 'over'} {what}"


def _is_partial(tile: pd.Series) -> bool:
    complete = tile.get("is_complete")
    return isinstance(complete, bool | np.bool_) and not complete


def tiles_sentence(tiles: pd.DataFrame) -> Sentence | None:
    """The first of HEADLINE_TILES the week can tell, against its target, else against the
    4-week average: "Won revenue €84k, 12% under target." """
    rows = tiles.set_index("metric")
    for metric in HEADLINE_TILES:
        if metric not in rows.index or not _known(rows.at[metric, "this_week"]):
            continue
        tile = rows.loc[metric]
        value = float(tile["this_week"])
        said = f"{tile['label']} {_tile_value_words(tile, value)}"
        if _is_partial(tile):  # the data ends within the week: no match for a whole one
            return Sentence(f"{said} so far this week.", "tiles")
        if _known(tile["share_of_target"]):
            return Sentence(
                f"{said}, {_against(float(tile['share_of_target']), 'target')}.", "tiles"
            )
        baseline = tile["four_week_average"]
        if _known(baseline) and baseline > 0:
            return Sentence(f"{said}, {_against(value / baseline, 'the 4-week average')}.", "tiles")
        return Sentence(f"{said}.", "tiles")
    return None


def leak_sentence(leaks) -> Sentence | None:
    """The costliest flagged drop, or that none is beyond chance. ``leaks``: the flagged
    leaks, costliest first (each with its ``words``), or a report holding them as
    ``flagged``; None when the leak finder did not run."""
    if leaks is None:
        return None
    if cannot := getattr(leaks, "cannot_measure", None):
        return Sentence(cannot, "leak")
    flagged = list(getattr(leaks, "flagged", leaks))
    if not flagged:
        return Sentence(NO_LEAK, "leak")
    return Sentence(f"The biggest leak this week: {flagged[0].words}.", "leak")


def _possessive(owner: str) -> str:
    return "unassigned" if owner == "(unassigned)" else f"{owner}'s"


def _name(owner: str) -> str:
    return "unassigned leads" if owner == "(unassigned)" else owner


def breaches_sentence(breaches: pd.DataFrame, partly_unmeasured: str | None = None) -> Sentence:
    """ "14 leads waited past the agreed response time, 9 of them Bram's." ``partly_unmeasured``
    says which leads could not be judged, when some could."""
    total = int(breaches["count_breaches"].sum()) if len(breaches) else 0
    if total == 0:
        if len(breaches) == 0 or int(breaches["count_leads_measured"].sum()) == 0:
            return Sentence(
                "No lead of this week could be judged against its agreed response time yet.",
                "breaches",
            )
        if partly_unmeasured:
            said = "Every lead judged this week was contacted within its agreed time. "
            return Sentence(said + partly_unmeasured, "breaches")
        return Sentence("Every lead of this week was contacted within its agreed time.", "breaches")
    waited = "lead waited" if total == 1 else "leads waited"
    said = f"{total:,} {waited} past the agreed response time"
    worst = breaches.sort_values("count_breaches", ascending=False, kind="stable")
    top = int(worst["count_breaches"].iloc[0])
    owners = worst.loc[worst["count_breaches"] == top, "owner"].tolist()
    if len(owners) == 1 and top == total:
        whose = _possessive(owners[0])
        return Sentence(
            f"{said}, {whose}." if total == 1 else f"{said}, all of them {whose}.", "breaches"
        )
    if len(owners) == 1:
        return Sentence(f"{said}, {top:,} of them {_possessive(owners[0])}.", "breaches")
    if len(owners) == 2:
        return Sentence(
            f"{said}, {top:,} each for {_name(owners[0])} and {_name(owners[1])}.", "breaches"
        )
    return Sentence(f"{said}, at most {top:,} per owner.", "breaches")


NO_REASON = "(no reason given)"  # as mql_quality_by_channel names a rejection without one


def _reason_words(reason: str) -> str:
    return "with no reason given" if reason == NO_REASON else f"for ‘{reason}’"


def _most_for(reasons: pd.DataFrame) -> str:
    """ ", most for ‘No budget’", ", most for ‘No budget’ and ‘Not a fit’" on a tie of two, ""
    when more tie (no reason stands out)."""
    if reasons.empty:
        return ""
    top = reasons["count_rejected"].max()
    tied = sorted(reasons.loc[reasons["count_rejected"] == top, "reason"])
    if len(tied) == 1:
        return f", most {_reason_words(tied[0])}"
    if len(tied) == 2:
        first, second = (_reason_words(reason) for reason in tied)
        if first.startswith("for "):
            second = second.removeprefix("for ")  # "for ‘A’ and ‘B’"
        return f", most {first} and {second}"
    return ""


def quality_sentence(quality) -> Sentence | None:
    """ "Sales rejected 6 of 30 MQLs (20%), most for 'No budget'." """
    if quality is None:
        return None
    if quality.cannot_measure:
        return Sentence(quality.cannot_measure, "quality")
    total = quality.by_channel[quality.by_channel["is_total"]]
    count_mqls = int(total["count_mqls"].iloc[0]) if len(total) else 0
    if count_mqls == 0:
        return Sentence("No lead became an MQL this week.", "quality")
    rejected = int(total["count_rejected"].iloc[0])
    pending = int(total["count_pending"].iloc[0])
    if rejected == 0:
        waiting = f"; {pending:,} still wait for an answer" if pending else ""
        return Sentence(f"Sales rejected none of {_plural(count_mqls, 'MQL')}{waiting}.", "quality")
    said = (
        f"Sales rejected {rejected:,} of {_plural(count_mqls, 'MQL')} ({rejected / count_mqls:.0%})"
    )
    reasons = quality.by_reason[quality.by_reason["is_total"]]
    said += _most_for(reasons)
    outside = int(reasons.loc[reasons["is_agreed_reason"].eq(False), "count_rejected"].sum())
    if outside:
        said += f"; {outside:,} for a reason the agreement does not list"
    return Sentence(f"{said}.", "quality")


def actions_sentence(actions_overdue: int) -> Sentence | None:
    """The open actions of earlier weeks past their due day (log.review_actions: last week's
    or any before), or None. Said as "earlier weeks": an action of three weeks ago is one."""
    if actions_overdue <= 0:
        return None
    if actions_overdue == 1:
        return Sentence("1 action from an earlier week is overdue.", "actions")
    return Sentence(f"{actions_overdue:,} actions from earlier weeks are overdue.", "actions")


def _follow_up_sentence(tiles: pd.DataFrame, breaches: pd.DataFrame) -> Sentence:
    """The breaches, or why none can be told when the uploads lack the first-contact column:
    then no breach is no news, not good news."""
    cannot, partly = follow_up_unknowns(tiles)
    return Sentence(cannot, "breaches") if cannot else breaches_sentence(breaches, partly)


def headline(tiles, leaks, breaches, quality, actions_overdue: int) -> list[Sentence]:
    """Three to five sentences, in the page's order of sections: the leading number, the
    leak, the breaches, lead quality and, when any, the overdue actions."""
    sentences = [
        tiles_sentence(tiles),
        leak_sentence(leaks),
        _follow_up_sentence(tiles, breaches),
        quality_sentence(quality),
        actions_sentence(actions_overdue),
    ]
    said: list[Sentence] = []
    for sentence in sentences:  # one reason several sections share is said once
        if sentence is not None and sentence.text not in {earlier.text for earlier in said}:
            said.append(sentence)
    return said[:5]
