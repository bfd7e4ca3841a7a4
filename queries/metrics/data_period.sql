-- Data period: the first and last day on which the loaded data has any funnel event, so the
-- period filter offers exactly the days there is data for, and the day the data is as of
-- (funnel_as_of's "now"), where the period presets end: the last day too, unless some event
-- is dated after the data was loaded (a typo), which only All time and custom dates reach.
-- Grain: one row.
-- Parameters: none.

with

as_of as (
    select * from funnel_as_of
),

final as (
    select
        cast(first_event_at as date) as first_date,
        cast(data_as_of as date) as as_of_date,
        cast(last_event_at as date) as last_date,
    from as_of
)

select * from final
