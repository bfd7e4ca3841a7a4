-- The channel paths Markov attribution learns from, converting or not, counted per path.
-- Grain: one row per distinct path (the ordered list of channels touched) and outcome.
-- Converting journeys are those of the deals attribution shares out (attribution_journeys:
-- won in the period, or created in it and open, for $basis 'pipeline'); the journeys that did
-- not convert are those of the leads created in the period with no such deal at all, their
-- whole path. Owner and segment filters narrow both, so the chain is learnt on the same scope.
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

not_converting as (
    select
        leads.lead_id,
        [leads.channel] as path,
    from leads
    anti join converted_leads
        on leads.lead_id = converted_leads.lead_id
    where is_in_period(leads.created_at, $start_date, $end_date)
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
