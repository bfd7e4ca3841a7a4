-- Data period: the first and last day on which the loaded data has any funnel event, so the
-- period filter offers exactly the days there is data for.
-- Grain: one row.
-- Parameters: none.

with

as_of as (
    select * from funnel_as_of
),

final as (
    select
        cast(first_event_at as date) as first_date,
        cast(data_as_of as date) as last_date,
    from as_of
)

select * from final
