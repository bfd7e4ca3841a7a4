-- Filter values: the channels, owners and segments the sidebar offers, busiest first.
-- Grain: one row per dimension ('channel', 'owner', 'segment') and value.
-- count_rows: the funnel's rows (leads, and deals with no lead) with the value.
-- is_lead_source: whether any lead or deal has the value. Every owner and segment does; a
-- channel may be only a touch's (Direct, Paid social: attribution credits it) or only spend's
-- (a campaign that brought no lead), and is offered too, after the others: its credit and its
-- cost are shown, and the pages that follow leads say why they have nothing for it.
-- has_leads: whether any lead has the value; "(no lead)", or a channel only deals without a
-- lead come from, has deals but no lead to follow up.
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
        true as is_lead_source,
        bool_or(has_lead) as has_leads,
    from funnel
    group by grouping sets ((channel), (owner), (segment))
),

other_channels as (
    select channel from deal_journeys
    union
    select channel from spend_days
    except
    -- per_value's, not the funnel's again: a second scan of it tripled the query's time
    select dimension_value from per_value where dimension = 'channel'
),

other_named_channels as (
    select channel from other_channels
    where channel is not null
),

final as (
    select * from per_value
    union all
    select 'channel', channel, 0, false, false from other_named_channels
)

select * from final
order by dimension, is_lead_source desc, count_rows desc, dimension_value
