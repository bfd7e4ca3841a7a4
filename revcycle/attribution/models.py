"""Attribution models: each deal's amount split over the channels of its journey, to the cent.

Input is one row per touch of a deal (the columns of queries/marts/deal_journeys.sql); output is
one row per deal and channel. Everything is vectorised over all deals at once with numpy, so the
cost is a few sorts and sums over the touches, linear in their number, whatever the model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

MODELS = ("first", "last", "last_non_direct", "linear", "u", "w", "time_decay", "markov")

MODEL_NAMES = {
    "first": "First touch",
    "last": "Last touch",
    "last_non_direct": "Last non-direct touch",
    "linear": "Linear",
    "u": "U-shaped",
    "w": "W-shaped",
    "time_decay": "Time decay",
    "markov": "Data-driven (Markov)",
}

MODEL_SENTENCES = {
    "first": "The whole deal goes to the channel of the buyer's first touch.",
    "last": "The whole deal goes to the channel of the last touch before the deal was won "
    "(or created, for pipeline).",
    "last_non_direct": "The whole deal goes to the last touch that was not direct traffic, "
    "or to the last touch when every touch was direct.",
    "linear": "Every touch of the journey gets an equal share of the deal.",
    "u": "The first and the last touch get 40% each (by default) and the touches in between "
    "share the rest; a journey of two touches splits evenly.",
    "w": "The first touch, the last touch before the lead was created and the last touch before "
    "the opportunity was created get 30% each, and the other touches share the last 10%.",
    "time_decay": "Every touch counts, but a touch counts half as much for every 7 days "
    "(by default) that it came before the deal was won (or created, for pipeline).",
    "markov": "Each channel of a journey gets a share in proportion to its removal effect: the "
    "fraction of all wins that would be lost if the channel were taken out of every journey, "
    "won or not, in a Markov chain of the journeys.",
}

# The columns each model reads, beyond the ones every model reads.
_BASE_COLUMNS = ("deal_id", "amount_cents", "position", "channel")
_EXTRA_COLUMNS = {
    "last_non_direct": ("is_direct",),
    "w": ("milestone",),
    "time_decay": ("days_before_conversion",),
}

# W-shaped: each milestone's share, and what is left for the touches that are no milestone.
_W_MILESTONE = 0.3
_W_REST = 0.1
# A touch can be several milestones at once; the journeys write them joined, e.g. "first,lead".
_MILESTONE_SEPARATOR = ","
_W_LATER_MILESTONES = frozenset({"lead", "opportunity"})
# Largest remainder hands out spare cents from a table when deals have at most this many
# channels (fewer rounds than channels, each linear); wider deals are sorted instead.
_TABLE_WIDTH = 32


@dataclass(frozen=True)
class _Touches:
    """The touches sorted by deal and position, with each deal's slice of them."""

    frame: pd.DataFrame
    order: np.ndarray | None  # row numbers of ``frame`` in deal, position order; None: as given
    deal: np.ndarray  # per sorted touch: the deal's number (0 .. deals - 1)
    rank: np.ndarray  # per sorted touch: its place in the deal's journey, from 0
    count: np.ndarray  # per deal: how many touches
    start: np.ndarray  # per deal: where its touches begin in the sorted order
    amount: np.ndarray  # per deal: amount_cents
    deal_ids: pd.Index
    channel: np.ndarray  # per sorted touch: the channel's number, alphabetical
    channel_names: pd.Index

    def column(self, name: str, *, allow_missing: bool = False) -> pd.Series:
        """One input column in sorted order; missing values are refused unless allowed."""
        values = self.frame[name]
        if not allow_missing and values.isna().any():
            raise ValueError(f"journeys: {int(values.isna().sum())} touches have no {name}.")
        return values if self.order is None else values.iloc[self.order]


def _check_columns(journeys: pd.DataFrame, models: Iterable[str]) -> None:
    for model in models:
        if model not in MODELS:
            raise ValueError(f"Unknown attribution model {model!r}; choose one of {MODELS}.")
    needed = set(_BASE_COLUMNS).union(*(_EXTRA_COLUMNS.get(model, ()) for model in models))
    missing = sorted(needed - set(journeys.columns))
    if missing:
        raise ValueError(f"journeys lack the column(s) {', '.join(missing)}.")


def touch_order(deal_codes: np.ndarray, position: np.ndarray) -> np.ndarray | None:
    """The row order by deal (or lead) then position, or None when the rows already come so.

    deal_journeys hands them over ordered, and skipping the sort of millions of touches is
    most of the time a model takes.
    """
    same_deal = deal_codes[1:] == deal_codes[:-1]
    grouped = bool((deal_codes[1:] >= deal_codes[:-1]).all())
    if grouped and bool((position[1:][same_deal] > position[:-1][same_deal]).all()):
        return None
    # lexsort is stable: equal positions keep the order the journeys gave them.
    return np.lexsort((position, deal_codes))


