"""Deterministic generator of the sample lead and deal exports (touches: sample_touches.py).

The sample has to tell a story a weekly meeting can argue about, so the channels differ on
purpose: content marketing brings many MQLs that sales rarely accepts, trade-show leads arrive
in bursts and wait days for a call, the contact form and referrals are fast and convert well,
partners bring the largest deals. Fast follow-up raises the chance that sales accepts a lead.

Everything is drawn from one seeded numpy generator, so the same arguments give the same bytes.
The numbers are drawn first, for every row at once (the order of the draws is what makes the
bytes), and kept as compact arrays: seconds since the epoch, and small codes into the lists of
names. The text is then made and written a chunk of rows at a time, so the generator needs
about 100 bytes per lead instead of a Python string per cell: ``write(folder, 10_000_000)``, the
benchmark's largest run, stays near 1 GB.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from revcycle import sample_spend, sample_touches
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
# Eight trade shows over two years, as days since the history began; a show's badge scans are
# imported over its three days, and its bill is in the spend export.
SHOW_DAYS = np.linspace(40, HISTORY_DAYS - 30, 8).astype(int)

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


CHUNK_ROWS = 100_000  # rows made into text and written at a time
TOUCHES_FILE = "touches.csv"
SPEND_FILE = "spend.csv"

# Every name a code can stand for; a code one past the names means blank.
SOURCE_NAMES = np.array(
    [p.source for p in CHANNEL_PROFILES] + list(SOURCE_VARIANTS.values()) + [""], dtype=object
)
BLANK_SOURCE = len(SOURCE_NAMES) - 1
OWNER_NAMES = np.array([name for name, _ in OWNERS] + [""], dtype=object)
SEGMENT_NAMES = np.array([segment[0] for segment in SEGMENTS] + [""], dtype=object)
COUNTRY_NAMES = np.array([country for country, _ in COUNTRIES] + [""], dtype=object)
STATUSES = np.array(["Converted", "Qualified", "Working", "New", "Disqualified"], dtype=object)
REASONS = np.array([*DISQUALIFIED_REASONS, ""], dtype=object)
DEAL_STAGES = np.array(["Closed Won", "Closed Lost", *OPEN_STAGES], dtype=object)
CAMPAIGN_DRAWS = 12  # a campaign is drawn as 0..11, modulo the channel's number of campaigns
CAMPAIGN_NAMES = np.array(
    [
        [CAMPAIGNS[p.source][k % len(CAMPAIGNS[p.source])] for k in range(CAMPAIGN_DRAWS)]
        for p in CHANNEL_PROFILES
    ],
    dtype=object,
)


def _epoch_seconds(moment: datetime) -> int:
    """Seconds since 1970 for a naive datetime read as wall-clock time, whatever the TZ."""
    return int((moment - datetime(1970, 1, 1)).total_seconds())


SNAPSHOT_SECONDS = float(_epoch_seconds(SNAPSHOT_AT))


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


def _coded(codes: np.ndarray, blank: np.ndarray, blank_code: int) -> np.ndarray:
    """``codes`` with ``blank_code`` where ``blank``, in the smallest integer type."""
    return np.where(blank, blank_code, codes).astype(np.int8)


def _companies(numbers: np.ndarray) -> list[str]:
    return [
        f"{COMPANY_WORDS[c % 16]}{COMPANY_WORDS[(c // 16) % 16].lower()} {c} "
        f"{COMPANY_SUFFIXES[c % 8]}"
        for c in numbers
    ]


def _emails(lead_numbers: np.ndarray, company_numbers: np.ndarray) -> list[str]:
    return [
        f"contact{i}@{COMPANY_WORDS[c % 16].lower()}{c}.example"
        for i, c in zip(lead_numbers, company_numbers, strict=True)
    ]


def _lead_created_seconds(rng: np.random.Generator, channel_index: np.ndarray) -> np.ndarray:
    """Creation times: growing volume, quiet weekends, trade-show leads in event bursts."""
    n = len(channel_index)
    start = SNAPSHOT_AT - timedelta(days=HISTORY_DAYS)
    days = np.arange(HISTORY_DAYS)
    weekday = np.array([(start + timedelta(days=int(d))).weekday() for d in days])
    weight = (1.0 + 0.5 * days / HISTORY_DAYS) * np.where(weekday >= 5, 0.35, 1.0)
    day = rng.choice(days, size=n, p=weight / weight.sum())
    trade_show = channel_index == _channel_position("Trade Show")
    day[trade_show] = rng.choice(SHOW_DAYS, size=trade_show.sum()) + rng.integers(
        0, 3, size=trade_show.sum()
    )
    # Office hours mostly, some evening sign-ups.
    hour = np.clip(rng.normal(13.0, 3.5, size=n), 0, 23.99)
    seconds = day * 86_400 + (hour * 3600).astype(int)
    base = _epoch_seconds(start.replace(hour=0, minute=0, second=0))
    return (base + seconds).astype(float)


def _channel_position(source: str) -> int:
    return next(i for i, profile in enumerate(CHANNEL_PROFILES) if profile.source == source)


def _later(rng, start: np.ndarray, median_days: float, sigma: float = 0.8) -> np.ndarray:
    """A time after ``start``, log-normally distributed around ``median_days``."""
    return start + rng.lognormal(np.log(median_days), sigma, size=len(start)) * 86_400


@dataclass
class _Leads:
    """Every lead's drawn values, in creation order: seconds since the epoch (NaN for none),
    codes into the name lists, and whether a cell is left blank."""

    created: np.ndarray
    mql: np.ndarray
    sql: np.ndarray
    assigned: np.ndarray
    contacted: np.ndarray
    deal_created: np.ndarray
    channel: np.ndarray
    segment: np.ndarray  # the lead's segment, also where the export leaves it blank
    segment_code: np.ndarray
    owner: np.ndarray
    owner_code: np.ndarray
    source_code: np.ndarray
    campaign_draw: np.ndarray
    status_code: np.ndarray
    reason_code: np.ndarray
    country_code: np.ndarray
    company_number: np.ndarray
    email_blank: np.ndarray
    company_blank: np.ndarray

    def __len__(self) -> int:
        return len(self.created)

    def emails(self, rows: np.ndarray) -> np.ndarray:
        """The email column at ``rows`` (positions), blank where the export leaves it so."""
        out = np.array(_emails(rows + 1, self.company_number[rows]), dtype=object)
        out[self.email_blank[rows]] = ""
        return out

    def text(self, rows: slice) -> dict[str, object]:
        """The export's columns for ``rows``, as text."""
        positions = np.arange(rows.start, rows.stop)
        company = np.array(_companies(self.company_number[rows]), dtype=object)
        company[self.company_blank[rows]] = ""
        return {
            "lead_id": [f"L{i:07d}" for i in positions + 1],
            "created_at": _fmt_times(self.created[rows]),
            "channel": SOURCE_NAMES[self.source_code[rows]],
            "campaign": CAMPAIGN_NAMES[self.channel[rows], self.campaign_draw[rows]],
            "owner": OWNER_NAMES[self.owner_code[rows]],
            "segment": SEGMENT_NAMES[self.segment_code[rows]],
            "country": COUNTRY_NAMES[self.country_code[rows]],
            "email": self.emails(positions),
            "company": company,
            "mql_at": _fmt_times(self.mql[rows]),
            "sql_at": _fmt_times(self.sql[rows]),
            "owner_assigned_at": _fmt_times(self.assigned[rows]),
            "first_contacted_at": _fmt_times(self.contacted[rows]),
            "status": STATUSES[self.status_code[rows]],
            "disqualified_reason": REASONS[self.reason_code[rows]],
        }


