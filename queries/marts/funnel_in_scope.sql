-- Funnel rows in scope: funnel_revenue narrowed by the sidebar's channel, owner and segment
-- filters. Every metric query starts from this table macro, so the filters mean the same
-- everywhere and a new filter is added in one place.
-- Grain: as funnel_revenue (one row per lead plus one per deal with no lead).
-- Parameters: the macro arguments channels, owners, segments (bound by the calling query) —
-- lists of values to keep, or null for all; an empty list keeps nothing.
-- Defined by `python -m revcycle build` after funnel_revenue is materialised.

create or replace macro funnel_in_scope(channels, owners, segments) as table

with

funnel as (
    select * from funnel_revenue
),

final as (
    select * from funnel
    where is_in_scope(channel, owner, segment, channels, owners, segments)
)

select * from final
