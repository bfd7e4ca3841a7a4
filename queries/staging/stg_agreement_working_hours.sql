-- Working hours as the calendar reads them: per agreement version and ISO weekday, each span
-- of local time worked, in the version's time zone; ends null is midnight at the end of the
-- day. While no version is saved, version 0's office hours: Monday to Friday 09:00-17:00
-- (model.default_agreement).
-- Grain: one row per version, weekday and span (a day may have several: a lunch break).
-- Parameters: none. Reads agreement_working_hours and agreement_versions.

with

saved as (
    select * from agreement_working_hours
),

default_hours as (
    select
        0 as version,
        cast(weekday as tinyint) as iso_weekday,
        time '09:00' as starts,
        time '17:00' as ends,
    from range(1, 6) as weekdays (weekday)
    where not exists (select 1 from agreement_versions)
),

final as (
    select
        version,
        iso_weekday,
        starts,
        ends,
    from saved
    union all
    select * from default_hours
)

select * from final
