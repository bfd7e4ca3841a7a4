"""Data-driven attribution: removal effects of a first-order Markov chain over the journeys.

Every journey is a walk (start) -> channel -> ... -> channel -> (conversion) or (null). The
transition probabilities are the observed transition counts, normalised per state. The chance
to convert is solved exactly as an absorbing chain, (I - Q) x = r, so the figures are the same
on every run; a channel's removal effect is how much of that chance is lost when every step into
the channel leads to (null) instead. Credit in proportion to the removal effects is the
definition the ChannelAttribution package uses.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from revcycle.attribution.models import distinct_pairs, touch_order

START = "(start)"
CONVERSION = "(conversion)"
NULL = "(null)"

# Below these volumes the transition probabilities rest on too few journeys to rank channels.
MIN_CONVERSIONS = 300
MIN_JOURNEYS_PER_CHANNEL = 30
# How many thin channels a reason names before it counts the rest.
_NAMED_CHANNELS = 5

Path = tuple[tuple[str, ...], bool]


@dataclass(frozen=True)
class Trust:
    """Whether the Markov figures rest on enough journeys, and if not, why not in plain words."""

    ok: bool
    reasons: list[str] = field(default_factory=list)


@dataclass
class _Tally:
    transitions: Counter = field(default_factory=Counter)
    journeys: int = 0
    conversions: int = 0
    journeys_per_channel: Counter = field(default_factory=Counter)


def _tally(paths: Iterable[Path]) -> _Tally:
    tally = _Tally()
    # Many journeys share a path: count each distinct path once, weighted by how often it occurs.
    for (path, converted), times in Counter((tuple(p), bool(c)) for p, c in paths).items():
        steps = (START, *path, CONVERSION if converted else NULL)
        for step in zip(steps, steps[1:], strict=False):
            tally.transitions[step] += times
        tally.journeys += times
        tally.conversions += times if converted else 0
        for channel in set(path):
            tally.journeys_per_channel[channel] += times
    return tally


@dataclass(frozen=True)
class JourneyCounts:
    """What the chain and the trust verdict need from the journeys, counted once."""

    transitions: dict[tuple[str, str], int]
    conversions: int
    journeys_per_channel: dict[str, int]


def count_journeys(steps: pd.DataFrame) -> JourneyCounts:
    """Count the journeys given one row per touch: lead_id, position, channel, is_won.

    The vectorised twin of walking the paths one by one, for millions of leads: is_won is the
    lead's (the same on each of its touches), and a lead's touches are ordered by position.
    """
    missing = sorted({"lead_id", "position", "channel", "is_won"} - set(steps.columns))
    if missing:
        raise ValueError(f"journey steps lack the column(s) {', '.join(missing)}.")
    if steps.empty:
        return JourneyCounts({}, 0, {})
    for name in ("lead_id", "position", "channel", "is_won"):
        if steps[name].isna().any():
            raise ValueError(f"journey steps: {int(steps[name].isna().sum())} have no {name}.")
    lead, _leads = pd.factorize(steps["lead_id"])
    channel, names = pd.factorize(steps["channel"], sort=True)
    order = touch_order(lead, steps["position"].to_numpy(dtype=np.int64))
    won = steps["is_won"].to_numpy(dtype=bool)
    if order is not None:
        lead, channel, won = lead[order], channel[order], won[order]
    states = [START, *names, CONVERSION, NULL]
    first = np.r_[True, lead[1:] != lead[:-1]]
    last = np.r_[lead[1:] != lead[:-1], True]
    # State numbers: 0 is (start), channel c is c + 1, then (conversion) and (null).
    source = np.where(first, 0, np.r_[0, channel[:-1] + 1])
    ending = np.where(won[last], len(names) + 1, len(names) + 2)
    pairs = np.r_[source * len(states) + channel + 1, (channel[last] + 1) * len(states) + ending]
    tallied = np.bincount(pairs, minlength=len(states) ** 2)
    transitions = {
        (states[cell // len(states)], states[cell % len(states)]): int(tallied[cell])
        for cell in np.flatnonzero(tallied)
    }
    # A journey holding a channel twice counts once for it.
    held, _of_row = distinct_pairs(lead, channel, len(names))
    per_channel = np.bincount(held % len(names), minlength=len(names))
    return JourneyCounts(
        transitions=transitions,
        conversions=int(won[last].sum()),
        journeys_per_channel={name: int(per_channel[i]) for i, name in enumerate(names)},
    )


def _chain(transitions: Mapping[tuple[str, str], int]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Channels, the transient-to-transient matrix Q and the to-conversion vector r.

    State 0 is (start); state i + 1 is channels[i].
    """
    channels = sorted({state for pair in transitions for state in pair} - {START, CONVERSION, NULL})
    index = {START: 0} | {channel: number + 1 for number, channel in enumerate(channels)}
    q = np.zeros((len(index), len(index)))
    r = np.zeros(len(index))
    out = np.zeros(len(index))
    for (source, target), times in transitions.items():
        if source in (CONVERSION, NULL) or target == START or times < 0:
            raise ValueError(f"not a journey step: {source} -> {target} ({times} times).")
        out[index[source]] += times
        if target == CONVERSION:
            r[index[source]] += times
        elif target != NULL:
            q[index[source], index[target]] += times
    seen = out > 0
    q[seen] /= out[seen, None]
    r[seen] /= out[seen]
    return channels, q, r


