-- The last day the loaded data covers whole, for the weekly meeting's complete weeks.
-- By the events: the day before the data's last day (funnel_as_of's data_as_of), whose later
-- hours may still bring events. By the uploads: a company quiet at weekends exports on Monday
-- morning a file whose last event is on Friday, yet nothing happened in between. When the
-- leads and deals loaded were each last loaded after the data's last day, and the agreement
-- in force has no working time on any day between that day and the earliest of those loads,
-- the data is complete through the day before that load (is_complete_by_uploads). An export
-- pulled mid-week and loaded days later leaves working days between, and the events decide.
-- Days are dates in the data's zone, as loads are stamped; the calendar spans a year past the
-- data's last event, and a load later than that is no proof of quiet.
-- Grain: one row; every column null when nothing is loaded.
-- Parameters: none.

with

as_of as (
    select cast(data_as_of as date) as as_of_date from funnel_as_of
),

-- Each loaded kind's latest load; a kind not loaded (no deals export) has no say.
latest_loads as (
    select uploads.kind, max(uploads.uploaded_at) as loaded_at,
    from loaded_uploads
    inner join uploads
        on loaded_uploads.upload_id = uploads.upload_id
    where loaded_uploads.kind in ('leads', 'deals')
    group by uploads.kind
),

loaded as (
    select cast(min(loaded_at) as date) as loaded_date from latest_loads
),

days_between as (
    select
        count(*) as count_days,
        count(*) filter (where calendar.first_working_seconds > 0) as count_working_days,
    from working_time_calendar as calendar
    cross join as_of
    cross join loaded
    where calendar.is_in_force
        and calendar.calendar_date > as_of.as_of_date
        and calendar.calendar_date < loaded.loaded_date
),

final as (
    select
        as_of.as_of_date,
        loaded.loaded_date,
        coalesce(
            loaded.loaded_date > as_of.as_of_date
            and days_between.count_days = loaded.loaded_date - as_of.as_of_date - 1
            and days_between.count_working_days = 0,
            false
        ) as is_complete_by_uploads,
        case
            when is_complete_by_uploads then loaded.loaded_date - 1
            else as_of.as_of_date - 1
        end as complete_through_date,
    from as_of
    cross join loaded
    cross join days_between
)

select * from final
