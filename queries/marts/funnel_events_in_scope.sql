-- Funnel events in scope: funnel_events narrowed by the sidebar's channel, owner and segment
-- filters, as funnel_in_scope narrows funnel_revenue (the same rule, is_in_scope).
-- Grain: as funnel_events (one row per event day, stage, channel, owner, segment and flags).
-- Parameters: the macro arguments channels, owners, segments (bound by the calling query) —
-- lists of values to keep, or null for all; an empty list keeps nothing.
-- Defined by `python -m revcycle build` after funnel_events is materialised.

create or replace macro funnel_events_in_scope(channels, owners, segments) as table

with

events as (
    select * from funnel_events
),

final as (
    select * from events
    where is_in_scope(channel, owner, segment, channels, owners, segments)
)

select * from final
