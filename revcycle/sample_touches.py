"""The sample's touches export: the marketing touches of each sample lead, 1 to 12 of them.

Journeys mix channels in the order B2B buyers meet them: discovery before the lead exists
(organic and paid search, social, content, a trade show), the touch that created the lead (its
own lead source, at its created time), then nurture until and past the deal (email, webinars,
direct visits, branded search, the contact form). Leads that reach a deal were touched more.

Drawn a chunk of leads at a time from its own seeded generator, so the leads and deals exports
keep their bytes, and memory stays bounded at the benchmark's millions of touches.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from revcycle.contract import column_names

MAX_TOUCHES = 12
LINKED_BY_EMAIL_SHARE = 0.08  # touches from a tool that knows the email, not the CRM id
BEFORE_CREATION_SHARE = 0.45  # of the touches other than the lead's own
DAYS_BEFORE_MEDIAN = 14.0
NURTURE_DAYS_WITHOUT_DEAL = 45.0


@dataclass(frozen=True)
class LeadWords:
    """How the leads export spells a lead's source, campaign and times (sample.py's), so its
    own touch reads exactly as the lead does; passed in, since sample.py imports this module."""

    source_names: np.ndarray  # by source code
    campaign_names: np.ndarray  # by channel and campaign draw
    fmt_times: Callable[[np.ndarray], np.ndarray]  # seconds since 1970 -> text


@dataclass(frozen=True)
class TouchSource:
    source: str  # as the export spells it; data/channel_rules.csv maps it
    touch_type: str
    campaigns: tuple[str, ...]  # blank for a source without campaigns


DISCOVERY = (
    (TouchSource("Organic Search", "visit", ("",)), 0.26),
    (TouchSource("Paid Search", "ad click", ("Generic keywords", "Competitor keywords")), 0.2),
    (TouchSource("Paid Social", "ad click", ("LinkedIn ABM", "LinkedIn lead gen")), 0.14),
    (TouchSource("Content Marketing", "form", ("State of RevOps report", "Blog newsletter")), 0.16),
    (TouchSource("Organic Social", "visit", ("",)), 0.08),
    (TouchSource("Trade Show", "event", ("SaaStr Europa", "DMEXCO", "Web Summit")), 0.08),
    (TouchSource("Referral", "visit", ("Customer referral programme",)), 0.05),
    (TouchSource("Partner", "form", ("Reseller programme", "Agency partners")), 0.03),
)
NURTURE = (
    (TouchSource("Email", "email click", ("Monthly newsletter", "Product launch mail")), 0.34),
    (TouchSource("Webinar", "event", ("Pipeline webinar series",)), 0.14),
    (TouchSource("Direct Traffic", "visit", ("",)), 0.2),
    (TouchSource("Paid Search", "ad click", ("Brand keywords",)), 0.12),
    (TouchSource("Organic Search", "visit", ("",)), 0.08),
    (TouchSource("Website Contact Form", "form", ("",)), 0.07),
    (TouchSource("Trade Show", "event", ("B2B Marketing Expo",)), 0.05),
)
# Every (source, type, campaign) a drawn touch can be, and the lead's own touch's type.
_CHOICES = [
    (each.source, each.touch_type, campaign)
    for pool in (DISCOVERY, NURTURE)
    for each, _ in pool
    for campaign in each.campaigns
]
OWN_TOUCH_TYPE = "form"  # the lead was created by a sign-up, a scan or an import: a form


def _pool_codes(pool) -> tuple[np.ndarray, np.ndarray]:
    """The codes (positions in _CHOICES) of a pool's touches, and each one's probability."""
    codes, weights = [], []
    for each, weight in pool:
        for campaign in each.campaigns:
            codes.append(_CHOICES.index((each.source, each.touch_type, campaign)))
            weights.append(weight / len(each.campaigns))
    weights = np.array(weights)
    return np.array(codes), weights / weights.sum()


def count_per_lead(rng, has_deal: np.ndarray) -> np.ndarray:
    """1 to 12 touches per lead, about 4 on average, two more for a lead that reached a deal."""
    drawn = 1 + rng.binomial(MAX_TOUCHES - 1, 0.27, size=len(has_deal)) + 2 * has_deal
    return np.minimum(drawn, MAX_TOUCHES)


def _draw_chunk(rng, leads, rows: slice, snapshot_seconds: float) -> pd.DataFrame:
    """The touches of the leads at ``rows``: lead position, time, and touch code (-1 for the
    lead's own touch), ordered by lead and time."""
    created = leads.created[rows]
    deal_created = leads.deal_created[rows]
    counts = count_per_lead(rng, ~np.isnan(deal_created))
    lead = np.repeat(np.arange(rows.start, rows.stop), counts)
    # The first of each lead's touches is its own; the others are drawn around it.
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    own = np.zeros(len(lead), dtype=bool)
    own[starts] = True
    at_created = np.repeat(created, counts)
    span = np.repeat(
        np.where(np.isnan(deal_created), NURTURE_DAYS_WITHOUT_DEAL * 86_400, 0.0)
        + np.nan_to_num(deal_created - created) * 1.2,
        counts,
    )
    before = ~own & (rng.random(len(lead)) < BEFORE_CREATION_SHARE)
    after = ~own & ~before
    when = at_created.copy()
    when[before] -= rng.lognormal(np.log(DAYS_BEFORE_MEDIAN), 0.9, before.sum()) * 86_400
    when[after] += rng.random(after.sum()) * span[after] + 60
    when = np.minimum(when, snapshot_seconds - 60)
    code = np.full(len(lead), -1, dtype=np.int16)
    for pool, where in ((DISCOVERY, before), (NURTURE, after)):
        codes, weights = _pool_codes(pool)
        code[where] = rng.choice(codes, size=where.sum(), p=weights)
    by_email = rng.random(len(lead)) < LINKED_BY_EMAIL_SHARE
    frame = pd.DataFrame({"lead": lead, "at": np.floor(when), "code": code, "by_email": by_email})
    return frame.sort_values(["lead", "at"], kind="stable")


def _text(frame: pd.DataFrame, leads, words: "LeadWords", first_id: int) -> dict[str, object]:
    """The export's columns for a chunk of drawn touches."""
    lead = frame["lead"].to_numpy()
    code = frame["code"].to_numpy()
    own = code < 0
    choices = np.array(_CHOICES + [("", "", "")], dtype=object)
    picked = choices[np.where(own, len(_CHOICES), code)]
    source = picked[:, 0].copy()
    source[own] = words.source_names[leads.source_code[lead[own]]]
    touch_type = picked[:, 1].copy()
    touch_type[own] = OWN_TOUCH_TYPE
    campaign = picked[:, 2].copy()
    campaign[own] = words.campaign_names[leads.channel[lead[own]], leads.campaign_draw[lead[own]]]
    # A tool that knows only the email; some type it in capitals (matching ignores case). A
    # lead without an email keeps its id: a touch needs one or the other.
    email = np.full(len(frame), "", dtype=object)
    wanted = np.flatnonzero(frame["by_email"].to_numpy())
    email[wanted] = leads.emails(lead[wanted])
    shouted = wanted[lead[wanted] % 3 == 0]
    email[shouted] = [value.upper() for value in email[shouted]]
    lead_ids = np.array([f"L{i:07d}" for i in lead + 1], dtype=object)
    lead_ids[email != ""] = ""
    return {
        "touch_id": [f"T{i:08d}" for i in range(first_id, first_id + len(frame))],
        "lead_id": lead_ids,
        "email": email,
        "touched_at": words.fmt_times(frame["at"].to_numpy()),
        "source": source,
        "campaign": campaign,
        "touch_type": touch_type,
    }


def write(
    path: Path, leads, words: LeadWords, *, seed: int, snapshot_seconds: float, chunk_rows: int
) -> int:
    """Write the touches export for ``leads`` (the sample's drawn leads) to ``path``; how many
    touches it holds."""
    rng = np.random.default_rng(seed + 1)  # its own stream: the other exports keep their bytes
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        for start in range(0, max(len(leads), 1), chunk_rows):
            rows = slice(start, min(start + chunk_rows, len(leads)))
            frame = _draw_chunk(rng, leads, rows, snapshot_seconds)
            text = _text(frame, leads, words, count + 1)
            out = pd.DataFrame(text, columns=column_names("touches"))
            out.to_csv(handle, index=False, header=start == 0, lineterminator="\n")
            count += len(frame)
    return count
