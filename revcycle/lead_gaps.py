"""What a leads export leaves out that a funnel count needs, in one sentence: the same words on
the pages and in the weekly meeting's tiles and pack. A lead that reached SQL on no known day (a
converted lead whose opportunity is not loaded, or a lifecycle stage past SQL with the date
blank) is in no period's or week's SQL count, so the count is said to leave it out, never
shown as if it were complete; and with no SQL dated in the span, the count is unknown, not 0."""

_LOAD_OPPORTUNITIES = (
    "A converted lead's SQL date is its converted opportunity's creation: load the "
    "opportunities export that holds it."
)


# How each stage can be reached with no date for it: a converted lead (its SQL date is its
# converted opportunity's creation) or a lifecycle stage past it with its date blank (a stage
# skipped; only HubSpot's lifecycle stage does that for an MQL).
_REACHED_HOW = {"SQL": "converted, or by their lifecycle stage", "MQL": "by their lifecycle stage"}


def reached_without_date(stage: str, count: int, count_leads: int, span: str) -> str:
    """``count`` of the ``span``'s (``"period"``, ``"week"``) ``count_leads`` leads reached
    ``stage`` ("MQL" or "SQL") with no date for it."""
    count, count_leads = int(count), int(count_leads)
    them, have = ("it", "has") if count == 1 else ("them", "have")
    said = (
        f"{count:,} of the {span}'s {count_leads:,} leads reached {stage} "
        f"({_REACHED_HOW[stage]}) but {have} no {stage} date, so no {span} counts {them} among "
        f"its {stage}s; cohorts count {them}."
    )
    return f"{said} {_LOAD_OPPORTUNITIES}" if stage == "SQL" else said


def sqls_unknown(count: int, count_leads: int, span: str) -> str:
    """Why the ``span``'s SQL count is unknown: no SQL is dated in it, and ``count`` of its
    ``count_leads`` leads reached SQL on no known day, which may be in it."""
    count, count_leads = int(count), int(count_leads)
    return (
        f"No SQL is dated in the {span}, but {count:,} of its {count_leads:,} leads reached SQL "
        "(converted, or by their lifecycle stage) on no known day, so the "
        f"{span}'s SQLs cannot be counted. {_LOAD_OPPORTUNITIES}"
    )


def contact_time_unknown(count: int, count_leads: int) -> str:
    """``count`` of the period's ``count_leads`` leads were answered at a time their export
    cannot tell (a response time with no owner assignment date to count it from)."""
    count, count_leads = int(count), int(count_leads)
    was, it_is = ("was", "it is") if count == 1 else ("were", "they are")
    return (
        f"Follow-up speed cannot be measured for {count:,} of {count_leads:,} leads: their "
        f"export says they {was} answered (a response time) but not when (no Owner assigned "
        f"date), so {it_is} neither on time nor late, and not counted as never contacted."
    )


def contact_hour_unknown(count: int, count_leads: int) -> str:
    """``count`` of the period's ``count_leads`` leads were contacted, but their export dates
    the first contact or the creation by the day alone: no hours to put in the follow-up
    times, though the share can judge them."""
    count, count_leads = int(count), int(count_leads)
    has, them = ("has", "it") if count == 1 else ("have", "them")
    return (
        f"{count:,} of {count_leads:,} leads {has} a first contact or a creation that the "
        f"export dates by the day alone, without the hour, so the follow-up times (the median "
        f"and the box plots) leave {them} out; the share within the agreed time counts {them} "
        "when even the longest they can have waited is within the agreed time, as missed when "
        "even the shortest is past it, and not otherwise."
    )
