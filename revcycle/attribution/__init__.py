"""Multi-touch attribution: how each deal's amount is credited to the channels of its journey.

The engine is pure pandas and numpy: journeys in, credit per deal and channel out. The journeys
themselves come from SQL (queries/marts), and the report that ties both together lives beside it.
"""

from revcycle.attribution.markov import (
    JourneyCounts,
    Trust,
    count_journeys,
    removal_effects,
    removal_effects_from_counts,
    trust,
    trust_from_counts,
)
from revcycle.attribution.models import (
    MODEL_NAMES,
    MODEL_SENTENCES,
    MODELS,
    credit,
    credit_all,
    largest_remainder,
)

__all__ = [
    "JourneyCounts",
    "count_journeys",
    "MODELS",
    "MODEL_NAMES",
    "MODEL_SENTENCES",
    "Trust",
    "credit",
    "credit_all",
    "largest_remainder",
    "removal_effects",
    "removal_effects_from_counts",
    "trust",
    "trust_from_counts",
]
