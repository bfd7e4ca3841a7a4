-- Data freshness: how far the loaded leads reach and when the data last changed, for the
-- banner on every page ("leads up to 20 Nov 2026, loaded 2 days ago").
-- Grain: one row.
-- Parameters: none.

with

as_of as (
    select * from funnel_as_of
),

builds as (
    select max(built_at) as loaded_at from build_info
),

final as (
    select
        cast(as_of.last_lead_created_at as date) as last_lead_date,
        builds.loaded_at,
    from as_of
    cross join builds
)

select * from final
