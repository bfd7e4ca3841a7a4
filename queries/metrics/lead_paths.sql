-- The channel paths Markov attribution learns from, converting or not, counted per path.
-- Grain: one row per distinct path (the ordered list of channels touched) and outcome.
-- Converting journeys are those of the deals attribution shares out (attribution_journeys:
-- won in the period, or created in it and open, for $basis 'pipeline'); the journeys that did
-- not convert are those of the leads created in the period with no such deal at all: all
-- their loaded touches (stg_touches), or as deal_journeys has it, their own lead source when
-- none is loaded. Owner and segment filters narrow both, so the chain learns on one scope.
-- Parameters: $basis ('revenue' or 'pipeline'); $start_date, $end_date (dates, both included);
-- $owners, $segments (lists of values to keep, or null for all).

with

journeys as (
    select * from deal_journeys
    where ($owners is null or list_contains($owners, owner))
        and ($segments is null or list_contains($segments, segment))
),

leads as (
    select * from funnel_in_scope(null, $owners, $segments)
    where has_lead
),

converting as (
    select
        deal_id,
        list(channel order by position) as path,
    from journeys
    where basis = $basis
        and is_in_period(converted_at, $start_date, $end_date)
    group by deal_id
),

-- Whether a lead has any deal of the basis, in any period: such a lead converted, even if
-- outside this period, so it is not counted as a path that ended without a conversion.
converted_leads as (
    select distinct lead_id
    from journeys
    where basis = $basis
        and lead_id is not null
),

leads_not_converted as (
    select
        leads.lead_id,
        leads.channel,
    from leads
    anti join converted_leads
        on leads.lead_id = converted_leads.lead_id
    where is_in_period(leads.created_at, $start_date, $end_date)
),

touch_paths as (
    select
        touches.lead_id,
        list(touches.channel order by touches.touched_at, touches.touch_id) as path,
    from stg_touches as touches
    semi join leads_not_converted
        on touches.lead_id = leads_not_converted.lead_id
    group by touches.lead_id
),

not_converting as (
    select
        leads_not_converted.lead_id,
        coalesce(touch_paths.path, [leads_not_converted.channel]) as path,
    from leads_not_converted
    left join touch_paths
        on leads_not_converted.lead_id = touch_paths.lead_id
),

paths as (
    select path, true as is_converted from converting
    union all
    select path, false as is_converted from not_converting
),

final as (
    select
        path,
        count(*) as count_journeys,
        count(*) filter (where is_converted) as count_conversions,
    from paths
    group by path
)

select * from final
order by count_journeys desc, path