def _prepare(journeys: pd.DataFrame) -> _Touches:
    for name in _BASE_COLUMNS:
        if journeys[name].isna().any():
            count = int(journeys[name].isna().sum())
            raise ValueError(f"journeys: {count} touches have no {name}.")
    # Deals are numbered as they first appear (no sort needed); channels alphabetically, so
    # a tie between two channels always goes the same way.
    deal_codes, deal_ids = pd.factorize(journeys["deal_id"])
    channel_codes, channel_names = pd.factorize(journeys["channel"], sort=True)
    order = touch_order(deal_codes, journeys["position"].to_numpy(dtype=np.int64))
    in_order = (lambda values: values) if order is None else (lambda values: values[order])
    deal = in_order(deal_codes)
    count = np.bincount(deal, minlength=len(deal_ids))
    start = np.concatenate(([0], np.cumsum(count)[:-1]))
    amount_by_touch = in_order(journeys["amount_cents"].to_numpy(dtype=np.int64))
    amount = amount_by_touch[start]
    if (amount_by_touch != amount[deal]).any():
        raise ValueError("journeys: a deal's touches disagree on its amount_cents.")
    return _Touches(
        frame=journeys,
        order=order,
        deal=deal,
        rank=np.arange(len(deal)) - start[deal],
        count=count,
        start=start,
        amount=amount,
        deal_ids=deal_ids,
        channel=in_order(channel_codes),
        channel_names=channel_names,
    )


def _first(touches: _Touches) -> np.ndarray:
    return (touches.rank == 0).astype(float)


def _last(touches: _Touches) -> np.ndarray:
    return (touches.rank == touches.count[touches.deal] - 1).astype(float)


def _last_non_direct(touches: _Touches) -> np.ndarray:
    is_direct = touches.column("is_direct").to_numpy(dtype=bool)
    last_index = touches.start + touches.count - 1
    chosen = np.full(len(touches.count), -1)
    # Sorted by deal then position, so the highest non-direct index per deal is its last one.
    np.maximum.at(chosen, touches.deal[~is_direct], np.flatnonzero(~is_direct))
    chosen = np.where(chosen >= 0, chosen, last_index)
    weights = np.zeros(len(touches.deal))
    weights[chosen] = 1.0
    return weights


def _linear(touches: _Touches) -> np.ndarray:
    return np.ones(len(touches.deal))


def _u_shaped(touches: _Touches, u_ends: float) -> np.ndarray:
    if not 0.0 <= u_ends <= 0.5:
        raise ValueError(f"u_ends must lie between 0 and 0.5, not {u_ends}.")
    size = touches.count[touches.deal]
    is_end = (touches.rank == 0) | (touches.rank == size - 1)
    middle = (1.0 - 2.0 * u_ends) / np.maximum(size - 2, 1)
    weights = np.where(is_end, u_ends, middle)
    # One touch takes it all, two split evenly, whatever the ends' share.
    return np.where(size <= 2, 1.0 / size, weights)


def _later_milestones(label: str) -> int:
    """How many of lead and opportunity a milestone label names ("first,lead" names one)."""
    return len(_W_LATER_MILESTONES & {part.strip() for part in label.split(_MILESTONE_SEPARATOR)})


def _milestones_per_touch(touches: _Touches) -> np.ndarray:
    """How many W-shaped milestones each touch is: the first touch always is one."""
    codes, labels = pd.factorize(touches.column("milestone", allow_missing=True))
    # The labels are a handful of distinct strings, so they are parsed once each, not per touch;
    # factorize numbers a missing label -1, which picks the trailing 0.
    later = np.array([_later_milestones(str(label)) for label in labels] + [0], dtype=float)
    return later[codes] + (touches.rank == 0)


def _w_shaped(touches: _Touches) -> np.ndarray:
    milestones = _milestones_per_touch(touches)
    deals = len(touches.count)
    is_rest = milestones == 0
    rest_count = np.bincount(touches.deal, weights=is_rest, minlength=deals)[touches.deal]
    milestone_total = np.bincount(touches.deal, weights=milestones, minlength=deals)[touches.deal]
    rest_share = np.where(is_rest, _W_REST / np.maximum(rest_count, 1), 0.0)
    # With no other touches the 10% goes to the milestones evenly, one part per milestone.
    spare = np.where(rest_count == 0, _W_REST * milestones / milestone_total, 0.0)
    # A milestone the journey lacks (no touch before the lead was created) drops out, and the
    # shares are scaled up when the weights are normalised per deal.
    return _W_MILESTONE * milestones + rest_share + spare


