-- Filter values: the channels, owners and segments the sidebar offers, busiest first.
-- Grain: one row per dimension ('channel', 'owner', 'segment') and value.
-- Parameters: none.

with

funnel as (
    select * from funnel_revenue
),

dimension_values as (
    unpivot (select channel, owner, segment from funnel)
    on channel, owner, segment
    into name dimension value dimension_value
),

final as (
    select
        dimension,
        dimension_value,
        count(*) as count_rows,
    from dimension_values
    group by dimension, dimension_value
)

select * from final
order by dimension, count_rows desc, dimension_value