def _conversion_probability(q: np.ndarray, r: np.ndarray) -> float:
    try:
        return float(np.linalg.solve(np.eye(len(r)) - q, r)[0])
    except np.linalg.LinAlgError as error:
        raise ValueError("the journeys form a loop that never ends; no probability.") from error


def removal_effects_from_counts(transitions: Mapping[tuple[str, str], int]) -> dict[str, float]:
    """Removal effect per channel from transition counts {(from, to): times}.

    States are channel names plus START, CONVERSION and NULL. For callers that count the
    transitions in SQL instead of handing over every path.
    """
    channels, q, r = _chain(transitions)
    base = _conversion_probability(q, r)
    if base <= 0:
        return dict.fromkeys(channels, 0.0)
    effects = {}
    for number, channel in enumerate(channels, start=1):
        without = q.copy()
        # Every step into the removed channel now ends the journey without a conversion.
        without[:, number] = 0.0
        kept = _conversion_probability(without, r)
        effects[channel] = max(0.0, 1.0 - kept / base)
    return effects


def removal_effects(paths: Iterable[Path]) -> dict[str, float]:
    """Removal effect per channel: 1 - P(convert without the channel) / P(convert).

    ``paths`` holds (channels in time order, converted) for every journey, won or not.
    """
    return removal_effects_from_counts(_tally(paths).transitions)


def _thin_channels(journeys_per_channel: Mapping[str, int], min_journeys: int) -> str | None:
    thin = sorted(
        (times, channel) for channel, times in journeys_per_channel.items() if times < min_journeys
    )
    if not thin:
        return None
    named = ", ".join(f"{channel} ({times})" for times, channel in thin[:_NAMED_CHANNELS])
    more = len(thin) - _NAMED_CHANNELS
    tail = f" and {more} more" if more > 0 else ""
    counted = "1 channel appears" if len(thin) == 1 else f"{len(thin)} channels appear"
    return (
        f"{counted} in fewer than {min_journeys} journeys, too few to say what taking "
        f"{'it' if len(thin) == 1 else 'them'} out would cost: {named}{tail}."
    )


def trust_from_counts(
    conversions: int,
    journeys_per_channel: Mapping[str, int],
    *,
    min_conversions: int = MIN_CONVERSIONS,
    min_journeys_per_channel: int = MIN_JOURNEYS_PER_CHANNEL,
) -> Trust:
    """``trust`` from counts: journeys that ended in a win, and journeys holding each channel
    (a journey that holds a channel twice counts once)."""
    reasons = []
    if conversions < min_conversions:
        reasons.append(
            f"Only {conversions:,} {'journey' if conversions == 1 else 'journeys'} ended in a "
            f"win; the data-driven model needs at "
            f"least {min_conversions} before its split can be told apart from chance."
        )
    thin = _thin_channels(journeys_per_channel, min_journeys_per_channel)
    if thin:
        reasons.append(thin)
    return Trust(ok=not reasons, reasons=reasons)


def trust(
    paths: Iterable[Path],
    *,
    min_conversions: int = MIN_CONVERSIONS,
    min_journeys_per_channel: int = MIN_JOURNEYS_PER_CHANNEL,
) -> Trust:
    """Whether there are enough journeys for the Markov figures to mean something."""
    tally = _tally(paths)
    return trust_from_counts(
        tally.conversions,
        tally.journeys_per_channel,
        min_conversions=min_conversions,
        min_journeys_per_channel=min_journeys_per_channel,
    )
