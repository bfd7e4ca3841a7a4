-- The working-time calendar: per agreement version and calendar day (local, in the version's
-- time zone), the working seconds of all days before it and the day's spans of working time.
-- Any instant then becomes "working seconds since the calendar began" with one join on its
-- version and local day (working_seconds_at in macros.sql): the days before, plus the part of
-- each of the day's spans already passed. A working-hours duration is one subtraction. The
-- day's first span is two columns (null start on a day without one); any later ones are
-- later_spans, a list, null when there are none.
-- Spans are the version's working hours on each day that is not a day off (public holiday or
-- closing day), as real instants (seconds since 1970 UTC): a span across the night the clocks
-- change is 23 or 25 real hours long. A day off or a day without hours has no spans.
-- is_in_force: whether the version is the one in force on the day: the latest effective on or
-- before it; before the first version's date, the first. Each day has exactly one.
-- Range: from two days before the data's first event (the data's zone and the agreement's may
-- disagree on the date) to a year after its latest, so a deadline after the last event still
-- falls inside the calendar.
-- Grain: one row per version and calendar day. Parameters: none.
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

-- The version in force on the first version's date: of two on one date, the later saved.
first_version as (
    select arg_min(version, (effective_from, -version)) as version from versions
),

dates as (
    select
        cast(
            unnest(
                generate_series(
                    cast(as_of.first_event_at as date) - interval 2 day,
                    cast(as_of.data_as_of as date) + interval 366 day,
                    interval 1 day
                )
            ) as date
        ) as calendar_date,
    from as_of
),

dates_in_force as (
    select
        dates.calendar_date,
        coalesce(
            (
                -- Versions are saved in date order (a date before the last one is refused):
                -- the highest effective by the day is the latest, of two on one date the
                -- later saved, as agreed_working_days and agreement_in_force read it.
                select max(versions.version)
                from versions
                where versions.effective_from <= dates.calendar_date
            ),
            first_version.version
        ) as version_in_force,
    from dates
    cross join first_version
),

calendar_days as (
    select
        versions.version,
        versions.time_zone,
        dates_in_force.calendar_date,
        versions.version = dates_in_force.version_in_force as is_in_force,
    from versions
    cross join dates_in_force
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
        working_days.calendar_date,
        epoch(timezone(working_days.time_zone, working_days.calendar_date + working_hours.starts))
            as starts_second,
        epoch(
            timezone(
                working_days.time_zone,
                coalesce(
                    working_days.calendar_date + working_hours.ends,
                    working_days.calendar_date + interval 1 day
                )
            )
        ) as ends_second,
    from working_days
    inner join working_hours
        on working_days.version = working_hours.version
        and isodow(working_days.calendar_date) = working_hours.iso_weekday
),

-- A day's first span as plain columns, the rest (a lunch break makes a second) as a list that
-- is null on most days: a plain column costs the per-lead lookup far less than a list.
spans_per_day as (
    select
        version,
        calendar_date,
        min(starts_second) as first_starts_second,
        arg_min(ends_second - starts_second, starts_second) as first_working_seconds,
        list(
            struct_pack(starts_second, working_seconds := ends_second - starts_second)
            order by starts_second
        ) filter (where count_earlier > 0) as later_spans,
        sum(ends_second - starts_second) as day_working_seconds,
    from (
        select
            *,
            count(*) over (
                partition by version, calendar_date
                order by starts_second
                rows between unbounded preceding and 1 preceding
            ) as count_earlier,
        from spans
    )
    group by version, calendar_date
),

final as (
    select
        calendar_days.version,
        calendar_days.time_zone,
        calendar_days.calendar_date,
        calendar_days.is_in_force,
        coalesce(
            sum(spans_per_day.day_working_seconds) over (
                partition by calendar_days.version
                order by calendar_days.calendar_date
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as working_seconds_before,
        spans_per_day.first_starts_second,
        coalesce(spans_per_day.first_working_seconds, 0) as first_working_seconds,
        spans_per_day.later_spans,
    from calendar_days
    left join spans_per_day
        on calendar_days.version = spans_per_day.version
        and calendar_days.calendar_date = spans_per_day.calendar_date
)

select * from final
order by version, calendar_date