def _time_decay(touches: _Touches, half_life_days: float) -> np.ndarray:
    if not half_life_days > 0:
        raise ValueError(f"half_life_days must be positive, not {half_life_days}.")
    # Real days, measured between instants in SQL (deal_journeys): not wall-clock days, which
    # lose or gain the hour the clocks move.
    age_days = touches.column("days_before_conversion").to_numpy(dtype=float)
    age_days = np.maximum(age_days, 0.0)
    # Measured from each deal's newest touch: the same ratios once normalised, and no old
    # journey underflows to all zeros.
    age_days = age_days - np.minimum.reduceat(age_days, touches.start)[touches.deal]
    return np.exp2(-age_days / half_life_days)


@dataclass(frozen=True)
class _Pairs:
    """One row per deal and channel, in deal then channel order."""

    deal: np.ndarray
    channel: np.ndarray
    of_touch: np.ndarray  # per sorted touch: the pair it belongs to


def distinct_pairs(major: np.ndarray, minor: np.ndarray, minors: int) -> tuple:
    """The distinct (major, minor) pairs as sorted keys major * minors + minor, and each row's
    pair number. Linear in the rows while the major x minor table stays small."""
    minors = max(minors, 1)
    key = major * minors + minor
    cells = (int(major.max()) + 1) * minors if len(major) else 0
    if cells > 4 * len(key):
        # Many channels for few touches: sorting the keys costs less than a table of them.
        return np.unique(key, return_inverse=True)
    # Mark each pair in a major x minor table; its marked cells come out sorted.
    marked = np.zeros(cells, dtype=bool)
    marked[key] = True
    return np.flatnonzero(marked), (np.cumsum(marked) - 1)[key]


