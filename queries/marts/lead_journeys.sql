-- Lead journeys: every lead's whole path of channels, for the Markov chain's journeys that did
-- not convert (markov_journeys). Written once per build, so switching the model or the period
-- never re-links millions of touches.
-- Grain: one row per lead (funnel_revenue's lead rows): lead_id, owner, segment, created_at,
-- path (the channels of its loaded touches in time order, ties by touch_id; a lead with none
-- has its own lead source, as in deal_journeys).
-- Parameters: none. Materialised as the table lead_journeys by `python -m revcycle build`.

with

funnel as (
    select * from funnel_revenue
    where has_lead
),

touches as (
    select * from stg_touches
    where lead_id is not null
),

-- Sorting each finished list, as funnel_revenue sorts a lead's deals, rather than an ordered
-- aggregate: DuckDB cannot spill an ordered aggregate to disk, so under the rebuild's memory
-- cap (REVCYCLE_REBUILD_MEMORY_MB) it fails at ten million leads; structs sort by their
-- first field, touched_at, then touch_id.
touch_paths as (
    select
        lead_id,
        list_transform(
            list_sort(list(struct_pack(touched_at, touch_id, channel))),
            lambda touch: touch.channel
        ) as path,
    from touches
    group by lead_id
),

final as (
    select
        funnel.lead_id,
        funnel.owner,
        funnel.segment,
        funnel.created_at,
        coalesce(touch_paths.path, [funnel.channel]) as path,
    from funnel
    left join touch_paths
        on funnel.lead_id = touch_paths.lead_id
)

select * from final
