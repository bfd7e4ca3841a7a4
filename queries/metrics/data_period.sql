-- Data period: the first and last day on which the loaded data has any funnel event, so the
-- period filter offers exactly the days there is data for.
-- Grain: one row.
-- Parameters: none.

with

funnel as (
    select * from funnel_revenue
),

final as (
    select
        cast(least(min(created_at), min(first_deal_created_at)) as date) as first_date,
        cast(greatest(max(created_at), max(first_deal_created_at), max(first_won_at)) as date)
            as last_date,
    from funnel
)

select * from final
