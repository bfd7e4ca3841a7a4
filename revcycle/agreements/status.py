"""Actual against target by the agreement's thresholds, with no Streamlit: the tiles of the
overview and the weekly meeting's numbers colour a number by one rule."""

import math
from dataclasses import dataclass

import pandas as pd

COLOURS = ("green", "amber", "red")


def blank(value) -> bool:
    """Whether ``value`` says nothing: None, a missing value of pandas, NaN or empty text."""
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and math.isnan(value))
        or (isinstance(value, str) and not value.strip())
    )


@dataclass(frozen=True)
class Status:
    """Actual against target, as a tile or a table cell says it."""

    colour: str  # one of COLOURS
    share_of_target: float

    def words(self) -> str:
        return f"{self.share_of_target:.0%} of target"


def status(actual, target, in_force) -> Status | None:
    """Green, amber or red by the thresholds of the agreement in force (anything with
    ``green_from`` and ``amber_from``: its row of agreement_in_force); None when there is no
    target, no actual, or a target of nothing (no share of it means anything): never a
    made-up status."""
    if in_force is None or blank(actual) or blank(target) or float(target) <= 0:
        return None
    share = float(actual) / float(target)
    if share >= in_force["green_from"]:
        return Status("green", share)
    return Status("amber" if share >= in_force["amber_from"] else "red", share)


def targets_apply(params: dict) -> bool:
    """Targets are per channel and month: a view cut by owner or segment has no target, as a
    part of a channel's leads owes only an unknown part of its promise."""
    return not params.get("owners") and not params.get("segments")


def view_targets(targets: pd.DataFrame, params: dict) -> dict[str, float]:
    """{metric: the period's target} for the view the filters show (``targets`` as
    targets_in_period returns them); only known targets."""
    if not targets_apply(params):
        return {}
    rows = targets[targets["is_view"] & targets["target_in_period"].notna()]
    return dict(zip(rows["metric"], rows["target_in_period"], strict=True))


def spend_colour(spend, budget, in_force) -> str | None:
    """Spend against its budget by the agreement's thresholds turned round, since spending
    less is no shortfall: green while the budget is at least ``green_from`` of the spend
    (within the budget at 1.0), amber while it is at least ``amber_from`` (up to 1 / 0.9, 111%
    of the budget), red beyond. None without a spend, a budget or an agreement: never a
    made-up colour."""
    if in_force is None or blank(spend) or blank(budget):
        return None
    spend, budget = float(spend), float(budget)
    if spend * in_force["green_from"] <= budget:
        return "green"
    return "amber" if spend * in_force["amber_from"] <= budget else "red"
