-- Data period: the first and last day on which the loaded data has any funnel event or any
-- spend, so the period filter offers exactly the days there is data for and All time holds
-- every cost too; and the day the data is as of (funnel_as_of's "now"), where the period
-- presets end: the last event's day too (last_event_date), unless some event is dated after
-- the data was loaded (a typo), which only All time and custom dates reach.
-- funnel_start_date: where the funnel's numbers begin, the first lead event's day (funnel_starts
-- 'leads'), else with no lead loaded the first deal event's ('deals'). Spend, or deals,
-- exported further back than the leads do not move it: a lead count of a day before the
-- leads export reaches is unknown, never zero, and a change against it would read as growth.
-- Grain: one row.
-- Parameters: none.

with

as_of as (
    select * from funnel_as_of
),

spend as (
    select min(spend_date) as first_spend_date, max(spend_date) as last_spend_date,
    from spend_days
),

final as (
    select
        least(cast(as_of.first_event_at as date), spend.first_spend_date) as first_date,
        cast(coalesce(as_of.first_lead_event_at, as_of.first_event_at) as date)
            as funnel_start_date,
        case
            when as_of.first_lead_event_at is not null then 'leads'
            when as_of.first_event_at is not null then 'deals'
        end as funnel_starts,
        cast(as_of.data_as_of as date) as as_of_date,
        greatest(cast(as_of.last_event_at as date), spend.last_spend_date) as last_date,
        cast(as_of.last_event_at as date) as last_event_date,
    from as_of
    cross join spend
)

select * from final
