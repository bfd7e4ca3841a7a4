"""A stand-in for the attribution engine (revcycle.attribution.models) until it is merged:
first, last and linear credit, each deal split to the cent by largest remainder."""

import numpy as np
import pandas as pd

MODELS = ("first", "last", "linear")
MODEL_NAMES = {"first": "First touch", "last": "Last touch", "linear": "Linear"}


def largest_remainder(total_cents: int, weights: list[float]) -> list[int]:
    """Whole cents in proportion to ``weights`` summing exactly to ``total_cents``."""
    shares = np.asarray(weights, dtype=float) / sum(weights) * total_cents
    floors = np.floor(shares).astype(np.int64)
    # Ties go to the earlier touch: argsort is stable on the negated remainders.
    order = np.argsort(-(shares - floors), kind="stable")
    floors[order[: total_cents - int(floors.sum())]] += 1
    return floors.tolist()


def credit(journeys: pd.DataFrame, model: str, **_options) -> pd.DataFrame:
    """One row per deal and channel: deal_id, channel, credit_cents, credit_share."""
    rows = []
    for deal_id, touches in journeys.sort_values(["deal_id", "position"]).groupby("deal_id"):
        count = len(touches)
        weights = {
            "first": [1.0] + [0.0] * (count - 1),
            "last": [0.0] * (count - 1) + [1.0],
            "linear": [1.0] * count,
        }[model]
        cents = largest_remainder(int(touches["amount_cents"].iloc[0]), weights)
        for channel, cent, weight in zip(touches["channel"], cents, weights, strict=True):
            rows.append((deal_id, channel, cent, weight / sum(weights)))
    frame = pd.DataFrame(rows, columns=["deal_id", "channel", "credit_cents", "credit_share"])
    return frame.groupby(["deal_id", "channel"], as_index=False, sort=False).sum()