def _profile_values(attr: str, channel: np.ndarray) -> np.ndarray:
    return np.array([getattr(profile, attr) for profile in CHANNEL_PROFILES])[channel]


def _draw_follow_up(rng, created, channel, owner, unassigned):
    """Minutes to assign, then hours to the first call; who was never called."""
    n = len(created)
    owner_speed = np.array([speed for _, speed in OWNERS])[owner]
    assigned = np.where(unassigned, np.nan, created + rng.exponential(20 * 60, size=n))
    hours = rng.lognormal(
        np.log(_profile_values("median_hours_to_contact", channel) * owner_speed), 1.0
    )
    never = (rng.random(n) < _profile_values("never_contacted_share", channel)) | (
        unassigned & (rng.random(n) < 0.8)
    )
    contacted = np.where(never, np.nan, created + hours * 3600)
    contacted[contacted > SNAPSHOT_SECONDS] = np.nan  # not yet called by the snapshot
    return assigned, contacted, never


def _draw_funnel(rng, created, channel, contacted):
    """When each lead became an MQL, an SQL and a deal (NaN: not, or not by the snapshot)."""
    n = len(created)
    hours = (contacted - created) / 3600
    # Sales accepts fast-followed leads more often: the "does speed pay?" story.
    speed_factor = np.select(
        [np.isnan(hours), hours < 1, hours < 4, hours < 24, hours < 72],
        [0.25, 1.35, 1.2, 1.0, 0.8],
        0.6,
    )
    del hours
    is_mql = rng.random(n) < _profile_values("mql_rate", channel)
    mql = np.where(is_mql, _later(rng, created, 1.5), np.nan)
    is_sql = is_mql & (rng.random(n) < _profile_values("sql_rate", channel) * speed_factor)
    sql = np.where(is_sql, _later(rng, np.nan_to_num(mql), 4.0), np.nan)
    has_deal = is_sql & (rng.random(n) < _profile_values("opportunity_rate", channel))
    deal_created = np.where(has_deal, _later(rng, np.nan_to_num(sql), 6.0), np.nan)
    for stamps in (mql, sql, deal_created):  # events after the snapshot have not happened yet
        stamps[stamps > SNAPSHOT_SECONDS] = np.nan
    sql[np.isnan(mql)] = np.nan
    deal_created[np.isnan(sql)] = np.nan
    return mql, sql, deal_created, is_sql


