"""Deterministic generator of the sample lead and deal exports.

The sample has to tell a story a weekly meeting can argue about, so the channels differ on
purpose: content marketing brings many MQLs that sales rarely accepts, trade-show leads arrive
in bursts and wait days for a call, the contact form and referrals are fast and convert well,
partners bring the largest deals. Fast follow-up raises the chance that sales accepts a lead.

Everything is drawn from one seeded numpy generator and written as pre-formatted text, so the
same arguments give the same bytes. ``generate(n_leads=1_000_000)`` feeds the benchmark.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from revcycle.contract import column_names

SEED = 20261120
SNAPSHOT_AT = datetime(2026, 11, 20, 18, 0)  # the sample's "now": last lead is before this
HISTORY_DAYS = 730  # 24 months of leads up to the snapshot


@dataclass(frozen=True)
class ChannelProfile:
    source: str  # the lead source as the export names it
    share: float  # share of lead volume
    mql_rate: float  # lead -> MQL
    sql_rate: float  # MQL -> SQL (sales acceptance), before the follow-up-speed effect
    opportunity_rate: float  # SQL -> deal
    win_rate: float  # closed deals that are won
    median_hours_to_contact: float
    never_contacted_share: float
    deal_size_factor: float


CHANNEL_PROFILES: tuple[ChannelProfile, ...] = (
    ChannelProfile("Paid Search", 0.21, 0.42, 0.28, 0.85, 0.27, 5.0, 0.06, 1.0),
    ChannelProfile("Organic Search", 0.17, 0.36, 0.33, 0.85, 0.31, 9.0, 0.05, 1.0),
    ChannelProfile("Content Marketing", 0.15, 0.52, 0.13, 0.75, 0.18, 30.0, 0.12, 0.8),
    ChannelProfile("Website Contact Form", 0.08, 0.72, 0.48, 0.90, 0.36, 1.2, 0.02, 1.1),
    ChannelProfile("Trade Show", 0.07, 0.55, 0.19, 0.80, 0.29, 70.0, 0.22, 1.4),
    ChannelProfile("Referral", 0.05, 0.64, 0.48, 0.90, 0.46, 3.5, 0.03, 1.3),
    ChannelProfile("Email", 0.12, 0.33, 0.23, 0.75, 0.22, 20.0, 0.08, 0.7),
    ChannelProfile("Partner", 0.06, 0.55, 0.40, 0.88, 0.41, 7.0, 0.04, 1.7),
)
# Spellings a second system or an older export uses for the same sources; the channel rules
# map them, so the sample exercises the mapping the way real mixed exports do.
SOURCE_VARIANTS = {"Paid Search": "PAID_SEARCH", "Organic Search": "organic_search"}
BLANK_SOURCE_SHARE = 0.012

# Owner name and how much slower (>1) or faster (<1) than the channel norm they call back.
OWNERS: tuple[tuple[str, float], ...] = (
    ("Anna Keller", 0.6),
    ("Ben Okafor", 0.8),
    ("Chloé Martin", 0.9),
    ("David Jansen", 1.0),
    ("Eva Lindqvist", 1.0),
    ("Farid Haddad", 1.2),
    ("Greta Novak", 1.3),
    ("Hugo Rossi", 1.6),
    ("Isabel Ortega", 2.0),
    ("Jonas Weber", 2.8),
)
UNASSIGNED_SHARE = 0.03

SEGMENTS = (
    ("SMB", 0.55, 6_000.0, 30.0),
    ("Mid-market", 0.30, 18_000.0, 50.0),
    ("Enterprise", 0.15, 55_000.0, 85.0),
)  # name, share, median deal EUR, median cycle days
COUNTRIES = (
    ("DE", 0.30),
    ("NL", 0.15),
    ("FR", 0.13),
    ("GB", 0.12),
    ("US", 0.10),
    ("ES", 0.07),
    ("IT", 0.06),
    ("SE", 0.04),
    ("AT", 0.03),
)
CAMPAIGNS = {
    "Paid Search": ("Brand keywords", "Competitor keywords", "Generic keywords"),
    "Organic Search": ("",),
    "Content Marketing": ("State of RevOps report", "Pipeline webinar series", "Blog newsletter"),
    "Website Contact Form": ("",),
    "Trade Show": ("SaaStr Europa", "DMEXCO", "Web Summit", "B2B Marketing Expo"),
    "Referral": ("Customer referral programme",),
    "Email": ("Monthly newsletter", "Product launch mail", "Win-back sequence"),
    "Partner": ("Reseller programme", "Agency partners"),
}
DISQUALIFIED_REASONS = (
    "No budget",
    "Not a fit",
    "Student or job seeker",
    "Competitor",
    "No response",
    "Duplicate",
)
OPEN_STAGES = ("Qualification", "Discovery", "Proposal", "Negotiation")
COMPANY_WORDS = (
    "Nord",
    "Blue",
    "Alpen",
    "Delta",
    "Kite",
    "Lumen",
    "Orbit",
    "Pixel",
    "Rhein",
    "Solar",
    "Terra",
    "Vega",
    "Atlas",
    "Bright",
    "Cedar",
    "Falcon",
)
COMPANY_SUFFIXES = ("GmbH", "B.V.", "SAS", "Ltd", "Inc.", "S.L.", "AB", "AG")


def _epoch_seconds(moment: datetime) -> int:
    """Seconds since 1970 for a naive datetime read as wall-clock time, whatever the TZ."""
    return int((moment - datetime(1970, 1, 1)).total_seconds())


def _fmt_times(values: np.ndarray) -> np.ndarray:
    """Seconds since the epoch (NaN for blank) -> ISO text, blank where missing."""
    out = np.full(values.shape, "", dtype=object)
    present = ~np.isnan(values)
    stamps = pd.to_datetime(values[present].astype("int64"), unit="s")
    out[present] = stamps.strftime("%Y-%m-%d %H:%M:%S").to_numpy()
    return out


def _fmt_money(values: np.ndarray) -> np.ndarray:
    out = np.full(values.shape, "", dtype=object)
    present = ~np.isnan(values)
    out[present] = [f"{value:.2f}" for value in values[present]]
    return out


def _blank_some(rng: np.random.Generator, values: np.ndarray, share: float) -> np.ndarray:
    values = values.astype(object)
    values[rng.random(len(values)) < share] = ""
    return values


def _lead_created_seconds(rng: np.random.Generator, channel_index: np.ndarray) -> np.ndarray:
    """Creation times: growing volume, quiet weekends, trade-show leads in event bursts."""
    n = len(channel_index)
    start = SNAPSHOT_AT - timedelta(days=HISTORY_DAYS)
    days = np.arange(HISTORY_DAYS)
    weekday = np.array([(start + timedelta(days=int(d))).weekday() for d in days])
    weight = (1.0 + 0.5 * days / HISTORY_DAYS) * np.where(weekday >= 5, 0.35, 1.0)
    day = rng.choice(days, size=n, p=weight / weight.sum())
    trade_show = channel_index == _channel_position("Trade Show")
    # Eight shows over two years; a show's badge scans are imported over its three days.
    show_days = np.linspace(40, HISTORY_DAYS - 30, 8).astype(int)
    day[trade_show] = rng.choice(show_days, size=trade_show.sum()) + rng.integers(
        0, 3, size=trade_show.sum()
    )
    # Office hours mostly, some evening sign-ups.
    hour = np.clip(rng.normal(13.0, 3.5, size=n), 0, 23.99)
    seconds = day * 86_400 + (hour * 3600).astype(int)
    base = _epoch_seconds(start.replace(hour=0, minute=0, second=0))
    return (base + seconds).astype(float)


def _choose(rng, weighted: tuple[tuple[str, float], ...], size: int) -> np.ndarray:
    weights = np.array([weight for _, weight in weighted])
    return rng.choice([name for name, _ in weighted], size=size, p=weights / weights.sum())


def _channel_position(source: str) -> int:
    return next(i for i, profile in enumerate(CHANNEL_PROFILES) if profile.source == source)


def _later(rng, start: np.ndarray, median_days: float, sigma: float = 0.8) -> np.ndarray:
    """A time after ``start``, log-normally distributed around ``median_days``."""
    return start + rng.lognormal(np.log(median_days), sigma, size=len(start)) * 86_400


def generate(n_leads: int = 20_000, seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (leads, deals) as all-text DataFrames in the generic export format."""
    rng = np.random.default_rng(seed)
    snapshot = float(_epoch_seconds(SNAPSHOT_AT))
    shares = np.array([profile.share for profile in CHANNEL_PROFILES])
    channel = rng.choice(len(CHANNEL_PROFILES), size=n_leads, p=shares / shares.sum())
    profile_value = lambda attr: np.array([getattr(p, attr) for p in CHANNEL_PROFILES])[channel]  # noqa: E731

    created = _lead_created_seconds(rng, channel)
    created = np.minimum(created, snapshot - 3600)
    order = np.argsort(created, kind="stable")
    channel, created = channel[order], created[order]

    owner_index = rng.integers(0, len(OWNERS), size=n_leads)
    owner_speed = np.array([speed for _, speed in OWNERS])[owner_index]
    unassigned = rng.random(n_leads) < UNASSIGNED_SHARE
    segment_index = rng.choice(len(SEGMENTS), size=n_leads, p=[s[1] for s in SEGMENTS])

    # Follow-up: minutes to assign, then hours to the first call.
    assigned = np.where(unassigned, np.nan, created + rng.exponential(20 * 60, size=n_leads))
    hours = rng.lognormal(np.log(profile_value("median_hours_to_contact") * owner_speed), 1.0)
    never = (rng.random(n_leads) < profile_value("never_contacted_share")) | (
        unassigned & (rng.random(n_leads) < 0.8)
    )
    contacted = np.where(never, np.nan, created + hours * 3600)
    contacted[contacted > snapshot] = np.nan  # not yet called by the snapshot
    hours = (contacted - created) / 3600

    # Sales accepts fast-followed leads more often: the "does speed pay?" story.
    speed_factor = np.select(
        [np.isnan(hours), hours < 1, hours < 4, hours < 24, hours < 72],
        [0.25, 1.35, 1.2, 1.0, 0.8],
        0.6,
    )
    is_mql = rng.random(n_leads) < profile_value("mql_rate")
    mql = np.where(is_mql, _later(rng, created, 1.5), np.nan)
    is_sql = is_mql & (rng.random(n_leads) < profile_value("sql_rate") * speed_factor)
    sql = np.where(is_sql, _later(rng, np.nan_to_num(mql), 4.0), np.nan)
    has_deal = is_sql & (rng.random(n_leads) < profile_value("opportunity_rate"))
    deal_created = np.where(has_deal, _later(rng, np.nan_to_num(sql), 6.0), np.nan)
    for stamps in (mql, sql, deal_created):  # events after the snapshot have not happened yet
        stamps[stamps > snapshot] = np.nan
    sql[np.isnan(mql)] = np.nan
    deal_created[np.isnan(sql)] = np.nan
    has_deal = ~np.isnan(deal_created)

    lead_ids = np.array([f"L{i:07d}" for i in range(1, n_leads + 1)], dtype=object)
    company_number = rng.integers(0, 4000 + n_leads // 5, size=n_leads)
    company = np.array(
        [
            f"{COMPANY_WORDS[c % 16]}{COMPANY_WORDS[(c // 16) % 16].lower()} {c} "
            f"{COMPANY_SUFFIXES[c % 8]}"
            for c in company_number
        ],
        dtype=object,
    )
    email = np.array(
        [
            f"contact{i}@{COMPANY_WORDS[c % 16].lower()}{c}.example"
            for i, c in enumerate(company_number, 1)
        ],
        dtype=object,
    )
    source = np.array([p.source for p in CHANNEL_PROFILES], dtype=object)[channel]
    variant_rows = rng.random(n_leads) < 0.15
    for label, variant in SOURCE_VARIANTS.items():
        source[(source == label) & variant_rows] = variant
    source[rng.random(n_leads) < BLANK_SOURCE_SHARE] = ""
    campaign = np.array(
        [
            CAMPAIGNS[CHANNEL_PROFILES[c].source][k % len(CAMPAIGNS[CHANNEL_PROFILES[c].source])]
            for c, k in zip(channel, rng.integers(0, 12, size=n_leads), strict=True)
        ],
        dtype=object,
    )
    owner = np.array([name for name, _ in OWNERS], dtype=object)[owner_index]
    owner[unassigned] = ""
    status = np.select(
        [has_deal, is_sql & ~np.isnan(sql), ~np.isnan(contacted), never],
        ["Converted", "Qualified", "Working", "New"],
        "New",
    ).astype(object)
    disqualified = (status == "Working") & (rng.random(n_leads) < 0.45)
    status[disqualified] = "Disqualified"
    reason = np.full(n_leads, "", dtype=object)
    reason[disqualified] = rng.choice(DISQUALIFIED_REASONS, size=disqualified.sum())

    leads = pd.DataFrame(
        {
            "lead_id": lead_ids,
            "created_at": _fmt_times(created),
            "channel": source,
            "campaign": campaign,
            "owner": owner,
            "segment": _blank_some(rng, np.array([s[0] for s in SEGMENTS])[segment_index], 0.02),
            "country": _blank_some(rng, _choose(rng, COUNTRIES, n_leads), 0.03),
            "email": _blank_some(rng, email, 0.03),
            "company": _blank_some(rng, company, 0.05),
            "mql_at": _fmt_times(mql),
            "sql_at": _fmt_times(sql),
            "owner_assigned_at": _fmt_times(assigned),
            "first_contacted_at": _fmt_times(contacted),
            "status": status,
            "disqualified_reason": reason,
        },
        columns=column_names("leads"),
    )
    deals = _generate_deals(
        rng, leads, channel, segment_index, owner_index, deal_created, has_deal, snapshot
    )
    return leads, deals


def _generate_deals(
    rng, leads, channel, segment_index, owner_index, deal_created, has_deal, snapshot
) -> pd.DataFrame:
    """Deals of converted leads, a second deal for some, and deals no lead explains."""
    lead_rows = np.flatnonzero(has_deal)
    second = lead_rows[rng.random(len(lead_rows)) < 0.07]
    second_created = deal_created[second] + rng.uniform(20, 200, size=len(second)) * 86_400
    keep = second_created < snapshot
    rows = np.concatenate([lead_rows, second[keep]])
    created = np.concatenate([deal_created[lead_rows], second_created[keep]])
    n_linked = len(rows)
    n_orphans = int(round(n_linked * 0.07))

    # Deals typed into the CRM by sales without a lead behind them.
    orphan_created = (snapshot - rng.uniform(1, HISTORY_DAYS, size=n_orphans) * 86_400).round()
    orphan_segment = rng.choice(len(SEGMENTS), size=n_orphans, p=[s[1] for s in SEGMENTS])
    segment = np.concatenate([segment_index[rows], orphan_segment])
    created = np.concatenate([created, orphan_created])
    n = len(created)

    win_rate = np.concatenate(
        [
            np.array([p.win_rate for p in CHANNEL_PROFILES])[channel[rows]],
            np.full(n_orphans, 0.30),
        ]
    )
    size_factor = np.concatenate(
        [
            np.array([p.deal_size_factor for p in CHANNEL_PROFILES])[channel[rows]],
            np.full(n_orphans, 1.0),
        ]
    )
    median_amount = np.array([s[2] for s in SEGMENTS])[segment] * size_factor
    amount = np.round(rng.lognormal(np.log(median_amount), 0.55), 2)
    cycle_days = rng.lognormal(np.log(np.array([s[3] for s in SEGMENTS])[segment]), 0.6)
    closed = created + cycle_days * 86_400
    is_closed = closed <= snapshot
    is_won = is_closed & (rng.random(n) < win_rate)
    closed = np.where(is_closed, closed, np.nan)
    stage = np.where(is_won, "Closed Won", "Closed Lost").astype(object)
    stage[~is_closed] = rng.choice(OPEN_STAGES, size=(~is_closed).sum())
    amount[(~is_closed) & (rng.random(n) < 0.10)] = np.nan  # open deals not yet priced

    lead_id = np.concatenate([leads["lead_id"].to_numpy()[rows], np.full(n_orphans, "")]).astype(
        object
    )
    email = np.concatenate(
        [leads["email"].to_numpy()[rows], [f"buyer{i}@direct{i}.example" for i in range(n_orphans)]]
    ).astype(object)
    # Some CRMs link a deal to its contact by email only, in whatever case sales typed it.
    email_only = (rng.random(n) < 0.06) & (email != "")
    email_only[n_linked:] = False
    lead_id[email_only] = ""
    email[email_only] = np.array(
        [e.upper() if i % 2 else e.title() for i, e in enumerate(email[email_only])], dtype=object
    )
    owner_names = np.array([name for name, _ in OWNERS], dtype=object)
    owner = np.concatenate(
        [owner_names[owner_index[rows]], owner_names[rng.integers(0, len(OWNERS), size=n_orphans)]]
    )

    order = np.argsort(created, kind="stable")
    deals = pd.DataFrame(
        {
            "deal_id": [f"D{i:06d}" for i in range(1, n + 1)],
            "lead_id": lead_id[order],
            "email": email[order],
            "created_at": _fmt_times(created[order]),
            "stage": stage[order],
            "is_won": np.where(is_won, "true", "false")[order],
            "is_closed": np.where(is_closed, "true", "false")[order],
            "amount": _fmt_money(amount[order]),
            "currency": "EUR",
            "closed_at": _fmt_times(closed[order]),
            "owner": owner[order],
        },
        columns=column_names("deals"),
    )
    # Some exports leave the derived flags empty; staging derives them from the stage.
    blank_flags = rng.random(n) < 0.05
    deals.loc[blank_flags, ["is_won", "is_closed"]] = ""
    return deals


def write(folder: Path, n_leads: int = 20_000, seed: int = SEED) -> tuple[Path, Path]:
    """Write ``leads.csv`` and ``deals.csv`` into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    leads, deals = generate(n_leads, seed)
    paths = folder / "leads.csv", folder / "deals.csv"
    for frame, path in zip((leads, deals), paths, strict=True):
        frame.to_csv(path, index=False, lineterminator="\n")
    return paths
