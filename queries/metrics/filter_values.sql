-- Filter values: the channels, owners and segments the sidebar offers, busiest first.
-- Grain: one row per dimension ('channel', 'owner', 'segment') and value.
-- Parameters: none.

with

funnel as (
    select * from funnel_revenue
),

per_value as (
    select
        case
            when grouping(channel) = 0 then 'channel'
            when grouping(owner) = 0 then 'owner'
            else 'segment'
        end as dimension,
        coalesce(channel, owner, segment) as dimension_value,
        count(*) as count_rows,
    from funnel
    group by grouping sets ((channel), (owner), (segment))
),

final as (
    select * from per_value
)

select * from final
order by dimension, count_rows desc, dimension_value
