-- Agreed working days: each working day of a period, with the agreement version in force that
-- day and the number of working days its month has under that version. A monthly figure of
-- the agreement (a target, a budget) is prorated to any period through it: a day takes
-- 1 / count_month_working_days of its month's figure under its own version, so a week of 5
-- working days in a month of 20 takes a quarter, and a change of version mid-period applies
-- from its date on.
-- The version in force on a day is the latest effective on or before it; before the first
-- version, the first. A working day is a weekday with working hours under that version and
-- not one of its days off (public holiday or closing day, stg_agreement_days_off).
-- Grain: one row per working day of the period (work_date), none for other days.
-- Parameters: the macro arguments start_date and end_date (dates, both included), bound by
-- the calling query.
-- Defined by `python -m revcycle build` with the other mart macros.

create or replace macro agreed_working_days(start_date, end_date)
as table

with

versions as (
    select version, effective_from from stg_agreement_versions
),

working_weekdays as (
    select distinct version, iso_weekday from stg_agreement_working_hours
),

days_off as (
    select distinct version, day_off_date as day from stg_agreement_days_off
),

period_days as (
    select cast(unnest(generate_series(
        cast(start_date as timestamp), cast(end_date as timestamp), interval 1 day
    )) as date) as day
),

-- Versions only ever take effect later than the one before, so the highest number in effect
-- is the latest.
day_versions as (
    select
        period_days.day,
        coalesce(
            max(versions.version) filter (where versions.effective_from <= period_days.day),
            min(versions.version)
        ) as version,
    from period_days
    cross join versions
    group by period_days.day
),

month_days as (
    select distinct
        day_versions.version,
        cast(date_trunc('month', day_versions.day) as date) as month,
    from day_versions
),

month_working_days as (
    select
        month_days.version,
        month_days.month,
        count(*) as count_month_working_days,
    from month_days
    cross join unnest(generate_series(
        cast(month_days.month as timestamp),
        cast(month_days.month as timestamp) + interval 1 month - interval 1 day,
        interval 1 day
    )) as calendar(day_at)
    inner join working_weekdays
        on working_weekdays.version = month_days.version
        and working_weekdays.iso_weekday = isodow(calendar.day_at)
    anti join days_off
        on days_off.version = month_days.version
        and days_off.day = cast(calendar.day_at as date)
    group by month_days.version, month_days.month
),

period_working_days as (
    select
        day_versions.day,
        day_versions.version,
        cast(date_trunc('month', day_versions.day) as date) as month,
    from day_versions
    inner join working_weekdays
        on working_weekdays.version = day_versions.version
        and working_weekdays.iso_weekday = isodow(day_versions.day)
    anti join days_off
        on days_off.version = day_versions.version
        and days_off.day = day_versions.day
),

final as (
    select
        period_working_days.day as work_date,
        period_working_days.version,
        period_working_days.month,
        month_working_days.count_month_working_days,
    from period_working_days
    inner join month_working_days
        on month_working_days.version = period_working_days.version
        and month_working_days.month = period_working_days.month
)

select * from final