def _pairs(touches: _Touches) -> _Pairs:
    channels = max(len(touches.channel_names), 1)
    keys, of_touch = distinct_pairs(touches.deal, touches.channel, channels)
    return _Pairs(deal=keys // channels, channel=keys % channels, of_touch=of_touch)


def _markov_weights(
    touches: _Touches, pairs: _Pairs, effects: Mapping[str, float] | None
) -> np.ndarray:
    if effects is None:
        raise ValueError("The Markov model needs markov_effects, from markov.removal_effects.")
    by_channel = np.array([float(effects.get(name, 0.0)) for name in touches.channel_names])
    if len(by_channel) and (~np.isfinite(by_channel) | (by_channel < 0)).any():
        raise ValueError("markov_effects must be finite and not negative.")
    weights = by_channel[pairs.channel] if len(by_channel) else np.zeros(0)
    per_deal = np.bincount(pairs.deal, weights=weights, minlength=len(touches.count))
    touch_count = np.bincount(pairs.of_touch, minlength=len(pairs.deal)).astype(float)
    # A journey whose channels all have no effect (one the chain never saw) is split linearly.
    return np.where(per_deal[pairs.deal] > 0, weights, touch_count)


def _bonus_cents(deal: np.ndarray, fraction: np.ndarray, left: np.ndarray) -> np.ndarray:
    """1 for the rows whose fraction is among the ``left`` largest of their deal, else 0.

    Largest fraction first, equal fractions to the earlier row (channel order), so the split
    depends on nothing but the journey. ``deal`` is sorted and each deal's rows are contiguous.
    """
    bonus = np.zeros(len(deal), dtype=np.int64)
    rows = np.flatnonzero(left[deal] > 0)
    if not len(rows):
        return bonus
    row_deal = deal[rows]
    # Renumber the deals that have cents left 0 .. n - 1, and each row by its slot in the deal.
    starts = np.flatnonzero(np.r_[True, row_deal[1:] != row_deal[:-1]])
    sub_deal = np.cumsum(np.r_[True, row_deal[1:] != row_deal[:-1]]) - 1
    slot = np.arange(len(rows)) - starts[sub_deal]
    width = int(slot.max()) + 1
    if width > _TABLE_WIDTH:
        # A deal with very many channels: a table would be mostly padding, so sort instead.
        ranked = rows[np.lexsort((-fraction[rows], row_deal))]
        place = np.arange(len(rows)) - starts[sub_deal]
        bonus[ranked] = place < left[deal[ranked]]
        return bonus
    # A deals x slots table of the fractions; each round hands one cent to every deal that
    # still has one to give, at its largest remaining fraction (argmax takes the first of equal
    # ones). Fewer rounds than channels, and no sort of all the rows.
    table = np.full((len(starts), width), -np.inf)
    table[sub_deal, slot] = fraction[rows]
    won = np.zeros(table.shape, dtype=bool)
    cents_left = left[row_deal[starts]]
    for round_number in range(int(cents_left.max())):
        active = np.flatnonzero(cents_left > round_number)
        pick = table[active].argmax(axis=1)
        won[active, pick] = True
        table[active, pick] = -np.inf
    bonus[rows] = won[sub_deal, slot]
    return bonus


def _allocate(deal: np.ndarray, weights: np.ndarray, amount: np.ndarray) -> tuple:
    """Largest remainder per deal: (cents, shares).

    ``deal`` is sorted ascending and every deal has at least one row.
    """
    first_row = np.concatenate(([0], np.cumsum(np.bincount(deal, minlength=len(amount)))[:-1]))
    total = np.add.reduceat(weights, first_row)
    if not (total > 0).all():
        raise ValueError("every deal needs a positive total weight to split its amount.")
    share = weights / total[deal]
    size = np.abs(amount)
    raw = share * size[deal]
    floor = np.floor(raw).astype(np.int64)
    left = size - np.add.reduceat(floor, first_row)
    cents = (floor + _bonus_cents(deal, raw - floor, left)) * np.sign(amount)[deal]
    if (np.add.reduceat(cents, first_row) != amount).any():
        raise ArithmeticError("attribution lost a cent; the weights are not finite numbers.")
    return cents, share


def largest_remainder(total_cents: int, weights: list[float]) -> list[int]:
    """Split ``total_cents`` in proportion to ``weights`` into whole cents that sum exactly.

    Each part gets its floor, then the cents left over go one each to the largest fractions;
    equal fractions go to the earlier weight. A negative total is split as its size, negated.
    """
    values = np.asarray(weights, dtype=float)
    if not len(values):
        raise ValueError("largest_remainder needs at least one weight.")
    if (~np.isfinite(values) | (values < 0)).any():
        raise ValueError("weights must be finite and not negative.")
    deal = np.zeros(len(values), dtype=np.int64)
    cents, _share = _allocate(deal, values, np.array([total_cents], dtype=np.int64))
    return [int(cent) for cent in cents]


def _touch_weights(touches: _Touches, model: str, params: dict) -> np.ndarray:
    if model == "u":
        return _u_shaped(touches, params["u_ends"])
    if model == "time_decay":
        return _time_decay(touches, params["half_life_days"])
    rules = {
        "first": _first,
        "last": _last,
        "last_non_direct": _last_non_direct,
        "linear": _linear,
        "w": _w_shaped,
    }
    return rules[model](touches)


def _credit_prepared(touches: _Touches, pairs: _Pairs, model: str, params: dict) -> pd.DataFrame:
    if model == "markov":
        weights = _markov_weights(touches, pairs, params["markov_effects"])
    else:
        per_touch = _touch_weights(touches, model, params)
        weights = np.bincount(pairs.of_touch, weights=per_touch, minlength=len(pairs.deal))
    cents, share = _allocate(pairs.deal, weights, touches.amount)
    # Channels that got nothing in this model (a middle touch under first touch) are left out.
    kept = (weights > 0) | (cents != 0)
    return pd.DataFrame(
        {
            "deal_id": touches.deal_ids.take(pairs.deal[kept]),
            "channel": touches.channel_names.take(pairs.channel[kept]),
            "credit_cents": cents[kept],
            "credit_share": share[kept],
        }
    )


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "deal_id": pd.Series(dtype=object),
            "channel": pd.Series(dtype=object),
            "credit_cents": pd.Series(dtype=np.int64),
            "credit_share": pd.Series(dtype=float),
        }
    )


def credit_all(
    journeys: pd.DataFrame,
    models: Iterable[str] = MODELS,
    *,
    u_ends: float = 0.4,
    half_life_days: float = 7.0,
    markov_effects: Mapping[str, float] | None = None,
) -> dict[str, pd.DataFrame]:
    """``credit`` for several models at once, sorting the journeys only once."""
    models = tuple(models)
    _check_columns(journeys, models)
    if journeys.empty:
        return {model: _empty() for model in models}
    touches = _prepare(journeys)
    pairs = _pairs(touches)
    params = {"u_ends": u_ends, "half_life_days": half_life_days, "markov_effects": markov_effects}
    return {model: _credit_prepared(touches, pairs, model, params) for model in models}


def credit(
    journeys: pd.DataFrame,
    model: str,
    *,
    u_ends: float = 0.4,
    half_life_days: float = 7.0,
    markov_effects: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Credit each deal's amount to the channels of its journey under one model.

    ``journeys`` has the columns of deal_journeys (one row per touch of a deal). Returns one row
    per deal and channel that gets credit: deal_id, channel, credit_cents (int64) and
    credit_share (the deal's fraction, summing to 1 per deal, so its sum per channel is the
    credited conversions). Per deal, credit_cents sums exactly to amount_cents.
    """
    return credit_all(
        journeys,
        (model,),
        u_ends=u_ends,
        half_life_days=half_life_days,
        markov_effects=markov_effects,
    )[model]