def _draw_source(rng, channel: np.ndarray) -> np.ndarray:
    """The source as the export spells it: the channel's, a variant spelling, or blank."""
    source = channel.astype(np.int8)
    variant_rows = rng.random(len(channel)) < 0.15
    for code, label in enumerate(SOURCE_VARIANTS, len(CHANNEL_PROFILES)):
        source[(channel == _channel_position(label)) & variant_rows] = code
    source[rng.random(len(channel)) < BLANK_SOURCE_SHARE] = BLANK_SOURCE
    return source


def _draw_status(rng, deal_created, is_sql, sql, contacted, never):
    """The CRM status and, for a disqualified lead, the reason."""
    status = np.select(
        [~np.isnan(deal_created), is_sql & ~np.isnan(sql), ~np.isnan(contacted), never],
        [0, 1, 2, 3],
        3,
    ).astype(np.int8)
    disqualified = (status == 2) & (rng.random(len(status)) < 0.45)
    status[disqualified] = 4
    reason = np.full(len(status), len(DISQUALIFIED_REASONS), dtype=np.int8)
    reason[disqualified] = rng.choice(len(DISQUALIFIED_REASONS), size=disqualified.sum())
    return status, reason


def _draw_leads(rng, n_leads: int) -> _Leads:
    shares = np.array([profile.share for profile in CHANNEL_PROFILES])
    channel = rng.choice(len(CHANNEL_PROFILES), size=n_leads, p=shares / shares.sum())
    created = np.minimum(_lead_created_seconds(rng, channel), SNAPSHOT_SECONDS - 3600)
    order = np.argsort(created, kind="stable")
    channel, created = channel[order].astype(np.int8), created[order]
    del order

    owner = rng.integers(0, len(OWNERS), size=n_leads).astype(np.int8)
    unassigned = rng.random(n_leads) < UNASSIGNED_SHARE
    segment = rng.choice(len(SEGMENTS), size=n_leads, p=[s[1] for s in SEGMENTS]).astype(np.int8)
    assigned, contacted, never = _draw_follow_up(rng, created, channel, owner, unassigned)
    mql, sql, deal_created, is_sql = _draw_funnel(rng, created, channel, contacted)

    company_number = rng.integers(0, 4000 + n_leads // 5, size=n_leads).astype(np.int32)
    source_code = _draw_source(rng, channel)
    campaign_draw = rng.integers(0, CAMPAIGN_DRAWS, size=n_leads).astype(np.int8)
    status_code, reason_code = _draw_status(rng, deal_created, is_sql, sql, contacted, never)
    del is_sql, never
    segment_code = _coded(segment, rng.random(n_leads) < 0.02, len(SEGMENTS))
    weights = np.array([weight for _, weight in COUNTRIES])
    country = rng.choice(len(COUNTRIES), size=n_leads, p=weights / weights.sum())
    country_code = _coded(country, rng.random(n_leads) < 0.03, len(COUNTRIES))
    del country
    return _Leads(
        created=created,
        mql=mql,
        sql=sql,
        assigned=assigned,
        contacted=contacted,
        deal_created=deal_created,
        channel=channel,
        segment=segment,
        segment_code=segment_code,
        owner=owner,
        owner_code=_coded(owner, unassigned, len(OWNERS)),
        source_code=source_code,
        campaign_draw=campaign_draw,
        status_code=status_code,
        reason_code=reason_code,
        country_code=country_code,
        company_number=company_number,
        email_blank=rng.random(n_leads) < 0.03,
        company_blank=rng.random(n_leads) < 0.05,
    )


@dataclass
class _Deals:
    """Every deal's drawn values, in the order drawn (linked deals, then the ones no lead
    explains); ``order`` puts them in creation order, the order of the export."""

    leads: _Leads
    lead_row: np.ndarray  # the lead's position, -1 for a deal no lead explains
    count_linked: int
    created: np.ndarray
    closed: np.ndarray
    amount: np.ndarray
    is_won: np.ndarray
    is_closed: np.ndarray
    stage_code: np.ndarray
    owner: np.ndarray
    email_only: np.ndarray  # linked to its lead by email alone, typed in some other case
    email_upper: np.ndarray  # of those, typed in capitals (the rest in title case)
    order: np.ndarray
    flags_blank: np.ndarray  # by position in the export

    def __len__(self) -> int:
        return len(self.created)

    def _emails(self, deals: np.ndarray) -> np.ndarray:
        lead_row = self.lead_row[deals]
        linked = lead_row >= 0
        out = np.empty(len(deals), dtype=object)
        out[linked] = self.leads.emails(lead_row[linked])
        # Deals no lead explains come after the linked ones, numbered from 0.
        orphans = deals[~linked] - self.count_linked
        out[~linked] = [f"buyer{i}@direct{i}.example" for i in orphans]
        email_only = self.email_only[deals]
        out[email_only] = [
            email.upper() if upper else email.title()
            for email, upper in zip(
                out[email_only], self.email_upper[deals][email_only], strict=True
            )
        ]
        return out

    def text(self, rows: slice) -> dict[str, object]:
        """The export's columns for ``rows`` (positions in the export), as text."""
        deals = self.order[rows]
        lead_row = self.lead_row[deals]
        lead_id = np.full(len(deals), "", dtype=object)
        named = (lead_row >= 0) & ~self.email_only[deals]
        lead_id[named] = [f"L{i:07d}" for i in lead_row[named] + 1]
        flags_blank = self.flags_blank[rows]
        is_won = np.where(self.is_won[deals], "true", "false").astype(object)
        is_closed = np.where(self.is_closed[deals], "true", "false").astype(object)
        # Some exports leave the derived flags empty; staging derives them from the stage.
        is_won[flags_blank] = ""
        is_closed[flags_blank] = ""
        return {
            "deal_id": [f"D{i:06d}" for i in range(rows.start + 1, rows.stop + 1)],
            "lead_id": lead_id,
            "email": self._emails(deals),
            "created_at": _fmt_times(self.created[deals]),
            "stage": DEAL_STAGES[self.stage_code[deals]],
            "is_won": is_won,
            "is_closed": is_closed,
            "amount": _fmt_money(self.amount[deals]),
            "currency": "EUR",
            "closed_at": _fmt_times(self.closed[deals]),
            "owner": OWNER_NAMES[self.owner[deals]],
        }


def _draw_deal_rows(rng, leads: _Leads) -> tuple[np.ndarray, np.ndarray]:
    """The lead of every linked deal (a second deal for some) and when each was created."""
    lead_rows = np.flatnonzero(~np.isnan(leads.deal_created))
    second = lead_rows[rng.random(len(lead_rows)) < 0.07]
    second_created = leads.deal_created[second] + rng.uniform(20, 200, size=len(second)) * 86_400
    keep = second_created < SNAPSHOT_SECONDS
    rows = np.concatenate([lead_rows, second[keep]])
    created = np.concatenate([leads.deal_created[lead_rows], second_created[keep]])
    return rows, created


def _draw_deals(rng, leads: _Leads) -> _Deals:
    """Deals of converted leads, a second deal for some, and deals no lead explains."""
    rows, created = _draw_deal_rows(rng, leads)
    n_linked = len(rows)
    n_orphans = int(round(n_linked * 0.07))

    # Deals typed into the CRM by sales without a lead behind them.
    orphan_created = (
        SNAPSHOT_SECONDS - rng.uniform(1, HISTORY_DAYS, size=n_orphans) * 86_400
    ).round()
    orphan_segment = rng.choice(len(SEGMENTS), size=n_orphans, p=[s[1] for s in SEGMENTS])
    segment = np.concatenate([leads.segment[rows], orphan_segment])
    created = np.concatenate([created, orphan_created])
    n = len(created)

    channel = leads.channel[rows]
    win_rate = np.concatenate([_profile_values("win_rate", channel), np.full(n_orphans, 0.30)])
    size_factor = np.concatenate(
        [_profile_values("deal_size_factor", channel), np.full(n_orphans, 1.0)]
    )
    median_amount = np.array([s[2] for s in SEGMENTS])[segment] * size_factor
    amount = np.round(rng.lognormal(np.log(median_amount), 0.55), 2)
    cycle_days = rng.lognormal(np.log(np.array([s[3] for s in SEGMENTS])[segment]), 0.6)
    closed = created + cycle_days * 86_400
    is_closed = closed <= SNAPSHOT_SECONDS
    is_won = is_closed & (rng.random(n) < win_rate)
    closed = np.where(is_closed, closed, np.nan)
    stage_code = np.where(is_won, 0, 1).astype(np.int8)
    stage_code[~is_closed] = 2 + rng.choice(len(OPEN_STAGES), size=(~is_closed).sum())
    amount[(~is_closed) & (rng.random(n) < 0.10)] = np.nan  # open deals not yet priced

    has_email = np.concatenate([~leads.email_blank[rows], np.ones(n_orphans, dtype=bool)])
    email_only = (rng.random(n) < 0.06) & has_email
    email_only[n_linked:] = False
    # Some CRMs link a deal to its contact by email only, in whatever case sales typed it:
    # every other one in capitals.
    email_upper = (np.cumsum(email_only) - 1) % 2 == 1
    owner = np.concatenate([leads.owner[rows], rng.integers(0, len(OWNERS), size=n_orphans)])
    return _Deals(
        leads=leads,
        lead_row=np.concatenate([rows, np.full(n_orphans, -1)]),
        count_linked=n_linked,
        created=created,
        closed=closed,
        amount=amount,
        is_won=is_won,
        is_closed=is_closed,
        stage_code=stage_code,
        owner=owner.astype(np.int8),
        email_only=email_only,
        email_upper=email_upper,
        order=np.argsort(created, kind="stable"),
        flags_blank=rng.random(n) < 0.05,
    )


def _write_csv(path: Path, kind: str, count_rows: int, text: Callable[[slice], dict]) -> None:
    """Write the export a chunk of rows at a time; ``text`` makes the columns of a chunk."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        for start in range(0, max(count_rows, 1), CHUNK_ROWS):  # the header even with no rows
            rows = slice(start, min(start + CHUNK_ROWS, count_rows))
            frame = pd.DataFrame(text(rows), columns=column_names(kind))
            frame.to_csv(handle, index=False, header=start == 0, lineterminator="\n")


def write(
    folder: Path, n_leads: int = 20_000, seed: int = SEED, *, touches: bool = True
) -> tuple[Path, Path]:
    """Write ``leads.csv`` and ``deals.csv`` in the generic export format into ``folder``;
    return their paths. With ``touches``, also ``touches.csv`` and ``spend.csv`` beside them
    (TOUCHES_FILE, SPEND_FILE): the marketing exports."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    leads = _draw_leads(rng, n_leads)
    deals = _draw_deals(rng, leads)
    paths = folder / "leads.csv", folder / "deals.csv"
    _write_csv(paths[0], "leads", len(leads), leads.text)
    _write_csv(paths[1], "deals", len(deals), deals.text)
    if touches:
        words = sample_touches.LeadWords(SOURCE_NAMES, CAMPAIGN_NAMES, _fmt_times)
        sample_touches.write(
            folder / TOUCHES_FILE,
            leads,
            words,
            seed=seed,
            snapshot_seconds=SNAPSHOT_SECONDS,
            chunk_rows=CHUNK_ROWS,
        )
        write_spend(folder / SPEND_FILE, seed)
    return paths


def write_spend(path: Path, seed: int = SEED, daily_eur: dict[str, float] | None = None) -> int:
    """The spend export over the sample's whole history (see sample_spend); its row count."""
    first_day = (SNAPSHOT_AT - timedelta(days=HISTORY_DAYS)).date()
    period = sample_spend.Period(first_day, SNAPSHOT_AT.date() - timedelta(days=1))
    shows = tuple(first_day + timedelta(days=int(offset)) for offset in SHOW_DAYS)
    return sample_spend.write(path, period, seed=seed, show_days=shows, daily_eur=daily_eur)
