"""The agreement as plain values: no I/O, so the page, the file, the store and the tests share
one shape."""

import datetime
from dataclasses import dataclass, replace

# nurture: the lead goes to nurturing, not to a salesperson, so it has no response time and is
# never a breach.
FOLLOW_UP_KINDS = ("call", "email", "nurture")
NURTURE = "nurture"
BASES = ("working", "calendar")
TARGET_METRICS = (
    "leads",
    "mqls",
    "sqls",
    "opportunities",
    "share_contacted_in_time",
    "share_mqls_answered",
    "share_mqls_accepted",
    "pipeline",
    "won_revenue",
)
# Shares are fractions 0..1; every other metric is a count or an amount >= 0.
SHARE_METRICS = ("share_contacted_in_time", "share_mqls_answered", "share_mqls_accepted")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
NOT_AGREED = "Not agreed yet."


@dataclass(frozen=True)
class FollowUp:
    channel: str | None  # None = the default for channels not listed (exactly one)
    kind: str  # one of FOLLOW_UP_KINDS
    response_hours: float | None  # None only for nurture; > 0 otherwise
    basis: str  # "working" or "calendar"


@dataclass(frozen=True)
class WorkingHours:
    weekday: int  # ISO 1 = Monday .. 7 = Sunday
    starts: datetime.time
    ends: datetime.time | None  # > starts; None = midnight at the end of the day ("24:00")


@dataclass(frozen=True)
class ClosingDay:
    day: datetime.date
    reason: str


@dataclass(frozen=True)
class Target:
    month: datetime.date  # first day of the month
    channel: str | None  # None = all channels together
    metric: str  # one of TARGET_METRICS
    value: float  # counts and money >= 0; shares in 0..1

    def __post_init__(self):
        if isinstance(self.value, float) and self.value == 0:  # -0.0 is 0: never "Leads -0"
            object.__setattr__(self, "value", 0.0)


@dataclass(frozen=True)
class Budget:
    month: datetime.date  # first day of the month
    channel: str  # budgets are per channel: the spend a channel may make that month
    amount: float  # >= 0, in units of the currency, to the cent at most
    currency: str | None  # ISO code such as EUR; None = the data's currency (REVCYCLE_CURRENCY)


@dataclass(frozen=True)
class Agreement:
    effective_from: datetime.date
    marketing_name: str
    sales_name: str
    note: str
    mql_definition: str
    sql_definition: str
    won_definition: str
    rejection_reasons: tuple[str, ...]
    time_zone: str  # IANA name, default Europe/Amsterdam (settings.TIMEZONE)
    country: str | None  # holidays country code, e.g. "NL"; None = no public holidays
    subdivision: str | None
    working_hours: tuple[WorkingHours, ...]
    closing_days: tuple[ClosingDay, ...]
    follow_up: tuple[FollowUp, ...]
    targets: tuple[Target, ...]
    answer_within_working_days: int  # sales answers an MQL (accept/reject) within N working days
    green_from: float = 1.0  # status: actual / target >= green_from is green
    amber_from: float = 0.9  # >= amber_from amber, below red
    # Monthly marketing budgets per channel; empty in agreements saved before budgets existed.
    budgets: tuple[Budget, ...] = ()


@dataclass(frozen=True)
class Version:
    number: int  # 1, 2, ...
    saved_by: str
    saved_at: datetime.datetime
    agreement: Agreement


def follow_up_for(agreement: Agreement, channel: str | None) -> FollowUp:
    """The follow-up agreed for ``channel``: its own row, else the default row."""
    default = None
    for row in agreement.follow_up:
        if row.channel is not None and row.channel == channel:
            return row
        if row.channel is None:
            default = row
    if default is None:
        # validate refuses an agreement without a default, so only a hand-built one gets here
        raise ValueError("the agreement has no default follow-up for channels not listed")
    return default


DEFAULT_RESPONSE_HOURS = 24.0  # the sidebar's default before agreements existed
DEFAULT_ANSWER_WITHIN_WORKING_DAYS = 2
OFFICE_HOURS = (datetime.time(9), datetime.time(17))


def default_agreement(time_zone: str) -> Agreement:
    """What applies while no agreement is saved (version 0): every channel a call within 24
    calendar hours, as the sidebar said before; office hours Mon-Fri 09:00-17:00; no public
    holidays, closing days or targets; the definitions not agreed yet."""
    starts, ends = OFFICE_HOURS
    return Agreement(
        effective_from=datetime.date(1970, 1, 1),
        marketing_name="",
        sales_name="",
        note="No agreement saved yet.",
        mql_definition=NOT_AGREED,
        sql_definition=NOT_AGREED,
        won_definition=NOT_AGREED,
        rejection_reasons=(),
        time_zone=time_zone,
        country=None,
        subdivision=None,
        working_hours=tuple(WorkingHours(day, starts, ends) for day in range(1, 6)),
        closing_days=(),
        follow_up=(FollowUp(None, "call", DEFAULT_RESPONSE_HOURS, "calendar"),),
        targets=(),
        answer_within_working_days=DEFAULT_ANSWER_WITHIN_WORKING_DAYS,
    )


def _target_order(target: Target) -> tuple:
    metric = TARGET_METRICS.index(target.metric) if target.metric in TARGET_METRICS else 99
    return (target.month, target.channel is not None, target.channel or "", metric, target.metric)


def canonical(agreement: Agreement) -> Agreement:
    """``agreement`` with its rows in one fixed order (default follow-up first, then channels
    by name; working hours by weekday and start; closing days, targets and budgets by date),
    so two agreements that say the same thing compare equal however their rows were entered.
    Rejection reasons keep their order: it is the order sales reads them in."""
    return replace(
        agreement,
        follow_up=tuple(
            sorted(
                agreement.follow_up, key=lambda row: (row.channel is not None, row.channel or "")
            )
        ),
        working_hours=tuple(
            sorted(agreement.working_hours, key=lambda hours: (hours.weekday, hours.starts))
        ),
        closing_days=tuple(sorted(agreement.closing_days, key=lambda closing: closing.day)),
        targets=tuple(sorted(agreement.targets, key=_target_order)),
        budgets=tuple(sorted(agreement.budgets, key=lambda budget: (budget.month, budget.channel))),
    )
