-- Funnel deals in scope: funnel_deals narrowed by the sidebar's channel, owner and segment
-- filters, as funnel_in_scope narrows funnel_revenue (the same rule, is_in_scope).
-- Grain: as funnel_deals (one row per deal).
-- Parameters: the macro arguments channels, owners, segments (bound by the calling query) —
-- lists of values to keep, or null for all; an empty list keeps nothing.
-- Defined by `python -m revcycle build` after funnel_deals is materialised.

create or replace macro funnel_deals_in_scope(channels, owners, segments) as table

with

deals as (
    select * from funnel_deals
),

final as (
    select * from deals
    where is_in_scope(channel, owner, segment, channels, owners, segments)
)

select * from final
