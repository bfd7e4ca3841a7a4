-- The working-time calendar: every span of working time of each agreement version, with the
-- working seconds of all spans before it. Any instant then becomes "working seconds since the
-- calendar began" with one ASOF join (the last span starting at or before it): the seconds
-- before that span plus the part of the span already passed. A working-hours duration is one
-- subtraction of two such values. (This is the issue's "cumulative working seconds per day",
-- one row per span instead of per day, so a day with a lunch break needs no second lookup.)
-- Spans are the version's working hours on each local date that is not a day off (public
-- holiday or closing day), turned into real instants in the version's time zone, so a span
-- across the night the clocks change is 23 or 25 real hours long.
-- Range: from two days before the data's first event (the data's zone and the agreement's
-- may disagree on the date) to a year after its latest, so a deadline after the last event
-- still falls inside the calendar.
-- Grain: one row per version and span. Parameters: none.
-- Materialised as the table working_time_calendar after funnel_as_of, before funnel_revenue.

with

versions as (
    select * from stg_agreement_versions
),

working_hours as (
    select * from stg_agreement_working_hours
),

days_off as (
    select * from stg_agreement_days_off
),

as_of as (
    select * from funnel_as_of
),

calendar_days as (
    select
        versions.version,
        versions.time_zone,
        cast(
            unnest(
                generate_series(
                    cast(as_of.first_event_at as date) - interval 2 day,
                    cast(as_of.data_as_of as date) + interval 366 day,
                    interval 1 day
                )
            ) as date
        ) as calendar_date,
    from versions
    cross join as_of
),

working_days as (
    select * from calendar_days
    anti join days_off
        on calendar_days.version = days_off.version
        and calendar_days.calendar_date = days_off.day_off_date
),

spans as (
    select
        working_days.version,
        timezone(working_days.time_zone, working_days.calendar_date + working_hours.starts)
            as starts_at,
        timezone(
            working_days.time_zone,
            coalesce(
                working_days.calendar_date + working_hours.ends,
                working_days.calendar_date + interval 1 day
            )
        ) as ends_at,
    from working_days
    inner join working_hours
        on working_days.version = working_hours.version
        and isodow(working_days.calendar_date) = working_hours.iso_weekday
),

measured as (
    select
        version,
        starts_at,
        ends_at,
        epoch(starts_at) as starts_second,
        epoch(ends_at) - epoch(starts_at) as working_seconds,
    from spans
),

final as (
    select
        *,
        coalesce(
            sum(working_seconds) over (
                partition by version
                order by starts_second
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as working_seconds_before,
    from measured
)

select * from final
order by version, starts_second
